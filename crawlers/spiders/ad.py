"""AdSpider: renders the pages of an ad source in Chromium and yields DocumentRecord items.

The source's `ad:` rules (crawlers.browser.rules.AdRules) say which selector proves the
scripts rendered the content, how to scroll or load more, what to read and whether to keep
a screenshot. Each page becomes one record of kind `ad` with the captured HTML's SHA-256,
the text's SHA-256 and the PNG screenshot as evidence; the StorePipeline stores, analyzes
and indexes it like any other document. Live rooms (platform `livestream`) are watched
over their window instead, one record per poll holding only the new lines
(crawlers.live).

A page that fails (never loads, crashes its renderer, is too large, has no text) is
recorded with its reason in the stats (`fairwatch/pages_failed/<reason>`, which the run's
errors list, and `fairwatch/ad/failures` with URL and detail) and the crawl goes on.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.browser.capture import Capture, capture
from crawlers.browser.errors import (
    BrowserConfigError,
    BrowserError,
    EmptyContentError,
    map_playwright_error,
)
from crawlers.browser.media_refs import media_refs
from crawlers.browser.page_init import INIT_CALLBACK
from crawlers.browser.page_methods import SCREENSHOT, page_methods
from crawlers.browser.rules import AdRules
from crawlers.failures import failure_reason
from crawlers.live import LiveRoomWatch
from crawlers.sources.schema import SourceConfig
from storage.records import DocumentRecord, MediaRecord, content_hash

__all__ = ["AdSpider", "to_record"]

logger = logging.getLogger(__name__)
MB = 1024 * 1024


def to_record(
    cap: Capture,
    *,
    source_id: str,
    platform: str,
    html: bytes,
    screenshot: bytes | None,
    fetched_at: datetime,
    extra: dict[str, Any] | None = None,
    media: list[MediaRecord] | None = None,
) -> DocumentRecord:
    """The stored form of a capture, with its evidence."""
    metadata = cap.metadata() | {
        "platform": platform,
        "captured_at": fetched_at.isoformat(),
        "text_sha256": content_hash(cap.body),
        "screenshot_sha256": hashlib.sha256(screenshot).hexdigest() if screenshot else None,
    }
    metadata.update(extra or {})
    return DocumentRecord(
        source_id=source_id,
        url=cap.url,
        kind="ad",
        title=cap.title,
        body=cap.body,
        fetched_at=fetched_at,
        metadata=metadata,
        html_sha256=hashlib.sha256(html).hexdigest(),
        screenshot_png=screenshot,
        media=media or [],
    )


class AdSpider(scrapy.Spider):
    name = "ad"

    def __init__(self, source: SourceConfig, limit: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if source.kind != "ad" or source.ad is None or source.platform is None:
            raise BrowserConfigError(f"source {source.id!r} is not an ad source with `ad:` rules")
        self.source = source
        self.source_id = source.id
        self.platform = source.platform
        self.start_urls = list(source.start_urls)[: limit or None]
        self.rules: AdRules = source.ad

    @property
    def is_live(self) -> bool:
        return self.platform == "livestream"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.start_urls:
            yield self.page_request(url)

    def page_request(self, url: str) -> scrapy.Request:
        settings = self.crawler.settings
        meta: dict[str, Any] = {
            "playwright": True,
            "playwright_page_init_callback": INIT_CALLBACK,
            "fairwatch_block_images": self.rules.images_blocked,
            "fairwatch_max_response_bytes": settings.getint("FAIRWATCH_BROWSER_MAX_RESPONSE_MB", 50)
            * MB,
        }
        timeout = settings.getfloat("FAIRWATCH_BROWSER_CONTENT_TIMEOUT_MS", 10_000)
        methods = page_methods(self.rules, content_timeout_ms=timeout)
        if self.is_live:
            # The room page stays open for the whole window in a context of its own.
            methods.pop(SCREENSHOT, None)
            meta["playwright_include_page"] = True
            meta["playwright_context"] = f"live-{self.source_id}"
            callback = self.watch_live
        else:
            callback = self.parse_page
        meta["playwright_page_methods"] = methods
        return scrapy.Request(
            url, meta=meta, callback=callback, errback=self.on_error, dont_filter=True
        )

    def parse_page(self, response: Response) -> Iterator[DocumentRecord]:
        methods = response.meta.get("playwright_page_methods") or {}
        shot = methods.get(SCREENSHOT)
        cap = capture(response.text, response.url, self.rules)
        self._fetched()
        if not cap.body.strip():
            self.record_failure(
                response.url,
                EmptyContentError("page rendered no text to analyze", url=response.url),
            )
            return
        self.crawler.stats.inc_value("fairwatch/ad/pages_captured")
        yield to_record(
            cap,
            source_id=self.source_id,
            platform=self.platform,
            html=response.body,
            screenshot=shot.result if shot is not None else None,
            fetched_at=datetime.now(UTC),
            media=media_refs(response.text, response.url),
        )

    async def watch_live(self, response: Response) -> AsyncIterator[DocumentRecord]:
        page: Page = response.meta["playwright_page"]
        self._fetched()
        window = self.rules.live
        watch = LiveRoomWatch(
            page,
            response.url,
            self.rules,
            poll_seconds=window.poll_seconds if window else 10.0,
            window_seconds=(window.window_minutes if window else 30.0) * 60,
            screenshot=self.rules.screenshot,
        )
        try:
            async for inc in watch.increments():
                self.crawler.stats.inc_value("fairwatch/ad/live_increments")
                self.crawler.stats.inc_value(
                    "fairwatch/ad/live_lines",
                    len(inc.capture.transcript) + len(inc.capture.danmaku),
                )
                yield to_record(
                    inc.capture,
                    source_id=self.source_id,
                    platform=self.platform,
                    html=inc.html,
                    screenshot=inc.screenshot,
                    fetched_at=inc.at,
                    extra={"live_poll": inc.poll, "live_new_lines": inc.new_lines},
                )
        except PlaywrightError as exc:
            self.record_failure(response.url, map_playwright_error(exc, url=response.url))
        finally:
            await watch.close()

    def _fetched(self) -> None:
        # Ad pages are the sources' entry pages: counted as list pages for the run's verdict.
        self.crawler.stats.inc_value("fairwatch/list_pages_fetched")
        self.crawler.stats.inc_value("fairwatch/pages_fetched")

    async def on_error(self, failure: Failure) -> None:
        request = failure.request
        page = request.meta.get("playwright_page")
        if page is not None:  # a live room page kept open: ours to close on every path
            with contextlib.suppress(PlaywrightError):
                await page.close()
        self.record_failure(request.url, failure.value, request.meta.get("fairwatch_abort"))

    def record_failure(
        self, url: str, exc: BaseException, cause: BrowserError | None = None
    ) -> None:
        if cause is None and isinstance(exc, BrowserError | PlaywrightError):
            cause = map_playwright_error(exc, url=url)
        if cause is not None:
            reason, detail = cause.reason, str(cause)
        else:
            reason, detail = failure_reason(exc)
        stats = self.crawler.stats
        # The same keys as the source spider, so the run's status and errors count them.
        for key in (
            "pages_skipped",
            f"pages_skipped/{reason}",
            "pages_failed",
            f"pages_failed/{reason}",
        ):
            stats.inc_value(f"fairwatch/{key}")
        if not stats.get_value("fairwatch/list_error"):
            stats.set_value("fairwatch/list_error", f"{url}: {reason}: {detail}")
        failures = stats.get_value("fairwatch/ad/failures") or []
        entry = {"url": url, "reason": reason, "detail": detail}
        stats.set_value("fairwatch/ad/failures", [*failures, entry])
        logger.error(
            "ad page %s skipped (%s): %s", url, reason, detail, extra={"source_id": self.source_id}
        )
