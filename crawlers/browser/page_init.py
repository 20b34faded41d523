"""The page init callback of every browser request (meta `playwright_page_init_callback`).

It runs after scrapy-playwright creates the page and before navigation, and:
- blocks images when the request asks for it (`fairwatch_block_images`);
- abandons a document over the size limit (`fairwatch_max_response_bytes`) as soon as its
  headers declare it, noting why in `request.meta["fairwatch_abort"]` for the errback;
- notes a renderer crash the same way, so it is reported as such;
- tells the context recycler which context the page lives in
  (`fairwatch_context_sink(name, context)`).
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, Response
from scrapy import Request

from crawlers.browser.blocking import block_images
from crawlers.browser.errors import RendererCrashedError, ResponseTooLargeError

__all__ = ["INIT_CALLBACK", "init_page"]

logger = logging.getLogger(__name__)

INIT_CALLBACK = "crawlers.browser.page_init.init_page"
# Closing tasks are referenced here until done, so they are not garbage collected mid-way.
_pending: set[asyncio.Task] = set()


def _size_guard(page: Page, request: Request, limit: int):
    def on_response(response: Response) -> None:
        if (
            response.request.frame != page.main_frame
            or not response.request.is_navigation_request()
        ):
            return
        declared = response.headers.get("content-length")
        if declared is None or not declared.isdigit() or int(declared) <= limit:
            return
        err = ResponseTooLargeError(int(declared), limit, url=response.url)
        request.meta["fairwatch_abort"] = err
        logger.warning("abandoning %s: %s", response.url, err)
        task = asyncio.ensure_future(_close(page))
        _pending.add(task)
        task.add_done_callback(_pending.discard)

    return on_response


async def _close(page: Page) -> None:
    with suppress(PlaywrightError):
        await page.close()


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
        page.on("response", _size_guard(page, request, int(limit)))
    sink = meta.get("fairwatch_context_sink")
    if sink is not None:
        sink(meta.get("playwright_context"), page.context)
