"""Periodic progress lines while a crawl runs: documents, rate, errors."""

from __future__ import annotations

import logging
import time

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector
from twisted.internet import task

logger = logging.getLogger(__name__)


class ProgressExtension:
    def __init__(self, stats: StatsCollector, interval: float) -> None:
        if interval <= 0:
            raise NotConfigured("FAIRWATCH_PROGRESS_INTERVAL is 0: no progress lines")
        self.stats = stats
        self.interval = interval
        self._task: task.LoopingCall | None = None
        self._started = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressExtension:
        ext = cls(crawler.stats, crawler.settings.getfloat("FAIRWATCH_PROGRESS_INTERVAL"))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def line(self) -> str:
        s = self.stats.get_stats()
        elapsed = max(time.monotonic() - self._started, 1e-6)
        fetched = s.get("fairwatch/pages_fetched", 0)
        docs = sum(s.get(f"fairwatch/items_{k}", 0) for k in ("new", "changed", "unchanged"))
        return (
            f"{docs} documents ({s.get('fairwatch/items_new', 0)} new), {fetched} pages fetched "
            f"({fetched / elapsed:.1f}/s), {s.get('fairwatch/pages_skipped', 0)} skipped, "
            f"{s.get('fairwatch/pages_failed', 0)} errors"
        )

    def spider_opened(self, spider: Spider) -> None:
        self._started = time.monotonic()
        self._task = task.LoopingCall(self._log, spider)
        self._task.start(self.interval, now=False)

    def _log(self, spider: Spider) -> None:
        logger.info("%s: %s", getattr(spider, "source_id", spider.name), self.line())

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._task is not None and self._task.running:
            self._task.stop()
        logger.info(
            "%s finished (%s): %s", getattr(spider, "source_id", spider.name), reason, self.line()
        )
