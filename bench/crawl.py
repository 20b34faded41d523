"""Crawl throughput: the full fairwatch pipeline against a plain Scrapy spider, same run.

    .venv/bin/python bench/crawl.py [--pages 2000] [--concurrency 16] [--rounds 3]

Serves N generated TRS-style detail pages (plus their list pages) from the fixture site
in a subprocess on 127.0.0.1, then in one reactor, once per round:
  1. a plain Scrapy spider that only fetches the list and detail pages (the baseline);
  2. fairwatch's SourceSpider with everything on, into a fresh database and index:
     robots, encoding repair, conditional requests, extraction, store (SQLite), analyze,
     alert outbox, index (FTS5), frontier.
Both use the same concurrency, no delay and no AutoThrottle. Each round prints detail
pages per second for both, from the crawler's start to its close (for the full pipeline
the close waits until every document is stored, analyzed and indexed; the round then
checks the database's stage states say so), the time of the whole crawl call (opening
the database, building the analyzer in round 1, starting and stopping the store and
extraction processes), and CPU per page in this process and in its worker processes.
On a shared machine one pair can land on a busy moment: the result is the median ratio.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import scrapy  # noqa: E402
from scrapy.crawler import AsyncCrawlerRunner, Crawler  # noqa: E402

from crawlers.settings import DEFAULTS  # noqa: E402
from crawlers.sources.schema import SourceConfig  # noqa: E402
from fairwatch.app import open_database  # noqa: E402
from fairwatch.crawl import crawl_sources_async, run_in_reactor  # noqa: E402
from fairwatch.settings import load_settings  # noqa: E402
from storage import repository  # noqa: E402

GEN_PER_PAGE = 100  # tests/site/server.py GEN_PER_PAGE


class PlainSpider(scrapy.Spider):
    """Fetches the same list and detail pages and does nothing with them."""

    name = "plain"

    def __init__(self, site: str, pages: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.site = site
        self.lists = max(1, -(-pages // GEN_PER_PAGE))

    async def start(self):
        for n in range(self.lists):
            name = "index.html" if n == 0 else f"index_{n}.html"
            yield scrapy.Request(f"{self.site}/gen/{name}", callback=self.parse)

    def parse(self, response):
        for href in response.css("ul.list-ul a::attr(href)").getall():
            yield response.follow(href, callback=self.parse_detail)

    def parse_detail(self, response):
        self.crawler.stats.inc_value("bench/details")


def elapsed(stats: dict) -> float:
    start, finish = stats["start_time"], stats["finish_time"]
    if isinstance(start, str):
        from datetime import datetime

        start, finish = datetime.fromisoformat(start), datetime.fromisoformat(finish)
    return (finish - start).total_seconds()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def start_site(pages: int) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.site", "--generate", str(pages)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    url = proc.stdout.readline().strip()
    if not url.startswith("http://"):
        proc.kill()
        raise SystemExit(f"fixture site did not start (got {url!r})")
    return proc, url


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Round:
    plain_pages: int
    plain_seconds: float
    plain_cpu: float
    full_pages: int
    full_seconds: float  # crawler open to close: every page stored, analyzed and indexed
    full_call: float  # the whole crawl call: opening the database, the store process...
    full_cpu: float
    workers_cpu: float  # the store and extraction processes
    stored: int
    flagged: int
    stages: dict[str, dict[str, int]]

    @property
    def ratio(self) -> float:
        return (self.full_pages / self.full_seconds) / (self.plain_pages / self.plain_seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="plain then full crawls, each pair one round; the median ratio is the result",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="cProfile the full pipeline's reactor thread and print its top N functions"
        " (the store and extraction processes are not seen)",
    )
    args = parser.parse_args()
    profiler = cProfile.Profile() if args.profile else None
    proc, site = start_site(args.pages)
    common = {
        "CONCURRENT_REQUESTS": args.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
    }
    source = SourceConfig.model_validate(
        {
            "id": "bench-generated",
            "name": "generated pages",
            "issuer": "示例省人民政府",
            "region": "示例省",
            "start_urls": [f"{site}/gen/index.html"],
            "list": {"pagination": {"style": "next_link", "max_pages": 1000}},
            "politeness": {"concurrency": min(args.concurrency, 64), "delay": 0},
        }
    )
    plain_settings = {
        **DEFAULTS,
        **common,
        "DOWNLOADER_MIDDLEWARES": {},
        "ITEM_PIPELINES": {},
        "EXTENSIONS": {},
    }

    async def plain_crawl() -> tuple[int, float, float]:
        crawler = Crawler(PlainSpider, plain_settings)
        started = time.process_time()
        await AsyncCrawlerRunner(plain_settings).crawl(crawler, site=site, pages=args.pages)
        stats = crawler.stats.get_stats()
        return stats.get("bench/details", 0), elapsed(stats), time.process_time() - started

    async def full_crawl(tmp: Path) -> Round:
        # A fresh database and index each round: every page is new, as on a first crawl.
        settings = load_settings(
            data_dir=tmp,
            database_url="",
            search_url="",
            log_level="WARNING",
            crawl_progress_interval=0,
        )
        started, children, wall = time.process_time(), _children_cpu(), time.perf_counter()
        if profiler is not None:
            profiler.enable()
        (outcome,) = await crawl_sources_async(settings, [source], scrapy_overrides=common)
        if profiler is not None:
            profiler.disable()
        wall = time.perf_counter() - wall
        cpu, workers = time.process_time() - started, _children_cpu() - children
        stats = outcome.stats
        db = open_database(settings)
        try:
            stages = repository.stage_counts(db)
        finally:
            db.close()
        return Round(
            0, 0.0, 0.0,
            stats.get("fairwatch/detail_pages_fetched", 0), elapsed(stats), wall, cpu, workers,
            stats.get("fairwatch/items_new", 0), stats.get("fairwatch/items_flagged", 0), stages,
        )

    async def rounds() -> list[Round]:
        done = []
        for n in range(args.rounds):
            pages, seconds, cpu = await plain_crawl()
            with tempfile.TemporaryDirectory(prefix="fairwatch-bench-") as tmp:
                result = await full_crawl(Path(tmp))
            result.plain_pages, result.plain_seconds, result.plain_cpu = pages, seconds, cpu
            done.append(result)
            print(_round_line(n + 1, result), flush=True)
        return done

    print(f"fixture site: {args.pages} generated detail pages, concurrency {args.concurrency}")
    try:
        results = run_in_reactor(rounds, log_level="WARNING")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    median = statistics.median(r.ratio for r in results)
    print(f"ratio full / plain       : {median:.3f} (median of {len(results)} rounds)")
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
    for r in results:
        done = {stage: r.stages[stage]["done"] for stage in ("analysis", "index")}
        if {r.plain_pages, r.full_pages, r.stored, *done.values()} != {args.pages}:
            raise SystemExit(
                f"not every page was fetched, stored, analyzed and indexed ({done}):"
                " the figures above are not comparable"
            )


def _round_line(n: int, r: Round) -> str:
    plain_rate, full_rate = r.plain_pages / r.plain_seconds, r.full_pages / r.full_seconds
    return (
        f"round {n}: plain {r.plain_pages} pages in {r.plain_seconds:.2f}s = {plain_rate:.1f}/s"
        f" ({1000 * r.plain_cpu / max(r.plain_pages, 1):.1f} ms CPU/page);"
        f" full {r.full_pages} pages in {r.full_seconds:.2f}s = {full_rate:.1f}/s"
        f" ({r.stored} stored, {r.flagged} flagged, all analyzed and indexed at close;"
        f" whole call {r.full_call:.2f}s;"
        f" {1000 * r.full_cpu / max(r.full_pages, 1):.1f} ms CPU/page here"
        f" + {1000 * r.workers_cpu / max(r.full_pages, 1):.1f} in its worker processes)"
        f"; ratio {r.ratio:.3f}"
    )


if __name__ == "__main__":
    main()
