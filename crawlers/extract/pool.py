"""`ExtractionPool`: extract_page in worker processes, so the reactor keeps downloading.

Parsing a detail page (lxml, then trafilatura or the CMS selector) is pure Python holding
the GIL for a few milliseconds a page: on the reactor's thread it was as much CPU as the
download itself. Here `await pool.extract(html, url)` runs it in one of `workers` forked
processes (`concurrent.futures.ProcessPoolExecutor`), in batches (crawlers/batches.py);
the page goes out as text and comes back as an ExtractedPage. ExtractionError keeps its
reason across the process boundary. A pool of 0 workers extracts in the calling thread.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import signal
from concurrent.futures import Future, ProcessPoolExecutor

from crawlers.batches import Batcher
from crawlers.errors import ExtractionError
from crawlers.extract.page import ExtractedPage, extract_page

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Linux: the kernel ends this child when the process that forked it dies (a crash or
    SIGKILL of a crawl must not leave workers behind holding its pipes)."""
    # Not Linux (no prctl): workers end when their queue closes.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _extract_many(pages: list[tuple[str, str]]) -> list[tuple[str, ExtractedPage | str]]:
    return [_extract(html, url) for html, url in pages]


def _extract(html: str, url: str) -> tuple[str, ExtractedPage | str]:
    try:
        return "ok", extract_page(html, url)
    except ExtractionError as exc:  # its keyword-only arguments do not survive pickling
        return "error", exc.reason
    except Exception as exc:  # a parser bug costs this page, not the others of its batch
        return "error", f"extraction crashed: {type(exc).__name__}: {exc}"


class ExtractionPool:
    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None
        # One batch per worker at a time, plus one queued so none waits for the reactor.
        self._batcher: Batcher[tuple[str, str], tuple[str, ExtractedPage | str]] = Batcher(
            self._submit, in_flight=workers + 1, max_batch=64
        )

    def _submit(self, pages: list[tuple[str, str]]) -> Future:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=die_with_parent,
            )
        return self._executor.submit(_extract_many, pages)

    async def extract(self, html: str, url: str) -> ExtractedPage:
        if self.workers <= 0:
            return extract_page(html, url)
        status, value = await self._batcher((html, url))
        if status == "error":
            raise ExtractionError(str(value), url=url)
        assert isinstance(value, ExtractedPage)
        return value

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
