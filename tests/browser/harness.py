"""Run real ad-source crawls (Chromium included) in a child process, through the real sink.

Twisted's reactor runs once per process, so each call spawns a fresh process. There each
source gets a crawl run, the project's crawl settings plus the browser path, and the
application's DocumentPipeline (store -> analyze -> index) into the SQLite database and
FTS5 index under `data_dir`. Every record is also sent back to the test as soon as it
has been stored and analyzed, so a test can watch a live room's increments arrive while
the room is still being watched. Everything is bounded by a timeout: a hang fails the test.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storage.records import DocumentRecord

CHILD_TIMEOUT = 180.0
# Fast local crawls: no politeness delay, no robots.txt on the fixture platform.
TEST_OVERRIDES: dict[str, Any] = {
    # FAIRWATCH_TEST_CRAWL_LOG=DEBUG shows the child crawl's log when a test needs it.
    "LOG_LEVEL": os.environ.get("FAIRWATCH_TEST_CRAWL_LOG", "WARNING"),
    "ROBOTSTXT_OBEY": False,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "FAIRWATCH_PROGRESS_INTERVAL": 0,
    "FAIRWATCH_RETRY_BACKOFF_BASE": 0.1,
}


@dataclass
class CrawlOutcome:
    items: list[DocumentRecord] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)  # monotonic time each item arrived
    finished_at: float = 0.0  # monotonic time the crawl process reported its end
    stats: dict[str, dict[str, Any]] = field(default_factory=dict)  # source id -> stats
    runs: dict[str, int] = field(default_factory=dict)  # source id -> crawl run id


class ForwardPipeline:
    """Sends each stored record to the parent test process (after StorePipeline)."""

    queue: Any = None

    def process_item(self, item: Any) -> Any:
        if ForwardPipeline.queue is not None and isinstance(item, DocumentRecord):
            ForwardPipeline.queue.put(("item", item))
        return item


def _child(
    q: Any, sources: list[Any], data_dir: str, browser: dict[str, Any], extra: dict[str, Any]
) -> None:
    try:
        from scrapy.crawler import Crawler, CrawlerProcess
        from scrapy.utils.reactor import install_reactor

        from crawlers.browser.settings import with_browser
        from crawlers.settings import crawl_settings
        from crawlers.spiders.ad import AdSpider
        from fairwatch.app import analyzer_lookup, open_database, open_search_index
        from fairwatch.crawl import finish_crawl_run
        from fairwatch.pipeline import DocumentPipeline
        from fairwatch.settings import load_settings
        from storage import repository

        install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
        ForwardPipeline.queue = q
        settings = load_settings(data_dir=Path(data_dir), database_url="", search_url="")
        db = open_database(settings)
        index = open_search_index(settings)
        process = CrawlerProcess(
            {
                "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
                "LOG_LEVEL": TEST_OVERRIDES["LOG_LEVEL"],
                "LOG_INSTALL_ROOT_HANDLER": "FAIRWATCH_TEST_CRAWL_LOG" in os.environ,
            }
        )
        crawlers = []
        for source in sources:
            run_id = repository.start_run(db, source.id)
            sink = DocumentPipeline(db, run_id=run_id, index=index, analyzer_for=analyzer_lookup())
            values = (
                with_browser(
                    crawl_settings(source, FAIRWATCH_SINK=sink, **TEST_OVERRIDES), **browser
                )
                | extra
            )
            values["ITEM_PIPELINES"] = {
                **values["ITEM_PIPELINES"],
                "tests.browser.harness.ForwardPipeline": 900,
            }
            crawler = Crawler(AdSpider, values)
            crawlers.append((source.id, run_id, crawler))
            process.crawl(crawler, source=source)
        process.start()
        stats = {sid: dict(c.stats.get_stats()) for sid, _, c in crawlers}
        for _, run_id, c in crawlers:
            # The run is closed the way the crawl runner closes it: status, counts, errors.
            failures = c.stats.get_value("fairwatch/ad/failures") or []
            finish_crawl_run(db, run_id, c.stats.get_stats(), extra_errors=failures)
        q.put(("done", {"stats": stats, "runs": {sid: run_id for sid, run_id, _ in crawlers}}))
    except BaseException:  # noqa: BLE001 - reported to the parent, which fails the test
        q.put(("error", traceback.format_exc()))


def run_crawl(
    sources: list[Any],
    data_dir: Path,
    *,
    browser: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    on_item: Callable[[DocumentRecord], None] | None = None,
    timeout: float = CHILD_TIMEOUT,
) -> CrawlOutcome:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    args = (q, sources, str(data_dir), browser or {}, extra or {})
    proc = ctx.Process(target=_child, args=args, daemon=True)
    proc.start()
    outcome = CrawlOutcome()
    deadline = time.monotonic() + timeout
    try:
        for kind, payload in _messages(q, proc, deadline):
            if kind == "item":
                outcome.items.append(payload)
                outcome.arrivals.append(time.monotonic())
                if on_item is not None:
                    on_item(payload)
            elif kind == "done":
                outcome.finished_at = time.monotonic()
                outcome.stats = payload["stats"]
                outcome.runs = payload["runs"]
                break
            else:
                raise AssertionError(f"crawl failed in the child process:\n{payload}")
    finally:
        proc.join(timeout=15)
        if proc.is_alive():
            proc.kill()
            proc.join(timeout=5)
    return outcome


def _messages(q: Any, proc: Any, deadline: float) -> Iterator[tuple[str, Any]]:
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("crawl did not finish before the test's timeout")
        try:
            yield q.get(timeout=min(left, 1.0))
        except queue.Empty:
            if not proc.is_alive() and q.empty():
                raise AssertionError(
                    f"crawl process exited ({proc.exitcode}) without a result"
                ) from None
