"""Browser path vs plain HTTP path on the same fixture pages, measured in the same run.

    .venv/bin/python bench/browser.py [--pages 1000] [--screenshot]

Serves the platform fixture site (tests/site/platform) on 127.0.0.1, then crawls
/platform/bench/0..N-1 twice, each in its own process: once through the ad spider on
scrapy-playwright with the system Chromium (scripts run, content captured), once with a
plain Scrapy spider that only fetches the same pages. While each crawl runs, the resident
memory (RSS) of its whole process tree (crawler, Playwright driver, Chromium processes)
is sampled every 100 ms, and PSS (shared pages divided among their users) every second.
Prints pages/s of both paths and their ratio, the peak memory of each path, and the
browser path's peak during its first 100 and its last 100 pages, which shows whether
memory grows with the number of pages (context recycling bounds it).
Summed RSS counts pages shared between Chromium processes more than once (an upper
bound); summed PSS is the tree's actual share of memory.
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SERVER = REPO / "tests" / "site" / "platform" / "server.py"
SAMPLE_SECONDS = 0.1
PSS_EVERY = 10  # samples
MB = 1024 * 1024


# -- child side: one crawl, one progress line per page ----------------------------------
def _child(path: str, site: str, pages: int, screenshot: bool) -> None:
    import scrapy
    from scrapy.crawler import CrawlerProcess

    from crawlers.browser.capture import capture
    from crawlers.browser.rules import AdRules
    from crawlers.browser.settings import with_browser
    from crawlers.sources.schema import SourceConfig
    from crawlers.spiders.ad import AdSpider

    urls = [f"{site}/platform/bench/{n}" for n in range(pages)]
    rules = AdRules(
        wait_for=".note-content p",
        fields={"title": ".note-title", "author": ".user-nickname", "text": ".note-content"},
        products={"item": ".goods-card", "link": "a.buy@href"},
        screenshot=screenshot,
    )
    done = {"pages": 0, "with_text": 0}

    def progress(has_text: bool) -> None:
        done["pages"] += 1
        done["with_text"] += has_text
        print(f"page {done['pages']}", flush=True)

    class CountPipeline:
        def process_item(self, item: object) -> object:
            progress(bool(getattr(item, "body", "")))
            return item

    class PlainSpider(scrapy.Spider):
        name = "plain"

        async def start(self):
            for url in urls:
                yield scrapy.Request(url, callback=self.parse, errback=self.failed)

        def parse(self, response):
            progress(bool(capture(response.text, response.url, rules).body))

        def failed(self, failure):
            progress(False)

    class BenchAdSpider(AdSpider):
        def record_failure(self, url, exc, cause=None):  # count it, then record as usual
            super().record_failure(url, exc, cause)
            progress(False)

    base = {
        "LOG_LEVEL": "ERROR",
        "ROBOTSTXT_OBEY": False,
        "TELNETCONSOLE_ENABLED": False,
        "CONCURRENT_REQUESTS": 8,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
        "DOWNLOAD_DELAY": 0,
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "ITEM_PIPELINES": {CountPipeline: 100},
    }
    if path == "browser":
        settings = with_browser(base, FAIRWATCH_BROWSER_CONCURRENCY=8)
        source = SourceConfig(
            id="bench",
            name="bench",
            issuer="bench",
            region="全国",
            kind="ad",
            platform="seeding",
            browser=True,
            start_urls=tuple(urls),
            ad=rules,
        )
        process = CrawlerProcess(settings)
        process.crawl(BenchAdSpider, source=source)
    else:
        process = CrawlerProcess(base)
        process.crawl(PlainSpider)
    process.start()
    print(f"summary {done['pages']} {done['with_text']}", flush=True)


# -- parent side: run both, sample memory ----------------------------------------------
@dataclass
class PathResult:
    name: str
    pages: int = 0
    with_text: int = 0
    seconds: float = 0.0
    samples: list[tuple[int, int]] = field(default_factory=list)  # (pages done, RSS bytes)
    pss: list[tuple[int, int]] = field(default_factory=list)  # (pages done, PSS bytes)

    @property
    def rate(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    def peak(self, lo: int = 0, hi: int | None = None, *, pss: bool = False) -> float:
        samples = self.pss if pss else self.samples
        values = [v for n, v in samples if n >= lo and (hi is None or n < hi)]
        return max(values) / MB if values else 0.0


def _tree_memory(proc, *, pss: bool = False) -> int:
    """RSS (or PSS: shared pages divided among their users) summed over the process tree."""
    import psutil

    total = 0
    try:
        family = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for p in family:
        with contextlib.suppress(psutil.Error):  # exited between listing and reading
            total += p.memory_full_info().pss if pss else p.memory_info().rss
    return total


def run_path(name: str, site: str, pages: int, screenshot: bool) -> PathResult:
    import psutil

    result = PathResult(name)
    args = [sys.executable, __file__, "--child", name, "--site", site, "--pages", str(pages)]
    if screenshot:
        args.append("--screenshot")
    started = time.monotonic()
    child = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, cwd=REPO)
    proc = psutil.Process(child.pid)
    stop = threading.Event()

    def sample() -> None:
        tick = 0
        while not stop.is_set():
            result.samples.append((result.pages, _tree_memory(proc)))
            if tick % PSS_EVERY == 0:  # reading smaps is slower: PSS once a second
                result.pss.append((result.pages, _tree_memory(proc, pss=True)))
            tick += 1
            stop.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert child.stdout is not None
    for line in child.stdout:
        if line.startswith("page "):
            result.pages = int(line.split()[1])
        elif line.startswith("summary "):
            _, total, with_text = line.split()
            result.pages, result.with_text = int(total), int(with_text)
    child.wait()
    result.seconds = time.monotonic() - started
    stop.set()
    sampler.join()
    child.stdout.close()
    if child.returncode != 0:
        raise SystemExit(f"{name} crawl exited with {child.returncode}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--screenshot", action="store_true", help="keep a PNG per page")
    parser.add_argument("--child", choices=("browser", "http"), help=argparse.SUPPRESS)
    parser.add_argument("--site", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.site, args.pages, args.screenshot)
        return
    if args.pages < 200:
        parser.error("--pages must be at least 200 (first and last 100 pages are compared)")
    server = subprocess.Popen([sys.executable, str(SERVER)], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        site = server.stdout.readline().strip()
        browser = run_path("browser", site, args.pages, args.screenshot)
        plain = run_path("http", site, args.pages, args.screenshot)
    finally:
        server.kill()
        server.wait()
    n = args.pages
    print(f"pages: {n} per path (fixture platform posts, content rendered by scripts)")
    for r in (browser, plain):
        print(
            f"{r.name:8s} {r.pages:5d} pages in {r.seconds:6.1f} s = {r.rate:6.1f} pages/s; "
            f"pages with captured text: {r.with_text}; peak memory of the crawler tree: "
            f"RSS {r.peak():7.1f} MB, PSS {r.peak(pss=True):7.1f} MB"
        )
    print(f"ratio browser/http pages/s: {browser.rate / plain.rate:.3f}")
    for kind, pss in (("RSS", False), ("PSS", True)):
        first, last = browser.peak(0, 100, pss=pss), browser.peak(n - 100, pss=pss)
        print(
            f"browser peak {kind} during pages 1-100: {first:.1f} MB; during pages "
            f"{n - 99}-{n}: {last:.1f} MB (last/first {last / first:.2f})"
        )


if __name__ == "__main__":
    main()
