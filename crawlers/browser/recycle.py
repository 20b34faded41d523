"""ContextRecycleMiddleware: a browser context serves at most N pages, then is replaced.

Long crawls through one context accumulate cache, cookies and renderer state; recycling
bounds that growth. Browser requests are tagged with a generation context name
(`recycle-<g>`); after N requests the next generation starts, and a retired context is
closed once its last page has come back (response or exception), which also frees its
PLAYWRIGHT_MAX_CONTEXTS slot. Requests that keep their page (`playwright_include_page`)
or name their own context are left alone: their owner closes them.
"""

from __future__ import annotations

import logging
from collections import Counter
from contextlib import suppress
from typing import Any, Self

from playwright.async_api import BrowserContext
from playwright.async_api import Error as PlaywrightError
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawlers.browser.errors import BrowserConfigError
from crawlers.browser.page_init import INIT_CALLBACK

__all__ = ["ContextRecycleMiddleware"]

logger = logging.getLogger(__name__)
_TAG = "fairwatch_recycle_context"


class ContextRecycleMiddleware:
    def __init__(self, pages_per_context: int, stats: Any = None) -> None:
        if pages_per_context < 1:
            raise BrowserConfigError(
                f"FAIRWATCH_BROWSER_RECYCLE_PAGES: expected >= 1, received {pages_per_context}"
            )
        self.pages_per_context = pages_per_context
        self.stats = stats
        self.generation = 0
        self.assigned = 0
        self.inflight: Counter[str] = Counter()
        self.contexts: dict[str, BrowserContext] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.settings.getint("FAIRWATCH_BROWSER_RECYCLE_PAGES", 50), crawler.stats)

    @property
    def current(self) -> str:
        return f"recycle-{self.generation}"

    def remember(self, name: str | None, context: BrowserContext) -> None:
        """Page init hook: the context object behind a generation name."""
        if name and name.startswith("recycle-"):
            self.contexts.setdefault(name, context)

    def process_request(self, request: Request) -> None:
        meta = request.meta
        if not meta.get("playwright") or meta.get("playwright_include_page"):
            return None
        if meta.get("playwright_context") and not meta.get(_TAG):
            return None  # a context named by the request's owner
        if self.assigned >= self.pages_per_context:
            self.generation += 1
            self.assigned = 0
        name = self.current
        self.assigned += 1
        self.inflight[name] += 1
        meta["playwright_context"] = name
        meta[_TAG] = name
        meta["fairwatch_context_sink"] = self.remember
        meta.setdefault("playwright_page_init_callback", INIT_CALLBACK)
        return None

    async def process_response(self, request: Request, response: Response) -> Response:
        await self._release(request)
        return response

    async def process_exception(self, request: Request, exception: BaseException) -> None:
        await self._release(request)
        return None

    async def _release(self, request: Request) -> None:
        name = request.meta.get(_TAG)
        if not name or self.inflight[name] <= 0:
            return
        self.inflight[name] -= 1
        if name == self.current or self.inflight[name] > 0:
            return
        del self.inflight[name]
        context = self.contexts.pop(name, None)
        if context is None:
            return
        with suppress(PlaywrightError):  # already closed by a crash or shutdown
            await context.close()
        logger.debug("closed browser context %s after %d pages", name, self.pages_per_context)
        if self.stats is not None:
            self.stats.inc_value("fairwatch/browser/contexts_recycled")
