"""Unit tests of the browser path's parts that need no browser: rules, settings, errors,
capture and the live-room line bookkeeping."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright._impl._errors import Error as PlaywrightError
from playwright._impl._errors import TargetClosedError
from playwright._impl._errors import TimeoutError as PlaywrightTimeoutError
from pydantic import ValidationError
from scrapy import Request

from crawlers.browser.capture import capture
from crawlers.browser.errors import (
    BrowserConfigError,
    BrowserError,
    BrowserUnavailableError,
    NavigationTimeoutError,
    RendererCrashedError,
    map_playwright_error,
)
from crawlers.browser.recycle import ContextRecycleMiddleware
from crawlers.browser.rules import AdRules
from crawlers.browser.settings import CHROMIUM_ARGS, browser_settings, with_browser
from crawlers.live import LiveRoomWatch
from crawlers.sources import SourceConfigError, load_source_file

RULES = AdRules(
    wait_for=".note",
    fields={
        "title": "h1",
        "author": ".who",
        "text": ".body",
        "published": "time@datetime",
        "comments": ".c",
        "danmaku": ".dm",
        "transcript": ".tr",
    },
    products={"item": ".card", "link": "a@href"},
)
HTML = """<html><body><div class="note"><h1> 标题 </h1><span class="who">主播A</span>
<time datetime="2026-11-20T20:15:00+08:00">11-20</time>
<div class="body"><p>第一段</p><p>第二段</p></div>
<div class="card"><span class="name">面霜</span><span class="price">¥99</span>
<a href="/p/1">买</a></div>
<ul><li class="c">评论一</li><li class="c"> </li></ul>
<ol><li class="tr" data-seq="0" data-speaker="主播A" data-at="10:00:00">今天开播</li>
<li class="tr" data-seq="2">第二句</li></ol>
<ul><li class="dm" data-seq="1">666</li></ul></div></body></html>"""


def test_capture_reads_every_field() -> None:
    cap = capture(HTML, "http://x/p", RULES)
    assert cap.title == "标题"
    assert cap.author == "主播A"
    assert cap.published == "2026-11-20T20:15:00+08:00"
    assert cap.text == "第一段\n第二段"
    assert [(p.name, p.price, p.link) for p in cap.products] == [("面霜", "¥99", "/p/1")]
    assert cap.comments == ["评论一"]
    assert [(t.key, t.text, t.speaker, t.at) for t in cap.transcript] == [
        ("0", "今天开播", "主播A", "10:00:00"),
        ("2", "第二句", "", ""),
    ]
    assert [d.key for d in cap.danmaku] == ["1"]
    # The analyzer reads the advertiser's words; viewers' comments and danmaku stay aside.
    assert "评论一" not in cap.body and "666" not in cap.body
    assert "面霜 ¥99 /p/1" in cap.body and "[10:00:00] 主播A: 今天开播" in cap.body


def test_live_watch_keeps_only_new_lines() -> None:
    watch = LiveRoomWatch(None, "http://x/live", RULES, poll_seconds=1, window_seconds=5)  # type: ignore[arg-type]
    first = watch.new_part(capture(HTML, "http://x/live", RULES))
    assert first is not None and [t.key for t in first.transcript] == ["0", "2"]
    assert first.products  # the first increment carries the product cards
    assert watch.new_part(capture(HTML, "http://x/live", RULES)) is None  # nothing new
    grown = HTML.replace("</ol>", '<li class="tr" data-seq="4">新的一句</li></ol>')
    later = watch.new_part(capture(grown, "http://x/live", RULES))
    assert later is not None and [t.text for t in later.transcript] == ["新的一句"]
    assert later.danmaku == [] and later.products == []


def test_live_watch_rejects_a_non_positive_window() -> None:
    with pytest.raises(ValueError, match="positive"):
        LiveRoomWatch(None, "u", RULES, poll_seconds=0, window_seconds=5)  # type: ignore[arg-type]


def test_rules_name_the_bad_field() -> None:
    with pytest.raises(ValidationError) as err:
        AdRules(wait_for=".x", fields={"title": "h1@"}, expand={"mode": "load_more", "item": ".i"})
    text = str(err.value)
    assert "fields.title" in text and "@attribute" in text
    assert "mode load_more requires button" in text
    with pytest.raises(ValidationError, match="Extra inputs"):
        AdRules(wait_for=".x", wiat_for=".y")


def test_images_blocked_only_without_screenshot() -> None:
    assert not AdRules(wait_for=".x").images_blocked
    assert AdRules(wait_for=".x", screenshot=False).images_blocked
    assert not AdRules(wait_for=".x", screenshot=False, block_images=False).images_blocked


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ("platform: douyin\nad: {wait_for: .x}\n", "", "platform must be one of livestream"),
        ("platform: seeding\n", "", "requires an `ad:` block"),
        (
            "platform: seeding\nad: {wait_for: .x, screenshoot: true}\n",
            "ad.screenshoot",
            "unknown field",
        ),
        (
            "platform: seeding\nad: {wait_for: .x, live: {poll_seconds: 0}}\n",
            "ad.live.poll_seconds",
            "greater than 0",
        ),
    ],
)
def test_ad_source_file_errors_name_file_line_and_field(
    tmp_path: Path, body: str, field: str, message: str
) -> None:
    path = tmp_path / "ad_bad.yaml"
    path.write_text(
        "id: ad_bad\nname: n\nissuer: i\nregion: r\nkind: ad\nbrowser: true\n"
        "start_urls: ['http://127.0.0.1/x']\n" + body,
        encoding="utf-8",
    )
    with pytest.raises(SourceConfigError) as err:
        load_source_file(path)
    problems = err.value.problems
    assert any(message in p.message and p.field == field for p in problems), problems
    assert all(p.file == path for p in problems)
    if field:
        assert next(p for p in problems if p.field == field).line == 9  # the `ad:` line


def test_shipped_ad_sources_are_valid() -> None:
    repo = Path(__file__).resolve().parents[2]
    files = sorted((repo / "config" / "sources").glob("ad_*.yaml"))
    assert len(files) >= 5
    platforms = {load_source_file(f).platform for f in files}
    assert {"seeding", "advertorial", "ecommerce", "livestream"} <= platforms


def test_browser_settings() -> None:
    s = browser_settings()
    handler = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
    assert s["DOWNLOAD_HANDLERS"] == {"http": handler, "https": handler}
    assert s["TWISTED_REACTOR"] == "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
    launch = s["PLAYWRIGHT_LAUNCH_OPTIONS"]
    assert launch["executable_path"] == "/usr/bin/chromium"
    assert set(CHROMIUM_ARGS) <= set(launch["args"])
    assert "--disable-background-networking" in launch["args"]
    assert s["EXTENSIONS"]["scrapy.extensions.memusage.MemoryUsage"] is None
    assert "crawlers.browser.memusage.BrowserMemoryUsage" in s["EXTENSIONS"]
    assert s["PLAYWRIGHT_ABORT_REQUEST"] == "crawlers.browser.blocking.should_abort_request"
    assert s["PLAYWRIGHT_MAX_CONTEXTS"] == 2 and s["PLAYWRIGHT_MAX_PAGES_PER_CONTEXT"] == 4


def test_browser_settings_reject_bad_values() -> None:
    with pytest.raises(BrowserConfigError, match="FAIRWATCH_BROWSER_RECYCLE_PAGE.*known"):
        browser_settings(FAIRWATCH_BROWSER_RECYCLE_PAGE=3)
    with pytest.raises(
        BrowserConfigError, match="MAX_CONTEXTS: expected a positive integer, received 0"
    ):
        browser_settings(FAIRWATCH_BROWSER_MAX_CONTEXTS=0)


def test_with_browser_merges_components() -> None:
    base = {
        "DOWNLOADER_MIDDLEWARES": {"a.B": 500},
        "EXTENSIONS": {"c.D": 10},
        "CONCURRENT_REQUESTS": 16,
    }
    merged = with_browser(base)
    assert merged["DOWNLOADER_MIDDLEWARES"]["a.B"] == 500
    assert "crawlers.browser.recycle.ContextRecycleMiddleware" in merged["DOWNLOADER_MIDDLEWARES"]
    assert merged["EXTENSIONS"]["c.D"] == 10
    assert merged["CONCURRENT_REQUESTS"] == 16


@pytest.mark.parametrize(
    ("exc", "expected", "reason"),
    [
        (
            PlaywrightTimeoutError("Page.goto: Timeout 8000ms exceeded."),
            NavigationTimeoutError,
            "navigation_timeout",
        ),
        (TargetClosedError("Page.goto: Page crashed"), RendererCrashedError, "renderer_crashed"),
        (
            PlaywrightError("BrowserType.launch: Executable doesn't exist at /x"),
            BrowserUnavailableError,
            "browser_unavailable",
        ),
        (PlaywrightError("net::ERR_CONNECTION_REFUSED"), BrowserError, "browser_error"),
        (RuntimeError("boom"), BrowserError, "browser_error"),
    ],
)
def test_playwright_errors_are_mapped(exc: BaseException, expected: type, reason: str) -> None:
    mapped = map_playwright_error(exc, url="http://x/p")
    assert type(mapped) is expected
    assert mapped.reason == reason and mapped.url == "http://x/p" and "http://x/p" in str(mapped)


def test_recycler_moves_to_a_new_context_after_n_pages() -> None:
    mw = ContextRecycleMiddleware(2)
    names = []
    for n in range(5):
        req = Request(f"http://x/{n}", meta={"playwright": True})
        mw.process_request(req)
        names.append(req.meta["playwright_context"])
    assert names == ["recycle-0", "recycle-0", "recycle-1", "recycle-1", "recycle-2"]
    # Requests that keep their page or name their own context are not touched.
    live = Request("http://x/live", meta={"playwright": True, "playwright_include_page": True})
    own = Request("http://x/own", meta={"playwright": True, "playwright_context": "mine"})
    plain = Request("http://x/plain")
    for req in (live, own, plain):
        mw.process_request(req)
    assert "playwright_context" not in live.meta and own.meta["playwright_context"] == "mine"
    assert "playwright_context" not in plain.meta
    with pytest.raises(BrowserConfigError, match="RECYCLE_PAGES"):
        ContextRecycleMiddleware(0)


def test_memory_usage_counts_the_process_tree() -> None:
    from scrapy.utils.test import get_crawler

    from crawlers.browser.memusage import BrowserMemoryUsage, tree_rss

    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; b = bytearray(64 * 2**20); sys.stdin.read()"],
        stdin=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while tree_rss()[1] < 64 * 2**20 and time.monotonic() < deadline:
            time.sleep(0.05)  # the child is still allocating
        own, children = tree_rss()
        assert children >= 64 * 2**20
        crawler = get_crawler(settings_dict={"MEMUSAGE_ENABLED": True})
        ext = BrowserMemoryUsage.from_crawler(crawler)
        assert ext._get_total_playwright_process_memory() >= 64 * 2**20
        assert ext.get_virtual_size() >= children
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=10)


def test_main_fixture_site_mounts_the_platform_pages() -> None:
    import urllib.request

    from tests.site import FixtureSite

    with FixtureSite() as site:
        with urllib.request.urlopen(site.url + "/platform/seeding/1001", timeout=10) as resp:
            html = resp.read().decode("utf-8")
        with urllib.request.urlopen(site.url + "/platform/api/product/fund-9", timeout=10) as r:
            data = r.read().decode("utf-8")
    assert 'data-kind="seeding"' in html and "保本保息" in data
