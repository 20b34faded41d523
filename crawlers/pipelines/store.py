"""Hand each DocumentRecord item to the DocumentSink (store, analyze, index) and count.

The sink runs on one dedicated worker thread: downloads go on while a document is being
stored, and every database write still goes through a single owner, one at a time, in
the order items arrive. The sink's `close()` (if it has one) runs on that thread when the
spider closes, so batched work (the index) is flushed before the run is recorded. A sink
with `process_async` (fairwatch/store_process.py) is awaited instead of the thread: it
does its work in a process of its own.

Stats: fairwatch/items_new, items_changed, items_unchanged, items_flagged,
fairwatch/documents/<revised|repealed|restored>,
fairwatch/stage_failed/<stage> (stored, a later stage failed: kept for retry), and
fairwatch/drop_reason/store_failed when even storing failed.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import StatsCollector

from crawlers.sink import DocumentSink, SinkResult
from storage.records import DocumentRecord

logger = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, sink: DocumentSink, stats: StatsCollector) -> None:
        self.sink = sink
        self.stats = stats
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fairwatch-store")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        sink = crawler.settings.get("FAIRWATCH_SINK")
        if sink is None:
            raise NotConfigured("no FAIRWATCH_SINK: crawled documents are not stored")
        return cls(sink, crawler.stats)

    async def process_item(self, item: DocumentRecord) -> DocumentRecord:
        if not isinstance(item, DocumentRecord):
            return item
        process_async = getattr(self.sink, "process_async", None)
        try:
            if process_async is not None:  # a sink that stores in a process of its own
                result = await process_async(item)
            else:
                loop = asyncio.get_running_loop()
                result = await loop.run_in_executor(self._worker, self.sink.process, item)
        except Exception as exc:
            # Store failures are per document: the crawl goes on and the run counts them.
            self.stats.inc_value("fairwatch/drop_reason/store_failed")
            logger.error(
                "could not store %s: %s", item.url, exc, extra={"source_id": item.source_id}
            )
            raise DropItem(f"store failed for {item.url}: {exc}") from exc
        self.count(item, result)
        return item

    def count(self, item: DocumentRecord, result: SinkResult) -> None:
        self.stats.inc_value(f"fairwatch/items_{result.status}")
        if result.status == "unchanged":
            self.stats.inc_value("fairwatch/pages_skipped")
            self.stats.inc_value("fairwatch/pages_skipped/unchanged")
        if result.flagged:
            self.stats.inc_value("fairwatch/items_flagged")
        for event in result.events:
            self.stats.inc_value(f"fairwatch/documents/{event}")
        for stage, error in result.stage_errors.items():
            count = result.stage_failed_versions.get(stage, 1)
            self.stats.inc_value(f"fairwatch/stage_failed/{stage}", count)
            logger.warning(
                "%s stored; %s failed and is marked for retry: %s", item.url, stage, error
            )

    async def close_spider(self) -> None:
        close_async = getattr(self.sink, "close_async", None)
        close = getattr(self.sink, "close", None)
        try:
            errors = None
            if close_async is not None:
                errors = await close_async()
            elif callable(close):
                errors = await asyncio.get_running_loop().run_in_executor(self._worker, close)
            for stage, count in (errors or {}).items():
                self.stats.inc_value(f"fairwatch/stage_failed/{stage}", count)
        finally:
            self._worker.shutdown(wait=True)
