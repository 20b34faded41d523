"""Crawl throughput: the full fairwatch pipeline against a plain Scrapy spider, same run.

    .venv/bin/python bench/crawl.py [--pages 2000] [--concurrency 16]

Serves N generated TRS-style detail pages (plus their list pages) from the fixture site
in a subprocess on 127.0.0.1, then in one reactor:
  1. a plain Scrapy spider that only fetches the list and detail pages (the baseline);
  2. fairwatch's SourceSpider with everything on: robots, encoding repair, conditional
     requests, extraction, and per document store (SQLite) -> analyze -> index (FTS5).
Both use the same concurrency, no delay and no AutoThrottle. Prints detail pages per
second for both (from the crawler's start to its close, which for the full pipeline waits
until every document is stored, analyzed and indexed) and their ratio, the end-to-end time
of the full crawl call, and CPU per page in this process and in its worker processes
(the store process and the extraction pool).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import scrapy  # noqa: E402
from scrapy.crawler import AsyncCrawlerRunner, Crawler  # noqa: E402

from crawlers.settings import DEFAULTS  # noqa: E402
from crawlers.sources.schema import SourceConfig  # noqa: E402
from fairwatch.crawl import crawl_sources_async, run_in_reactor  # noqa: E402
from fairwatch.settings import load_settings  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="cProfile the full pipeline's reactor thread and print its top N functions"
        " (the store worker thread is not seen; profile DocumentPipeline.process for that)",
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
    try:
        with tempfile.TemporaryDirectory(prefix="fairwatch-bench-") as tmp:
            settings = load_settings(
                data_dir=Path(tmp),
                database_url="",
                search_url="",
                log_level="WARNING",
                crawl_progress_interval=0,
            )

            # CPU seconds of this process per phase (all threads): on a shared, loaded
            # machine these say more about the pipeline's own cost than the wall clock.
            cpu: dict[str, float] = {}
            wall: dict[str, float] = {}

            async def both() -> tuple[dict, dict]:
                plain_settings = {
                    **DEFAULTS,
                    **common,
                    "DOWNLOADER_MIDDLEWARES": {},
                    "ITEM_PIPELINES": {},
                    "EXTENSIONS": {},
                }
                crawler = Crawler(PlainSpider, plain_settings)
                started = time.process_time()
                await AsyncCrawlerRunner(plain_settings).crawl(crawler, site=site, pages=args.pages)
                cpu["plain"] = time.process_time() - started
                plain = crawler.stats.get_stats()
                started = time.process_time()
                children = _children_cpu()
                wall["full"] = time.perf_counter()
                if profiler is not None:
                    profiler.enable()
                (outcome,) = await crawl_sources_async(settings, [source], scrapy_overrides=common)
                if profiler is not None:
                    profiler.disable()
                wall["full"] = time.perf_counter() - wall["full"]
                cpu["full"] = time.process_time() - started
                # The store and extraction processes, waited for when the crawl closed them.
                cpu["workers"] = _children_cpu() - children
                return plain, outcome.stats

            plain, full = run_in_reactor(both, log_level="WARNING")
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    plain_pages = plain.get("bench/details", 0)
    full_pages = full.get("fairwatch/detail_pages_fetched", 0)
    stored = full.get("fairwatch/items_new", 0)
    plain_rate = plain_pages / elapsed(plain)
    full_rate = full_pages / elapsed(full)
    flagged = full.get("fairwatch/items_flagged", 0)
    print(f"fixture site: {args.pages} generated detail pages, concurrency {args.concurrency}")
    print(
        f"plain Scrapy, fetch only : {plain_pages:>5} pages in {elapsed(plain):7.2f}s"
        f" = {plain_rate:8.1f} pages/s"
    )
    print(
        f"fairwatch full pipeline  : {full_pages:>5} pages in {elapsed(full):7.2f}s"
        f" = {full_rate:8.1f} pages/s  ({stored} stored, {flagged} flagged)"
    )
    print(f"ratio full / plain       : {full_rate / plain_rate:.3f}")
    print(
        f"end to end               : {wall['full']:7.2f}s for the whole crawl call (opening the"
        f" database, building the analyzer, crawling, draining the store process)"
    )
    print(
        f"CPU of this process      : plain {1000 * cpu['plain'] / max(plain_pages, 1):.1f} ms/page,"
        f" full {1000 * cpu['full'] / max(full_pages, 1):.1f} ms/page"
        f" (+ {1000 * cpu['workers'] / max(full_pages, 1):.1f} ms/page in its worker processes)"
    )
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
    if plain_pages != args.pages or full_pages != args.pages or stored != args.pages:
        raise SystemExit(
            "not every page was fetched and stored: the figures above are not comparable"
        )


if __name__ == "__main__":
    main()
