"""Conditional requests for detail pages already stored: If-None-Match / If-Modified-Since.

A 304 answer means the stored version is current: it is counted as skipped
(`fairwatch/pages_skipped/not_modified`) and the request ends with `NotModified`, an
IgnoreRequest the spider's errback recognises. Only requests marked
`meta["fairwatch_conditional"] = True` are touched, so list pages are always fetched.
A request whose meta already has `fairwatch_known` (a KnownPage, or None for a page never
stored) was looked up by the spider together with its list page: no query per request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from crawlers.sink import KnownPage

logger = logging.getLogger(__name__)

Lookup = Callable[[str, str], KnownPage | None]


class NotModified(IgnoreRequest):
    """The server answered 304: the stored version of this page is current."""

    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__(f"not modified since the stored version: {url}")


class ConditionalRequestMiddleware:
    def __init__(self, lookup: Lookup, stats: StatsCollector) -> None:
        self.lookup = lookup
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        sink = crawler.settings.get("FAIRWATCH_SINK")
        if sink is None:
            raise NotConfigured("no FAIRWATCH_SINK: every detail page is fetched in full")
        return cls(sink.known, crawler.stats)

    def process_request(self, request: Request) -> None:
        if not request.meta.get("fairwatch_conditional"):
            return None
        if "fairwatch_known" in request.meta:
            known = request.meta["fairwatch_known"]  # the spider looked it up with its list page
        else:
            known = self.lookup(
                request.meta["fairwatch_source"], request.meta.get("fairwatch_url", request.url)
            )
        if known is None:
            return None
        request.meta["fairwatch_known"] = known
        if known.etag:
            request.headers.setdefault("If-None-Match", known.etag)
        if known.last_modified:
            request.headers.setdefault("If-Modified-Since", known.last_modified)
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status == 304 and request.meta.get("fairwatch_known") is not None:
            self.stats.inc_value("fairwatch/pages_skipped")
            self.stats.inc_value("fairwatch/pages_skipped/not_modified")
            logger.debug("not modified: %s", request.url)
            raise NotModified(request.url)
        return response
