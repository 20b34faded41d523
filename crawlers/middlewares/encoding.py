"""Re-decode HTML responses whatever their declared charset says.

Scrapy trusts the Content-Type header, which portals often get wrong (a GBK page sent as
UTF-8). This decodes the body with `crawlers.extract.decode_html` (BOM, strict UTF-8,
declared charsets, GB18030, detection) and hands the spider a UTF-8 HtmlResponse; the
codec actually used is kept in `response.meta["fairwatch_charset"]` and counted under
`fairwatch/charset/<codec>`.
"""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Response
from scrapy.statscollectors import StatsCollector
from w3lib.encoding import http_content_type_encoding

from crawlers.errors import ExtractionError
from crawlers.extract.encoding import decode_html

logger = logging.getLogger(__name__)

HTML_TYPES = (b"text/html", b"application/xhtml")


class EncodingMiddleware:
    def __init__(self, stats: StatsCollector, *, max_bytes: int) -> None:
        self.stats = stats
        self.max_bytes = max_bytes

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EncodingMiddleware:
        return cls(crawler.stats, max_bytes=crawler.settings.getint("DOWNLOAD_MAXSIZE"))

    def process_response(self, request: Request, response: Response) -> Response:
        content_type = response.headers.get(b"Content-Type", b"").lower()
        if (
            not content_type.startswith(HTML_TYPES)
            or request.meta.get("fairwatch_role") == "attachment"
        ):
            return response
        declared = http_content_type_encoding(content_type.decode("latin-1"))
        try:
            text, codec = decode_html(response.body, declared, max_bytes=self.max_bytes or 2**62)
        except ExtractionError as exc:
            # Left as it came: the spider drops it with the reason when it cannot parse it.
            logger.warning("cannot decode %s: %s", response.url, exc.reason)
            return response
        request.meta["fairwatch_charset"] = codec
        self.stats.inc_value(f"fairwatch/charset/{codec}")
        if declared and codec != (declared or "").lower():
            self.stats.inc_value("fairwatch/charset_mismatch")
        body = text.encode("utf-8")
        if (
            isinstance(response, HtmlResponse)
            and response.encoding == "utf-8"
            and body == response.body
        ):
            return response  # already what the spider needs (most pages): no copy
        return response.replace(cls=HtmlResponse, body=body, encoding="utf-8")
