"""Run crawls of sources through the whole pipeline and record each run.

    outcomes = crawl_sources(settings, [source_a, source_b], limit=10)

Each source gets a crawl run row (started, then finished with its status, counts, the
Scrapy stats and errors) and a Scrapy crawler with the source's politeness settings; the
crawls run one after the other in one Twisted reactor (the asyncio reactor, which
scrapy-playwright needs too). A Twisted reactor cannot be restarted, so crawl_sources
runs once per process: the CLI is one process per command, and tests run the CLI in a
subprocess.

Modes: `single` (what `fairwatch crawl` does by default) follows pagination as the source
file says; `auto` (what `fairwatch run` asks for) is `backfill` until the source's whole
archive has been fetched once, then `incremental` (see crawlers/spiders/source.py). Every
run records the host and pid of its process, so a run left `running` by a process that
died is found and marked interrupted; in auto mode a crawl first retries the pipeline
stages left pending, and every crawl resumes the pages left in its source's frontier.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import os
import signal
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from alerts import AlertsConfig, DeliveryPolicy, DeliveryReport, deliver_due
from alerts.api import config_from_settings, finding_hook
from crawlers.settings import crawl_settings
from crawlers.sources.schema import SourceConfig
from crawlers.spiders.ad import AdSpider
from crawlers.spiders.source import SourceSpider
from fairwatch.app import analyzer_lookup, open_database, open_search_index
from fairwatch.errors import CrawlError
from fairwatch.frontier import DatabaseFrontier
from fairwatch.operator import notify_operator
from fairwatch.pipeline import DocumentPipeline
from fairwatch.settings import Settings
from fairwatch.store_process import StoreProcess
from storage import repository
from storage.db import Database
from storage.errors import StorageError
from storage.repository import crawl_state
from storage.search.base import SearchIndex

logger = logging.getLogger(__name__)

T = TypeVar("T")
MODES = ("single", "auto", "backfill", "incremental")
REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


@dataclass
class CrawlOutcome:
    source_id: str
    run_id: int
    status: str  # succeeded | partial | failed
    reason: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)

    def count(self, key: str) -> int:
        value = self.stats.get(f"fairwatch/{key}", 0)
        return value if isinstance(value, int) else 0

    @property
    def documents(self) -> int:
        return self.count("items_new") + self.count("items_changed") + self.count("items_unchanged")

    def summary(self) -> str:
        line = (
            f"{self.source_id}: {self.status}; {self.documents} documents crawled "
            f"({self.count('items_new')} new, {self.count('items_changed')} changed, "
            f"{self.count('items_unchanged')} unchanged), {self.count('items_flagged')} flagged; "
            f"{self.count('pages_fetched')} pages fetched, {self.count('pages_skipped')} skipped "
            f"({self.count('pages_skipped/not_modified') + self.count('pages_skipped/unchanged')}"
            f" unchanged), {self.count('pages_failed')} failed"
        )
        return line + (f": {self.reason}" if self.reason else "")


_reactor_used = False


def run_in_reactor(main: Callable[[], Awaitable[T]], *, log_level: str = "INFO") -> T:
    """Install the asyncio reactor, run the coroutine function main in it, return its result.

    Once per process: a Twisted reactor cannot be restarted (CrawlError on a second call).
    """
    global _reactor_used
    if _reactor_used:
        raise CrawlError("a crawl already ran in this process (a Twisted reactor cannot restart)")
    _reactor_used = True
    from scrapy.utils.log import configure_logging
    from scrapy.utils.reactor import install_reactor

    install_reactor(REACTOR)
    from twisted.internet import defer, reactor
    from twisted.python.failure import Failure

    configure_logging(
        {"LOG_LEVEL": log_level, "LOG_FORMAT": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    if log_level.upper() != "DEBUG":
        # Scrapy's start-up listings drown the progress lines; our own loggers stay at INFO.
        logging.getLogger("scrapy").setLevel(logging.WARNING)
    results: list[Any] = []

    def done(result: Any) -> None:
        results.append(result)
        reactor.stop()

    def begin() -> None:
        # An asyncio task, so it can await the asyncio tasks of AsyncCrawlerRunner.
        defer.Deferred.fromFuture(asyncio.ensure_future(main())).addBoth(done)

    reactor.callWhenRunning(begin)
    # Twisted replaces the SIGINT/SIGTERM handlers; put ours back once the reactor stops so
    # Ctrl-C still works afterwards (the demo keeps serving after its crawl).
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        reactor.run(installSignalHandlers=True)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if not results:  # the reactor was stopped from outside (Ctrl-C, SIGTERM)
        raise CrawlError("crawl interrupted before it finished; its run stays 'running'")
    (result,) = results
    if isinstance(result, Failure):
        raise CrawlError(f"crawl aborted: {result.value}") from result.value
    return result


def crawl_sources(
    settings: Settings, sources: list[SourceConfig], **options: Any
) -> list[CrawlOutcome]:
    """Crawl each source in turn into the settings' database and index; once per process.

    options are those of crawl_sources_async: limit, mode, scrapy_overrides, db, index,
    alerts. Alerts are queued as findings are stored; sending them is `deliver_alerts`' job.
    """
    # Bind now so that a wrong keyword fails here rather than inside the running reactor.
    inspect.signature(crawl_sources_async).bind(settings, sources, **options)
    main = functools.partial(crawl_sources_async, settings, sources, **options)
    return run_in_reactor(main, log_level=settings.log_level)


async def crawl_sources_async(
    settings: Settings,
    sources: list[SourceConfig],
    *,
    limit: int | None = None,
    mode: str = "single",
    scrapy_overrides: dict[str, Any] | None = None,
    db: Database | None = None,
    index: SearchIndex | None = None,
    alerts: AlertsConfig | None = None,
) -> list[CrawlOutcome]:
    """crawl_sources inside a running asyncio reactor (see run_in_reactor)."""
    if mode not in MODES:
        raise CrawlError(f"unknown crawl mode {mode!r}; expected one of {', '.join(MODES)}")
    alerts = alerts or config_from_settings(settings)
    db = db or open_database(settings)
    index = index if index is not None else open_search_index(settings)
    _prepare_index(index)
    analyzers = analyzer_lookup()
    outcomes = []
    for source in sources:
        outcomes.append(
            await _crawl_one(
                settings, source, db, index, analyzers, limit, scrapy_overrides, alerts, mode
            )
        )
    return outcomes


def deliver_alerts(
    settings: Settings, alerts: AlertsConfig, *, db: Database | None = None
) -> DeliveryReport:
    """Send the alerts that are due (the end of `fairwatch crawl` and `demo`)."""
    own = db is None
    db = db or open_database(settings)
    try:
        return deliver_due(db, alerts, policy=DeliveryPolicy.from_settings(settings))
    finally:
        if own:
            db.close()


def record_source(db: Database, source: SourceConfig) -> None:
    """The source's row, created or brought up to date with its file, before a run of it."""
    repository.ensure_source(
        db,
        source.id,
        name=source.name,
        issuer=source.issuer,
        region=source.region,
        kind=source.kind,
        platform=source.platform,
    )


def _operator_crawl_failed(
    db: Database, alerts: AlertsConfig, source_id: str, run_id: int, reason: str | None
) -> None:
    try:
        # One alert per failure episode: runs that fail one after another since the same good
        # run are one problem to fix; the first failure after a good run is news again.
        good = [
            run.id
            for status in ("succeeded", "partial")
            for run in repository.list_runs(db, source_id=source_id, status=status, limit=1)
        ]
        episode = max(good) if good else "start"
        notify_operator(
            db,
            kind="crawl_failed",
            message=f"来源 {source_id} 的采集（运行 {run_id}）失败：{reason or '原因未记录'}",
            source_id=source_id,
            dedup_key=f"crawl_failed:{source_id}:after:{episode}",
            details={"run_id": run_id, "reason": reason},
            config=alerts,
        )
    except StorageError:  # the run itself is recorded failed; do not lose the other sources
        logger.exception("could not queue the operator alert for run %d", run_id)


def _prepare_index(index: SearchIndex) -> None:
    """Create the search index before the first document reaches it.

    Elasticsearch refuses to auto-create it, so without this a first crawl would leave every
    document pending. An index that cannot be reached is no reason to skip the crawl:
    documents are stored and their index stage waits for `fairwatch index sync`.
    """
    try:
        index.ensure()
    except StorageError as exc:
        logger.warning(
            "search index unavailable; documents will be stored and indexed later by "
            "`fairwatch index sync`: %s",
            exc,
        )


async def _crawl_one(
    settings: Settings,
    source: SourceConfig,
    db: Database,
    index: SearchIndex | None,
    analyzers: Any,
    limit: int | None,
    overrides: dict[str, Any] | None,
    alerts: AlertsConfig,
    mode: str = "single",
) -> CrawlOutcome:
    from scrapy.crawler import AsyncCrawlerRunner, Crawler

    record_source(db, source)
    if mode == "auto":
        backfilled = crawl_state.backfill_state(db, source.id).backfill == "done"
        mode = "incremental" if backfilled else "backfill"
    run_id = repository.start_run(
        db, source.id, host=socket.gethostname(), pid=os.getpid(), mode=mode
    )
    if mode == "backfill":
        crawl_state.set_backfill(db, source.id, "running", run_id=run_id)
    sink = DocumentPipeline(
        db,
        run_id=run_id,
        index=index,
        analyzer_for=analyzers,
        index_batch=settings.crawl_index_batch,
        after_findings=finding_hook(alerts, console_url=settings.console_url),
    )
    retried: dict[str, int] = {}
    if mode != "single":
        # Stages a crashed crawl left pending (analysis, index) are redone first.
        retried = sink.retry_pending()
        if any(retried.values()):
            logger.info("%s: redid pending stages %s", source.id, retried)
    frontier = DatabaseFrontier(db, run_id=run_id)
    store: StoreProcess | None = None
    if source.kind == "policy" and settings.crawl_store_process:
        # Storing, analysis, alerts, index and frontier writes off the reactor's GIL.
        # Ad pages come from a browser at a few per second and carry screenshots: the
        # reactor is not what holds them back, so they keep the store thread.
        # The analyzer is built (rule packs, dictionaries: seconds) before the fork, so the
        # store process inherits it instead of building it while pages queue up.
        analyzers(source.kind).analyze("预热")
        store = StoreProcess(sink, frontier)
    ours = {
        "FAIRWATCH_SINK": sink if store is None else store.sink,
        "FAIRWATCH_FRONTIER": frontier if store is None else store.frontier,
        "FAIRWATCH_PROGRESS_INTERVAL": settings.crawl_progress_interval,
        "FAIRWATCH_RETRY_BACKOFF_BASE": settings.crawl_retry_backoff,
        "LOG_LEVEL": settings.log_level,
    }
    values = crawl_settings(source, **{**ours, **(overrides or {})})
    spider_cls = AdSpider if source.kind == "ad" else SourceSpider
    spider_args: dict[str, Any] = {"source": source, "limit": limit}
    if spider_cls is SourceSpider:
        spider_args.update(mode=mode, backfill_max_pages=settings.crawl_backfill_max_pages)
    crawler = Crawler(spider_cls, values)
    runner = AsyncCrawlerRunner(values)
    logger.info(
        "crawling %s (run %d, %s) from %s", source.id, run_id, mode, ", ".join(source.start_urls)
    )
    if not source.verified:
        logger.warning(
            "source %s is unverified: its rules were written from the site's public page "
            "structure and have not been confirmed by a live crawl; check what it stores",
            source.id,
        )
    try:
        await runner.crawl(crawler, **spider_args)
    except Exception as exc:
        if store is not None:
            await store.shutdown()
        logger.exception("crawl of %s crashed", source.id)
        info = repository.finish_run(db, run_id, "failed", reason=f"crawler crashed: {exc}")
        _operator_crawl_failed(db, alerts, source.id, run_id, info.reason)
        return CrawlOutcome(source.id, run_id, "failed", info.reason)
    if store is not None:
        await store.shutdown()  # returns once every document sent is stored, analyzed and indexed
    crawler_stats = crawler.stats.get_stats() if crawler.stats else {}
    if source.kind == "ad":
        crawler_stats.update(_read_media(settings, db, source.id, analyzers, alerts))
        # Findings read from media changed what the index holds for those versions.
        if index is not None:
            sink.index_versions(repository.pending_versions(
                db, "index", include_failed=False, source_id=source.id))
    for stage, count in retried.items():
        if count:
            crawler_stats[f"fairwatch/resumed_stages/{stage}"] = count
    status, reason, stats = finish_crawl_run(db, run_id, crawler_stats)
    if mode == "backfill":
        _close_backfill(db, source.id, run_id, status, stats)
    outcome = CrawlOutcome(source.id, run_id, status, reason, stats)
    logger.info("%s", outcome.summary())
    if status == "failed":
        _operator_crawl_failed(db, alerts, source.id, run_id, reason)
    return outcome


def _read_media(
    settings: Settings, db: Database, source_id: str, analyzers: Any, alerts: AlertsConfig
) -> dict[str, Any]:
    """The media stage for what this crawl stored; its problems never fail the crawl."""
    from fairwatch.media_stage import MediaStage
    from media import MediaError

    try:
        stage = MediaStage.from_settings(
            db, settings, analyzer_for=analyzers,
            after_findings=finding_hook(alerts, console_url=settings.console_url),
        )
    except MediaError as exc:  # e.g. the OCR engine missing: stages stay pending for later
        logger.error("%s: media stage disabled: %s", source_id, exc)
        return {"fairwatch/media/disabled": str(exc)}
    return stage.run(source_id=source_id).as_stats()


def _close_backfill(
    db: Database, source_id: str, run_id: int, status: str, stats: dict[str, Any]
) -> None:
    """The archive is fetched once a backfill ran through every list page it found."""
    unfinished = crawl_state.frontier(db, source_id, "list")
    if status == "failed" or stats.get("fairwatch/list_pages_failed") or unfinished:
        logger.warning(
            "%s: backfill not complete yet (%d list page(s) left); the next run goes on",
            source_id,
            len(unfinished),
        )
        crawl_state.set_backfill(db, source_id, "pending")
        return
    crawl_state.set_backfill(db, source_id, "done", run_id=run_id)
    logger.info("%s: whole archive fetched; later runs are incremental", source_id)


def run_summary(stats: dict[str, Any]) -> dict[str, int]:
    """The headline counts of a run (pages, new, changed, ..., bytes) from its stats."""

    def count(key: str) -> int:
        value = stats.get(key, 0)
        return value if isinstance(value, int) else 0

    problems = sum(
        v
        for k, v in stats.items()
        if isinstance(v, int)
        and (k == "fairwatch/pages_failed" or k.startswith(_PROBLEM_PREFIXES))
    )
    return {
        "pages": count("fairwatch/pages_fetched"),
        "items_new": count("fairwatch/items_new"),
        "items_changed": count("fairwatch/items_changed"),
        "items_unchanged": count("fairwatch/items_unchanged"),
        "skipped": count("fairwatch/pages_skipped"),
        "error_count": problems,
        "bytes": count("downloader/response_bytes"),
    }


_PROBLEM_PREFIXES = (
    "fairwatch/drop_reason/",
    "fairwatch/stage_failed/",
    "fairwatch/attachments/failed/",
)


def finish_crawl_run(
    db: Database,
    run_id: int,
    crawler_stats: dict[str, Any],
    *,
    extra_errors: Iterable[dict[str, Any]] = (),
) -> tuple[str, str | None, dict[str, Any]]:
    """Close a crawl run from its Scrapy stats: status, reason, counts and errors.

    extra_errors are appended to the errors read from the stats. Returns the status, the
    reason and the JSON-safe stats that were stored as the run's counts.
    """
    stats = _json_safe(crawler_stats)
    status, reason = _run_status(stats)
    errors = _errors(stats) + list(extra_errors)
    repository.finish_run(
        db,
        run_id,
        status,
        counts=stats,
        errors=errors,
        reason=reason,
        summary=run_summary(stats),
    )
    return status, reason, stats


def _run_status(stats: dict[str, Any]) -> tuple[str, str | None]:
    if stats.get("fairwatch/status") == "failed":
        return "failed", stats.get("fairwatch/failure_reason")
    problems = sum(
        v
        for k, v in stats.items()
        if isinstance(v, int)
        and (
            k == "fairwatch/pages_failed"
            or k.startswith(
                (
                    "fairwatch/drop_reason/",
                    "fairwatch/stage_failed/",
                    "fairwatch/attachments/failed/",
                )
            )
        )
    )
    if problems:
        return (
            "partial",
            f"{problems} page(s), attachment(s) or step(s) failed; see the run's errors",
        )
    return "succeeded", None


def _errors(stats: dict[str, Any]) -> list[dict[str, Any]]:
    prefixes = (
        "fairwatch/pages_failed/",
        "fairwatch/drop_reason/",
        "fairwatch/stage_failed/",
        "fairwatch/attachments/failed/",
    )
    return [
        {"kind": k.removeprefix("fairwatch/"), "count": v}
        for k, v in sorted(stats.items())
        if k.startswith(prefixes)
    ]


def _json_safe(stats: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in stats.items():
        if isinstance(value, datetime | date):
            value = value.isoformat()
        elif not isinstance(value, int | float | str | bool | type(None)):
            value = str(value)
        out[key] = value
    return out
