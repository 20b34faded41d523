"""Hand each DocumentRecord item to the DocumentSink (store, analyze, index) and count.

Stats: fairwatch/items_new, items_changed, items_unchanged, items_flagged,
fairwatch/stage_failed/<stage> (stored, a later stage failed: kept for retry), and
fairwatch/drop_reason/store_failed when even storing failed.
"""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import StatsCollector

from crawlers.sink import DocumentSink
from storage.records import DocumentRecord

logger = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, sink: DocumentSink, stats: StatsCollector) -> None:
        self.sink = sink
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        sink = crawler.settings.get("FAIRWATCH_SINK")
        if sink is None:
            raise NotConfigured("no FAIRWATCH_SINK: crawled documents are not stored")
        return cls(sink, crawler.stats)

    def process_item(self, item: DocumentRecord) -> DocumentRecord:
        if not isinstance(item, DocumentRecord):
            return item
        try:
            result = self.sink.process(item)
        except Exception as exc:
            # Store failures are per document: the crawl goes on and the run counts them.
            self.stats.inc_value("fairwatch/drop_reason/store_failed")
            logger.error(
                "could not store %s: %s", item.url, exc, extra={"source_id": item.source_id}
            )
            raise DropItem(f"store failed for {item.url}: {exc}") from exc
        self.stats.inc_value(f"fairwatch/items_{result.status}")
        if result.status == "unchanged":
            self.stats.inc_value("fairwatch/pages_skipped")
            self.stats.inc_value("fairwatch/pages_skipped/unchanged")
        if result.flagged:
            self.stats.inc_value("fairwatch/items_flagged")
        for stage, error in result.stage_errors.items():
            self.stats.inc_value(f"fairwatch/stage_failed/{stage}")
            logger.warning(
                "%s stored; %s failed and is marked for retry: %s", item.url, stage, error
            )
        return item
