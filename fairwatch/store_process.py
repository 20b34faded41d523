"""The crawl's store stage in a process of its own: store, analyze, alert, index, frontier.

    store = StoreProcess(pipeline, frontier)   # forks the store process
    ... crawl with FAIRWATCH_SINK=store.sink, FAIRWATCH_FRONTIER=store.frontier ...
    await store.shutdown()                     # waits until everything sent is written

A thread of the crawl's own process shares its GIL with the reactor: storing, analyzing
and indexing a page took about twice the CPU of fetching it, and every millisecond of it
was a millisecond the reactor could not download. Here that work runs in one forked child
(crawlers/workers.py: the database keeps one writer, taking work in the order it was
sent). Documents go in batches (crawlers/batches.py), each stored in one transaction:
while the child writes one batch the next gathers. The child inherits the built
DocumentPipeline and DatabaseFrontier at fork time and opens connections of its own. The
crawl's process keeps the reads the reactor needs at once (`known`, `known_many`,
`pending`, `listed_urls`) and the rare `gone`.

Frontier writes go to the child too, in the same queue: a list page's expansion is queued
before any of its detail pages can be, so it is written first, and the reactor never waits
for the database's write lock. Nothing is lost if either process dies: a batch of
documents is stored in one transaction in the child, their later stages stay pending for
`retry_pending`, and a frontier write that never happened leaves its pages in the
frontier for the next crawl.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from crawlers.batches import Batcher
from crawlers.sink import KnownPage, SinkResult
from crawlers.workers import ProcessWorker, WorkerError
from fairwatch.frontier import DatabaseFrontier
from fairwatch.pipeline import DocumentPipeline
from storage.records import DocumentRecord

logger = logging.getLogger(__name__)


class StoreProcessError(Exception):
    """What failed in the store process, with its message (its own type may not pickle)."""


# The child's objects, set by _adopt at fork time (inherited, never pickled).
_PIPELINE: DocumentPipeline | None = None
_FRONTIER: DatabaseFrontier | None = None
# Connections inherited from the parent: kept referenced so the child never closes them.
_INHERITED: list[Any] = []


def _adopt(pipeline: DocumentPipeline, frontier: DatabaseFrontier | None) -> None:
    """In the child, right after the fork: own connections, the parent's stay untouched."""
    global _PIPELINE, _FRONTIER
    _PIPELINE, _FRONTIER = pipeline, frontier
    # SQLAlchemy's documented fork recipe: new pool, the parent's connections left alone.
    pipeline.db.engine.dispose(close=False)
    index = pipeline.index
    if index is not None and hasattr(index, "_conn"):  # the embedded index's own SQLite file
        import threading

        _INHERITED.append(index._conn)
        index._conn = None
        index._lock = threading.RLock()


def _call(target: str, method: str, *args: Any) -> Any:
    obj = _PIPELINE if target == "sink" else _FRONTIER
    return getattr(obj, method)(*args)


def _process_many(records: list[DocumentRecord]) -> list[tuple[str, Any]]:
    """Store a batch in one transaction; each record's result, or its error as text."""
    out = []
    for record, result in zip(records, _PIPELINE.process_many(records), strict=True):
        if isinstance(result, Exception):
            logger.error("store process: could not store %s: %s", record.url, result)
            out.append(("error", f"{type(result).__name__}: {result}"))
        else:
            out.append(("ok", result))
    return out


class StoreProcess:
    """One child process that owns the crawl's database writes (see the module docstring)."""

    def __init__(self, pipeline: DocumentPipeline, frontier: DatabaseFrontier | None) -> None:
        # Forked now, from the thread starting the crawl, before downloads begin.
        self.worker = ProcessWorker(
            initializer=_adopt, initargs=(pipeline, frontier), name="fairwatch-store"
        )
        self._batcher: Batcher[DocumentRecord, tuple[str, Any]] = Batcher(
            lambda records: self.worker.call(_process_many, records), in_flight=1
        )
        self.sink = ProcessSink(self, pipeline)
        self.frontier = None if frontier is None else ProcessFrontier(self, frontier)

    def __deepcopy__(self, memo: dict) -> StoreProcess:
        return self

    async def call(self, target: str, method: str, *args: Any) -> Any:
        """target.method(*args) in the child, after everything sent before it."""
        try:
            return await self.worker.call(_call, target, method, *args)
        except WorkerError as exc:
            raise StoreProcessError(str(exc)) from exc

    def send(self, target: str, method: str, *args: Any) -> None:
        """Queue target.method(*args) in the child without waiting (order is kept)."""
        self.worker.call(_call, target, method, *args).add_done_callback(_log_failure)

    async def process(self, record: DocumentRecord) -> SinkResult:
        status, value = await self._batcher(record)
        if status == "error":
            raise StoreProcessError(value)
        return value

    async def shutdown(self) -> None:
        """Wait for everything queued, then stop the child."""
        await self.worker.close()


def _log_failure(future: Any) -> None:
    if not future.cancelled() and future.exception() is not None:
        # The child logged it; its work stays pending or in the frontier for next time.
        logger.error("store process: %s", future.exception())


class ProcessSink:
    """DocumentSink: documents are stored in the store process, reads stay here."""

    def __init__(self, store: StoreProcess, pipeline: DocumentPipeline) -> None:
        self._store = store
        self._pipeline = pipeline

    def __deepcopy__(self, memo: dict) -> ProcessSink:
        return self

    def known(self, source_id: str, url: str) -> KnownPage | None:
        return self._pipeline.known(source_id, url)

    def known_many(self, source_id: str, urls: Iterable[str]) -> dict[str, KnownPage]:
        return self._pipeline.known_many(source_id, urls)

    def gone(self, source_id: str, url: str, detail: str) -> bool:
        return self._pipeline.gone(source_id, url, detail)

    def listed_urls(self, source_id: str) -> list[str]:
        return self._pipeline.listed_urls(source_id)

    def process(self, record: DocumentRecord) -> SinkResult:
        raise TypeError("the store process is driven by the event loop: use process_async")

    async def process_async(self, record: DocumentRecord) -> SinkResult:
        """Stored, analyzed and queued for the index in the child, batched with the
        documents around it."""
        return await self._store.process(record)

    async def close_async(self) -> dict[str, int]:
        """The pipeline's close() in the child, once every document sent is stored."""
        return await self._store.call("sink", "close")


class ProcessFrontier:
    """Frontier: writes queued to the store process, `pending` read here."""

    def __init__(self, store: StoreProcess, frontier: DatabaseFrontier) -> None:
        self._store = store
        self._frontier = frontier
        # Finished pages go to the child in batches: one message per page cost the reactor
        # more than the database work it saved (a crash loses at most a batch of marks,
        # and those pages are asked again, conditionally, by the next crawl).
        self._done: dict[tuple[str, str], list[str]] = {}

    def __deepcopy__(self, memo: dict) -> ProcessFrontier:
        return self

    def pending(self, source_id: str) -> list[tuple[str, str]]:
        return self._frontier.pending(source_id)

    def expand(
        self, source_id: str, list_url: str, details: Iterable[str], next_lists: Iterable[str]
    ) -> None:
        self._store.send("frontier", "expand", source_id, list_url, list(details), list(next_lists))

    def done(self, source_id: str, role: str, url: str) -> None:
        urls = self._done.setdefault((source_id, role), [])
        urls.append(url)
        if len(urls) >= self._frontier.batch:
            self._send_done(source_id, role)

    def close(self) -> None:
        for source_id, role in list(self._done):
            self._send_done(source_id, role)
        self._store.send("frontier", "close")

    def _send_done(self, source_id: str, role: str) -> None:
        urls = self._done.pop((source_id, role), [])
        self._store.send("frontier", "done_many", source_id, role, urls)
