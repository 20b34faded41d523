"""`WorkerSpider`: runs the queued pages of any source with that source's SourceSpider.

A worker is one long-lived Scrapy crawl. For each source it meets it keeps a SourceSpider
(the same parsing, extraction and attachment code as a single-process crawl) whose
frontier is the shared `RedisFrontier`; the worker spider itself only turns jobs into
requests and never closes on its own (an empty queue means "wait for more").
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import scrapy
from scrapy.exceptions import DontCloseSpider
from scrapy.statscollectors import StatsCollector
from twisted.python.failure import Failure

from crawlers.distributed.frontier import RedisFrontier
from crawlers.distributed.queue import Job
from crawlers.failures import failure_reason
from crawlers.sources.schema import SourceConfig
from crawlers.spiders.source import SourceSpider, canonical_url
from storage.records import DocumentRecord

logger = logging.getLogger(__name__)

JOB = "fairwatch_job"


class RunStats:
    """The crawler's stats, with every fairwatch/ count also added to the run's in Redis."""

    def __init__(self, stats: StatsCollector, frontier: RedisFrontier, source_id: str) -> None:
        self._stats = stats
        self._frontier = frontier
        self._source_id = source_id

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self._stats.inc_value(key, count, start)
        if key.startswith("fairwatch/"):
            self.inc_run(key, count)

    def inc_run(self, key: str, count: int = 1) -> None:
        """Add to the run's count only (the crawler's was counted elsewhere)."""
        run = self._frontier.latest_run(self._source_id)
        if run is not None:
            self._frontier.queue.count(run, key, count)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stats, name)


class QueuedSourceSpider(SourceSpider):
    """A SourceSpider whose counts also go to the run of the job (RunStats)."""

    run_stats: RunStats

    @property
    def stats(self) -> RunStats:  # type: ignore[override]
        return self.run_stats

    def on_error(self, failure: Failure) -> None:
        if failure_reason(failure)[0] == "not_modified":
            # ConditionalRequestMiddleware counted it in the crawler's stats; the run too.
            self.run_stats.inc_run("fairwatch/pages_skipped")
            self.run_stats.inc_run("fairwatch/pages_skipped/not_modified")
        super().on_error(failure)

    def _detail_requests(self, links: list[str]) -> Iterator[scrapy.Request]:
        # No filter of our own: this spider outlives runs (the next run asks the same pages
        # again), and the run's duplicate filter in Redis drops what was queued already.
        for url in links:
            self.stats.inc_value("fairwatch/details_scheduled")
            yield self._detail_request(url, canonical_url(url))


class WorkerSpider(scrapy.Spider):
    name = "fairwatch-worker"

    def __init__(self, sources: dict[str, SourceConfig], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sources = sources
        self._spiders: dict[str, SourceSpider] = {}

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):  # noqa: ANN001, ANN206
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.frontier = crawler.settings.get("FAIRWATCH_FRONTIER")
        spider.sink = crawler.settings.get("FAIRWATCH_SINK")
        if not isinstance(spider.frontier, RedisFrontier):
            raise ValueError("WorkerSpider needs a RedisFrontier in FAIRWATCH_FRONTIER")
        for signal in (scrapy.signals.item_scraped, scrapy.signals.item_dropped):
            crawler.signals.connect(spider._item_done, signal=signal)
        crawler.signals.connect(spider._item_done, signal=scrapy.signals.item_error)
        crawler.signals.connect(spider._idle, signal=scrapy.signals.spider_idle)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        return  # every request comes from the queue (RedisScheduler)
        yield  # noqa: B901 - an async generator that yields nothing

    def _idle(self) -> None:
        raise DontCloseSpider

    def _item_done(self, item: Any, **_: Any) -> None:
        # Stored, or storing failed and was counted: either way the page is finished.
        if isinstance(item, DocumentRecord):
            self.frontier.done(item.source_id, "detail", item.url)

    def for_source(self, source_id: str) -> SourceSpider | None:
        spider = self._spiders.get(source_id)
        if spider is None:
            source = self.sources.get(source_id)
            if source is None or source.kind == "ad":
                return None
            spider = QueuedSourceSpider(source=source, mode="single")
            spider.crawler = self.crawler
            spider.settings = self.crawler.settings
            spider.frontier = self.frontier
            spider.run_stats = RunStats(self.crawler.stats, self.frontier, source_id)
            spider.sink = self.sink
            spider._rechecked = True  # re-checking unlisted pages is a backfill's job
            self._spiders[source_id] = spider
        return spider

    def request_for(self, job: Job) -> scrapy.Request | None:
        """The request for a job, or None (job finished with an error) if it cannot run."""
        spider = self.for_source(job.source)
        if spider is None:
            logger.error(
                "job for source %s (%s) dropped: not a policy source in this worker's source files",
                job.source,
                job.url,
            )
            self.crawler.stats.inc_value("fairwatch/jobs_unknown_source")
            self.frontier.release(job)
            return None
        if job.role == "detail":
            request = spider._detail_request(job.url, job.url)
        else:
            request = spider._list_request(job.url, follow_next=job.follow, json_list=job.json)
            request = request.replace(
                callback=self._finishing(job, spider, request.callback),
                errback=self._finishing(job, spider, request.errback),
            )
        request.meta[JOB] = job
        return request

    def _finishing(
        self, job: Job, spider: SourceSpider, callback: Callable[..., Any]
    ) -> Callable[..., Iterator[Any]]:
        """callback, then the list page's job is finished if `expand` did not finish it."""

        def wrapped(result: Any, **kwargs: Any) -> Iterator[Any]:
            # The spider counts list pages against max_pages; here that is this page's depth
            # in its run (set and used in one go: the callback decides before it yields).
            spider._list_pages = job.page - 1
            try:
                yield from callback(result, **kwargs) or ()
            finally:
                self.frontier.release(job)

        return wrapped
