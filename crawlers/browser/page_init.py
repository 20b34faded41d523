"""The page init callback of every browser request (meta `playwright_page_init_callback`).

It runs after scrapy-playwright creates the page and before navigation, and:
- blocks images when the request asks for it (`fairwatch_block_images`);
- refuses a document over the size limit (`fairwatch_max_response_bytes`): a HEAD request
  reads its declared length before the browser loads a byte of it (closing a page that is
  busy parsing hundreds of MB can hang), noting why in `request.meta["fairwatch_abort"]`
  for the errback. A body streamed without a length is bounded by the navigation timeout;
- notes a renderer crash the same way, so it is reported as such whatever call failed;
- tells the context recycler which context the page lives in
  (`fairwatch_context_sink(name, context)`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, Route
from scrapy import Request

from crawlers.browser.blocking import block_images
from crawlers.browser.errors import RendererCrashedError, ResponseTooLargeError

__all__ = ["INIT_CALLBACK", "init_page"]

logger = logging.getLogger(__name__)

INIT_CALLBACK = "crawlers.browser.page_init.init_page"
HEAD_TIMEOUT_MS = 10_000


def _document_guard(page: Page, request: Request, limit: int) -> Callable[[Route], Awaitable[None]]:
    """A route for the page's own document: HEAD it first and refuse it when too large."""

    async def guard(route: Route) -> None:
        if route.request.method == "GET" and route.request.frame == page.main_frame:
            declared = None
            try:
                head = await page.context.request.head(route.request.url, timeout=HEAD_TIMEOUT_MS)
                declared = head.headers.get("content-length")
                await head.dispose()
            except PlaywrightError as exc:  # no HEAD support: the navigation timeout bounds it
                logger.debug("HEAD %s failed: %s", route.request.url, exc)
            if declared and declared.isdigit() and int(declared) > limit:
                err = ResponseTooLargeError(int(declared), limit, url=route.request.url)
                request.meta["fairwatch_abort"] = err
                logger.warning("refusing %s: %s", route.request.url, err)
                # Not "aborted": scrapy-playwright reads ERR_ABORTED as a possible download.
                await route.abort("blockedbyclient")
                return
        await route.fallback()

    return guard


async def init_page(page: Page, request: Request) -> None:
    meta = request.meta
    if meta.get("fairwatch_block_images"):
        await block_images(page)

    def on_crash(crashed: Page) -> None:
        # The renderer died (memory, bug): say so, whatever error the pending call raises.
        meta["fairwatch_abort"] = RendererCrashedError(
            "the page's renderer process crashed", url=request.url
        )

    page.on("crash", on_crash)
    limit = meta.get("fairwatch_max_response_bytes")
    if limit:
        url = request.url
        await page.route(
            lambda candidate: candidate == url, _document_guard(page, request, int(limit))
        )
    sink = meta.get("fairwatch_context_sink")
    if sink is not None:
        sink(meta.get("playwright_context"), page.context)
