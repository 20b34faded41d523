"""Distributed crawling: push each source's start pages to Redis, run workers that pull.

    runs = push_sources(settings, [source])    # `fairwatch crawl --distributed SOURCE`
    run_worker(settings)                       # `fairwatch worker`, on any machine, any number

The request queue, the duplicate filter and the per-domain politeness live in Redis
(crawlers/distributed/); documents go to the shared PostgreSQL database through the same
DocumentPipeline as a single-process crawl. A push records a crawl run per source; the
worker that finishes the run's last page closes it with the counts all workers added up.
SQLite is refused here: it is one machine's file and takes one writer at a time.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from crawlers.distributed.frontier import RedisFrontier
from crawlers.distributed.politeness import DomainLease
from crawlers.distributed.queue import Job, QueueError, RedisQueue
from crawlers.distributed.spider import WorkerSpider
from crawlers.settings import DEFAULTS
from crawlers.sink import KnownPage, SinkResult
from crawlers.sources.schema import SourceConfig
from crawlers.spiders.source import ROLE, SourceSpider
from fairwatch.app import analyzer_lookup, open_database, open_search_index
from fairwatch.crawl import record_source
from fairwatch.errors import CrawlError
from fairwatch.pipeline import DocumentPipeline
from fairwatch.settings import ConfigError, Settings
from storage import repository
from storage.db import Database
from storage.records import DocumentRecord

logger = logging.getLogger(__name__)


@dataclass
class PushOutcome:
    source_id: str
    run_id: int
    queued: int

    def summary(self) -> str:
        if not self.queued:
            return f"run {self.run_id} {self.source_id}: still being crawled, nothing queued"
        return f"run {self.run_id} {self.source_id}: {self.queued} start page(s) queued for workers"


def check_settings(settings: Settings) -> None:
    """ConfigError unless the database is PostgreSQL (workers on several machines share it)."""
    url = settings.resolved_database_url
    if not url.startswith("postgresql"):
        raise ConfigError(
            f"distributed crawling needs a PostgreSQL database_url (FAIRWATCH_DATABASE_URL); "
            f"got {url.split('://')[0]}: SQLite is one machine's file with one writer at a time"
        )


def connect(settings: Settings, worker: str = "") -> RedisQueue:
    check_settings(settings)
    name = worker or f"{socket.gethostname()}:{os.getpid()}"
    try:
        return RedisQueue.connect(
            settings.redis_url, prefix=settings.redis_prefix, worker=name, ttl=settings.redis_ttl
        )
    except QueueError as exc:
        raise CrawlError(str(exc)) from exc


# -- pushing ------------------------------------------------------------------------------
def start_jobs(source: SourceConfig, run_id: int) -> list[Job]:
    """The list pages a crawl of source starts from, as the source's spider asks for them."""
    if source.kind == "ad":
        raise ConfigError(f"source {source.id}: ad sources are not crawled in distributed mode")
    spider = SourceSpider(source=source, mode="single")

    async def collect() -> list[Any]:
        return [request async for request in spider.start()]

    jobs = []
    for request in asyncio.run(collect()):
        jobs.append(
            Job(
                run_id,
                source.id,
                request.meta[ROLE],
                request.url,
                follow=bool(request.meta.get("fairwatch_follow_next")),
                json=request.callback == spider.parse_json,
            )
        )
    return jobs


def push_sources(
    settings: Settings, sources: list[SourceConfig], *, db: Database | None = None
) -> list[PushOutcome]:
    """Record a run per source and queue its start pages; workers do the rest."""
    queue = connect(settings, worker="push")
    for source in sources:
        start_jobs(source, 0)  # refuse what cannot run before any run is recorded
    db = db or open_database(settings)
    outcomes = []
    for source in sources:
        record_source(db, source)
        open_run = _open_run(db, queue, source.id)
        if open_run is not None:
            # One run of a source at a time: its pages are still being worked on.
            logger.warning("%s: run %d is still being crawled; nothing queued", source.id, open_run)
            outcomes.append(PushOutcome(source.id, open_run, 0))
            continue
        # No host or pid: the run belongs to the workers, not to this short-lived process,
        # so no orphan sweep on this host takes it for a dead crawl.
        run_id = repository.start_run(db, source.id, mode="single")
        queued, _ = queue.push(run_id, start_jobs(source, run_id))
        logger.info("%s: run %d, %d start page(s) queued in Redis", source.id, run_id, queued)
        outcomes.append(PushOutcome(source.id, run_id, queued))
    return outcomes


def _open_run(db: Database, queue: RedisQueue, source_id: str) -> int | None:
    """The distributed run of source_id whose pages are still queued or in flight."""
    for run in repository.list_runs(db, source_id=source_id, status="running", limit=5):
        if run.host is None and queue.pending(run.id) > 0:
            return run.id
    return None


# -- working ------------------------------------------------------------------------------
class RunSinks:
    """A DocumentSink that stores each record with the DocumentPipeline of its run."""

    def __init__(self, make: Any, frontier: RedisFrontier) -> None:
        self._make = make  # run_id -> DocumentPipeline
        self.frontier = frontier
        self._base: DocumentPipeline = make(None)
        self._pipelines: dict[int, DocumentPipeline] = {}

    def __deepcopy__(self, memo: dict) -> RunSinks:
        return self

    def known(self, source_id: str, url: str) -> KnownPage | None:
        return self._base.known(source_id, url)

    def gone(self, source_id: str, url: str, detail: str) -> bool:
        return self._base.gone(source_id, url, detail)

    def process(self, record: DocumentRecord) -> SinkResult:
        run = self.frontier.run_of(record.source_id, "detail", record.url)
        pipeline = self._base if run is None else self._pipelines.get(run)
        if pipeline is None:
            pipeline = self._pipelines[run] = self._make(run)  # type: ignore[index]
        result = pipeline.process(record)
        if run is not None:
            queue = self.frontier.queue
            queue.count(run, f"fairwatch/items_{result.status}")
            if result.flagged:
                queue.count(run, "fairwatch/items_flagged")
            for stage in result.stage_errors:
                queue.count(run, f"fairwatch/stage_failed/{stage}")
        return result


def worker_settings(
    settings: Settings, sources: dict[str, SourceConfig], **ours: Any
) -> dict[str, Any]:
    """Scrapy settings of a worker: Redis does the scheduling and the politeness."""
    values = dict(DEFAULTS)
    values["DOWNLOADER_MIDDLEWARES"] = {
        **DEFAULTS["DOWNLOADER_MIDDLEWARES"],
        # Next to the downloader: a lease is held only while a request is on the wire.
        "crawlers.distributed.politeness.DomainLeaseMiddleware": 950,
    }
    values.update(
        SCHEDULER="crawlers.distributed.scheduler.RedisScheduler",
        # Politeness is per domain across all workers (DomainLeaseMiddleware), not per process.
        DOWNLOAD_DELAY=0,
        AUTOTHROTTLE_ENABLED=False,
        # A worker has no run of its own to record (each run is closed by its last page).
        EXTENSIONS={
            **DEFAULTS["EXTENSIONS"],
            "crawlers.extensions.runstats.RunStatsExtension": None,
        },
        CONCURRENT_REQUESTS=settings.worker_concurrency,
        CONCURRENT_REQUESTS_PER_DOMAIN=settings.worker_concurrency,
        FAIRWATCH_POLL=0.1,
        FAIRWATCH_POLITENESS={
            s.id: (s.politeness.concurrency, s.politeness.delay) for s in sources.values()
        },
        FAIRWATCH_POLITENESS_HOSTS=_host_concurrency(sources.values()),
        FAIRWATCH_DEFAULT_CONCURRENCY=DEFAULTS["CONCURRENT_REQUESTS_PER_DOMAIN"],
        FAIRWATCH_PROGRESS_INTERVAL=settings.crawl_progress_interval,
        FAIRWATCH_RETRY_BACKOFF_BASE=settings.crawl_retry_backoff,
        LOG_LEVEL=settings.log_level,
        **ours,
    )
    return values


def _host_concurrency(sources: Iterable[SourceConfig]) -> dict[str, int]:
    """host -> the largest politeness.concurrency of the sources starting there."""
    hosts: dict[str, int] = {}
    for source in sources:
        for url in source.start_urls:
            host = urlsplit(url).netloc
            hosts[host] = max(hosts.get(host, 1), source.politeness.concurrency)
    return hosts


def run_worker(settings: Settings, sources: list[SourceConfig], *, name: str = "") -> None:
    """Pull pages from Redis and crawl them until stopped (SIGTERM, Ctrl-C); once per process."""
    queue = connect(settings, worker=name)
    db = open_database(settings)
    # An embedded index is one machine's file: with workers on several machines the index
    # stage stays pending and `fairwatch index sync` builds it from the database.
    index = open_search_index(settings) if settings.search_url else None
    if index is not None:
        from fairwatch.crawl import _prepare_index

        _prepare_index(index)
    from alerts.api import config_from_settings, finding_hook

    alerts = config_from_settings(settings)
    analyzers = analyzer_lookup()
    # Build the analyzers (rule packs, dictionaries) now: built by the first page, on the
    # store thread, they would hold the GIL while requests with a domain lease wait to go out.
    for kind in {s.kind for s in sources}:
        analyzers(kind).analyze("预热")

    def pipeline(run_id: int | None) -> DocumentPipeline:
        return DocumentPipeline(
            db,
            run_id=run_id,
            index=index,
            analyzer_for=analyzers,
            after_findings=finding_hook(alerts, console_url=settings.console_url),
        )

    def run_done(run_id: int) -> None:
        from fairwatch.crawl import finish_crawl_run

        status, _, stats = finish_crawl_run(db, run_id, queue.stats(run_id))
        queue.forget_run(run_id)
        logger.info("run %d finished (%s): %s", run_id, status, stats)

    frontier = RedisFrontier(queue, on_run_done=run_done)
    sink = RunSinks(pipeline, frontier)
    by_id = {s.id: s for s in sources}
    lease = DomainLease(queue.client, prefix=settings.redis_prefix, ttl=settings.redis_lease_ttl)
    values = worker_settings(
        settings,
        by_id,
        FAIRWATCH_SINK=sink,
        FAIRWATCH_FRONTIER=frontier,
        FAIRWATCH_DOMAIN_LEASE=lease,
    )
    logger.info(
        "worker %s pulling from %s (prefix %s), %d source(s) known",
        queue.worker,
        settings.redis_url,
        settings.redis_prefix,
        len(by_id),
    )
    from fairwatch.crawl import run_in_reactor

    async def main() -> None:
        from scrapy.crawler import AsyncCrawlerRunner, Crawler

        crawler = Crawler(WorkerSpider, values)

        def stop(signum: int, _frame: Any) -> None:
            # Close in order: the scheduler gives the pages still held back to the queue.
            logger.info("worker %s stopping (signal %d)", queue.worker, signum)
            loop.call_soon_threadsafe(lambda: asyncio.ensure_future(crawler.stop_async()))

        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, stop)
        await AsyncCrawlerRunner(values).crawl(crawler, sources=by_id)

    run_in_reactor(main, log_level=settings.log_level)
