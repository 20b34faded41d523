"""Retries with exponential backoff: Scrapy's RetryMiddleware, waiting before each retry.

Scrapy re-queues a retry at once, which hammers a portal that is already failing; this
waits base * 2**(n-1) seconds (capped) before handing retry n back to the scheduler.
"""

from __future__ import annotations

import asyncio
import logging

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings, *, base: float = 1.0, cap: float = 30.0) -> None:
        super().__init__(settings)
        self.base = base
        self.cap = cap

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        mw = cls(
            crawler.settings,
            base=crawler.settings.getfloat("FAIRWATCH_RETRY_BACKOFF_BASE"),
            cap=crawler.settings.getfloat("FAIRWATCH_RETRY_BACKOFF_MAX"),
        )
        mw.crawler = crawler
        return mw

    def delay_for(self, retry_times: int) -> float:
        """Seconds to wait before retry number retry_times (1-based)."""
        return min(self.cap, self.base * 2 ** max(0, retry_times - 1))

    async def _wait(self, result: Request | Response | None) -> Request | Response | None:
        if isinstance(result, Request):
            delay = self.delay_for(result.meta.get("retry_times", 1))
            logger.debug("retrying %s in %.2fs", result.url, delay)
            await asyncio.sleep(delay)
        return result

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        return await self._wait(RetryMiddleware.process_response(self, request, response))  # type: ignore[return-value]

    async def process_exception(
        self, request: Request, exception: Exception
    ) -> Request | Response | None:  # type: ignore[override]
        return await self._wait(RetryMiddleware.process_exception(self, request, exception))
