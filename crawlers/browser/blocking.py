"""Which browser requests are aborted: heavy resources that no capture reads.

Media and fonts are always aborted (PLAYWRIGHT_ABORT_REQUEST). Images stay unless the
source takes no screenshot: then `block_images` aborts them for that page only, because a
screenshot kept as evidence must show what the visitor saw.
"""

from __future__ import annotations

from playwright.async_api import Page, Route
from playwright.async_api import Request as PlaywrightRequest

__all__ = ["ALWAYS_BLOCKED", "block_images", "should_abort_request"]

ALWAYS_BLOCKED = frozenset({"media", "font"})


def should_abort_request(request: PlaywrightRequest) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: True for media and fonts."""
    return request.resource_type in ALWAYS_BLOCKED


async def _abort_images(route: Route) -> None:
    if route.request.resource_type == "image":
        await route.abort()
    else:
        await route.fallback()


async def block_images(page: Page) -> None:
    """Abort the page's image requests; other requests fall through to the handler's route."""
    await page.route("**/*", _abort_images)
