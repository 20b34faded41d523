"""The steps a browser request runs after navigation, built from a source's AdRules.

1. wait for the content selector (a page whose scripts never render it is given up with
   ContentMissingError, never waited on by sleeping);
2. expand: scroll or click `load more` until no new item arrives within the round
   timeout, the end marker shows, or the cap of rounds;
3. a full-page PNG screenshot as evidence.

Each step is a scrapy-playwright PageMethod, so the handler closes the page on every path.
Their results are read back by name from `response.meta["playwright_page_methods"]`.
"""

from __future__ import annotations

import logging

from playwright.async_api import Page
from playwright.async_api import TimeoutError as PlaywrightTimeoutError
from scrapy_playwright.page import PageMethod

from crawlers.browser.errors import ContentMissingError
from crawlers.browser.rules import AdRules, ExpandRules

__all__ = ["SCREENSHOT", "expand", "page_methods", "wait_for_content"]

logger = logging.getLogger(__name__)

SCREENSHOT = "screenshot"
# True once more than n items match, or the end marker is present.
_MORE_OR_END = """([item, n, end]) =>
  document.querySelectorAll(item).length > n
  || (end !== null && document.querySelector(end) !== null)"""


async def wait_for_content(page: Page, selector: str, timeout_ms: float) -> None:
    try:
        await page.wait_for_selector(selector, state="attached", timeout=timeout_ms)
    except PlaywrightTimeoutError as exc:
        raise ContentMissingError(
            f"content selector {selector!r} did not appear within {timeout_ms:.0f} ms", url=page.url
        ) from exc


async def expand(page: Page, rules: ExpandRules) -> int:
    """Scroll or click until the feed stops growing; returns the number of items seen."""
    count = await page.locator(rules.item).count()
    for _ in range(rules.max_rounds):
        if rules.end and await page.locator(rules.end).count():
            break
        if rules.mode == "scroll":
            await page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        else:
            button = page.locator(rules.button or "").first
            if not await button.count() or not await button.is_visible():
                break
            await button.click(timeout=rules.round_timeout_ms)
        try:
            await page.wait_for_function(
                _MORE_OR_END, arg=[rules.item, count, rules.end], timeout=rules.round_timeout_ms
            )
        except PlaywrightTimeoutError:
            break  # nothing new within the round: the feed is exhausted
        count = await page.locator(rules.item).count()
    else:
        logger.info("stopped expanding %s at the cap of %d rounds", page.url, rules.max_rounds)
    return await page.locator(rules.item).count()


def page_methods(rules: AdRules, *, content_timeout_ms: float) -> dict[str, PageMethod]:
    methods = {"content": PageMethod(wait_for_content, rules.wait_for, content_timeout_ms)}
    if rules.expand is not None:
        methods["expand"] = PageMethod(expand, rules.expand)
    if rules.screenshot:
        methods[SCREENSHOT] = PageMethod("screenshot", full_page=True, type="png")
    return methods
