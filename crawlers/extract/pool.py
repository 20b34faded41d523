"""`ExtractionPool`: extract_page in worker processes, so the reactor keeps downloading.

Parsing a detail page (lxml, then trafilatura or the CMS selector) is pure Python holding
the GIL for a few milliseconds a page: on the reactor's thread it was as much CPU as the
download itself. Here `await pool.extract(html, url)` runs it in one of `workers` forked
processes (crawlers/workers.py), in batches (crawlers/batches.py);
the page goes out as text and comes back as an ExtractedPage. ExtractionError keeps its
reason across the process boundary. A pool of 0 workers extracts in the calling thread.
"""

from __future__ import annotations

from collections.abc import Awaitable

from crawlers.batches import Batcher
from crawlers.errors import ExtractionError
from crawlers.extract.page import ExtractedPage, extract_page
from crawlers.workers import ProcessWorker


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
        self._processes: list[ProcessWorker] = []
        # One batch at each worker at a time; pages arriving meanwhile make the next ones.
        self._batcher: Batcher[tuple[str, str], tuple[str, ExtractedPage | str]] = Batcher(
            self._submit, in_flight=max(1, workers), max_batch=64
        )

    def _submit(self, pages: list[tuple[str, str]]) -> Awaitable[list]:
        if not self._processes:  # forked on first use, once the crawl is set up
            self._processes = [
                ProcessWorker(name=f"fairwatch-extract-{n}") for n in range(self.workers)
            ]
        worker = next((w for w in self._processes if w.idle), self._processes[0])
        return worker.call(_extract_many, pages)

    async def extract(self, html: str, url: str) -> ExtractedPage:
        if self.workers <= 0:
            return extract_page(html, url)
        status, value = await self._batcher((html, url))
        if status == "error":
            raise ExtractionError(str(value), url=url)
        assert isinstance(value, ExtractedPage)
        return value

    def close(self) -> None:
        for worker in self._processes:
            worker.stop()
        self._processes = []
