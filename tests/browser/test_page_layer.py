"""The page layer against real Chromium: expanding feeds, waiting by selector, releasing
pages on failure (fault injection, bounded by asyncio.wait_for so a leak fails instead of
hanging), context recycling and a browser crash in the middle of a crawl."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import psutil
import pytest
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, async_playwright

from crawlers.browser.blocking import block_images, should_abort_request
from crawlers.browser.errors import ContentMissingError
from crawlers.browser.page_methods import expand, wait_for_content
from crawlers.browser.rules import AdRules, ExpandRules
from crawlers.browser.settings import browser_settings
from crawlers.live import LiveRoomWatch
from storage import repository
from storage.db import Database
from tests.browser.harness import run_crawl
from tests.site.platform.content import FEED_PAGE, FEED_TOTAL

pytestmark = pytest.mark.browser
LIMIT = 60.0  # seconds any single browser scenario may take


def in_browser(fn: Callable[[Page, Any], Awaitable[Any]]) -> Any:
    """Run fn(page, context) in a fresh Chromium, bounded by LIMIT seconds."""

    async def scenario() -> Any:
        launch = browser_settings()["PLAYWRIGHT_LAUNCH_OPTIONS"]
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(**launch)
            try:
                context = await browser.new_context()
                page = await context.new_page()
                return await fn(page, context)
            finally:
                await browser.close()

    return asyncio.run(asyncio.wait_for(scenario(), LIMIT))


def test_scroll_feed_until_the_end_marker(platform_site: str) -> None:
    async def go(page: Page, _: Any) -> tuple[int, int]:
        await page.goto(platform_site + "/platform/feed/main")
        await wait_for_content(page, ".feed-item", 10_000)
        capped = await expand(page, ExpandRules(mode="scroll", item=".feed-item", max_rounds=2))
        rest = await expand(page, ExpandRules(mode="scroll", item=".feed-item", end=".no-more"))
        return capped, rest

    capped, total = in_browser(go)
    assert capped == 3 * FEED_PAGE  # the first page plus two rounds: the cap holds
    assert total == FEED_TOTAL


def test_load_more_button_until_it_disappears(platform_site: str) -> None:
    async def go(page: Page, _: Any) -> int:
        await page.goto(platform_site + "/platform/feed/main?mode=button")
        await wait_for_content(page, ".feed-item", 10_000)
        rules = ExpandRules(mode="load_more", item=".feed-item", button=".load-more")
        return await expand(page, rules)

    assert in_browser(go) == FEED_TOTAL


def test_missing_content_is_a_named_error(platform_site: str) -> None:
    async def go(page: Page, _: Any) -> None:
        await page.goto(platform_site + "/platform/seeding/empty")
        await wait_for_content(page, ".note-content p", 1_500)

    with pytest.raises(ContentMissingError, match=r"'\.note-content p' did not appear") as err:
        in_browser(go)
    assert err.value.reason == "content_missing"
    assert err.value.url.endswith("/platform/seeding/empty")


def test_live_watch_releases_its_page_when_the_page_dies(platform_site: str) -> None:
    """Fault injection: the room's page is closed under the watch after the first poll."""
    rules = AdRules(
        wait_for=".transcript .line",
        fields={"transcript": ".transcript .line", "danmaku": ".danmaku .msg"},
        screenshot=False,
    )

    async def go(page: Page, context: Any) -> tuple[int, type, int]:
        await page.goto(platform_site + "/platform/live/room-5?session=fault&tick=0.2")
        await wait_for_content(page, rules.wait_for, 10_000)
        watch = LiveRoomWatch(page, page.url, rules, poll_seconds=0.3, window_seconds=30)
        seen = 0
        raised: type = type(None)
        try:
            async for _ in watch.increments():
                seen += 1
                await page.close()  # the injected failure: renderer or tab gone
        except PlaywrightError as exc:
            raised = type(exc)
        finally:
            await watch.close()  # must tolerate the page being closed already
        return seen, raised, len(context.pages)

    seen, raised, open_pages = in_browser(go)
    assert seen == 1
    assert issubclass(raised, PlaywrightError)
    assert open_pages == 0


def _bench_source(ad_source: Any, site: str, pages: int) -> Any:
    urls = tuple(f"{site}/platform/bench/{n}" for n in range(pages))
    return ad_source("ad_seeding", start_urls=urls, id="ad_bench")


def test_contexts_are_recycled_and_their_slot_released(
    ad_source: Any, platform_site: str, tmp_path
) -> None:
    # One context slot only: a retired context that were never closed would block the
    # next one forever, and the harness timeout would fail the test.
    source = _bench_source(ad_source, platform_site, 7)
    outcome = run_crawl(
        [source],
        tmp_path,
        browser={"FAIRWATCH_BROWSER_MAX_CONTEXTS": 1, "FAIRWATCH_BROWSER_RECYCLE_PAGES": 2},
        timeout=120,
    )
    stats = outcome.stats["ad_bench"]
    assert len(outcome.items) == 7
    assert stats["playwright/context_count"] == 4  # 2 + 2 + 2 + 1 pages
    assert stats["fairwatch/browser/contexts_recycled"] == 3
    assert stats["playwright/context_count/max_concurrent"] == 1


def test_a_browser_crash_mid_crawl_is_retried_not_fatal(
    ad_source: Any, platform_site: str, tmp_path
) -> None:
    source = _bench_source(ad_source, platform_site, 8)
    killed: list[int] = []

    def kill_browser(_record: Any) -> None:
        if killed:
            return
        me = psutil.Process()
        for proc in me.children(recursive=True):
            try:
                cmd = proc.cmdline()
            except psutil.Error:
                continue
            # The browser process itself (its helpers carry --type=renderer, gpu, ...).
            if cmd and "chromium" in cmd[0] and not any(a.startswith("--type=") for a in cmd):
                proc.kill()
                killed.append(proc.pid)

    outcome = run_crawl(
        [source],
        tmp_path,
        browser={"FAIRWATCH_BROWSER_CONCURRENCY": 1, "FAIRWATCH_BROWSER_MAX_PAGES_PER_CONTEXT": 1},
        on_item=kill_browser,
        timeout=150,
    )
    assert killed, "no Chromium browser process found to kill"
    stats = outcome.stats["ad_bench"]
    assert stats["playwright/browser_count"] >= 2  # relaunched after the crash
    db = Database(tmp_path / "fairwatch.db")
    try:
        stored = repository.list_documents(db, source_id="ad_bench", limit=20).items
        run = repository.get_run(db, outcome.runs["ad_bench"])
    finally:
        db.close()
    # Pages after the crash were rendered by the new browser; at most the page in flight
    # when it died is recorded as failed, with its reason.
    assert len(stored) >= 7, (len(stored), stats.get("fairwatch/ad/failures"))
    assert run.status in ("succeeded", "partial")
    assert stats.get("fairwatch/pages_failed", 0) == 8 - len(stored)


def _failed_requests(site: str, *, block_img: bool) -> set[str]:
    async def go(page: Page, _: Any) -> set[str]:
        failed: set[str] = set()
        page.on("requestfailed", lambda r: failed.add(r.url.rsplit(".", 1)[1]))

        async def handler(route: Any) -> None:  # what scrapy-playwright does with the setting
            if should_abort_request(route.request):
                await route.abort()
            else:
                await route.continue_()

        await page.route("**/*", handler)
        if block_img:
            await block_images(page)
        await page.goto(site + "/platform/static/heavy.html", wait_until="load")
        await page.wait_for_load_state("networkidle")
        return failed

    return in_browser(go)


def test_heavy_resources_are_aborted(platform_site: str) -> None:
    """Fonts and media always; images only where no screenshot is kept."""
    assert _failed_requests(platform_site, block_img=False) == {"woff2", "mp4"}
    assert _failed_requests(platform_site, block_img=True) == {"woff2", "mp4", "png"}
