"""Decide, when a crawl closes, whether the run succeeded, and say why not.

A run fails when no list page could be fetched (the site is unreachable, every start URL
errors, robots.txt forbids them): it sets `fairwatch/status` to "failed" and
`fairwatch/failure_reason` to the first list-page error. Otherwise the status is "ok".
The crawl runner stores these and the rest of the stats in the crawl run row.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class RunStatsExtension:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunStatsExtension:
        ext = cls(crawler.stats)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.stats.set_value("fairwatch/started_at", datetime.now(UTC).isoformat())

    def spider_closed(self, spider: Spider, reason: str) -> None:
        status, why = self.judge(self.stats.get_stats(), reason)
        self.stats.set_value("fairwatch/status", status)
        if why:
            self.stats.set_value("fairwatch/failure_reason", why)
            logger.error("crawl of %s failed: %s", getattr(spider, "source_id", spider.name), why)

    @staticmethod
    def judge(stats: dict, close_reason: str) -> tuple[str, str | None]:
        """(status, reason) for a finished crawl, from its stats alone."""
        if close_reason not in ("finished", "closespider_itemcount"):
            return "failed", f"crawl stopped early: {close_reason}"
        if stats.get("fairwatch/list_pages_fetched", 0) == 0:
            error = stats.get("fairwatch/list_error") or "no list page was fetched"
            return "failed", error
        return "ok", None
