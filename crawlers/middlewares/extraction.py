"""Extract detail pages in the ExtractionPool's processes, before the spider sees them.

`extract_page` is a few milliseconds of GIL-holding Python per page; run in the spider's
callback it is reactor time. This downloader middleware awaits it in the pool instead and
leaves the result in `response.meta["fairwatch_page"]` (an ExtractedPage, or the
ExtractionError), which `SourceSpider.parse_detail` uses in place of extracting itself.
Only 2xx HTML answers to detail requests are extracted, after EncodingMiddleware has
repaired their charset (its process_response runs first: it sits closer to the downloader).
Setting FAIRWATCH_EXTRACT_WORKERS (0 turns this off: the spider extracts in its callback).
"""

from __future__ import annotations

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response, TextResponse

from crawlers.errors import ExtractionError
from crawlers.extract.pool import ExtractionPool

PAGE = "fairwatch_page"


class ExtractionMiddleware:
    def __init__(self, pool: ExtractionPool) -> None:
        self.pool = pool

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionMiddleware:
        workers = crawler.settings.getint("FAIRWATCH_EXTRACT_WORKERS")
        if workers <= 0:
            raise NotConfigured("FAIRWATCH_EXTRACT_WORKERS is 0: pages are extracted in the spider")
        middleware = cls(ExtractionPool(workers))
        crawler.signals.connect(middleware.pool.close, signal=signals.spider_closed)
        return middleware

    async def process_response(self, request: Request, response: Response) -> Response:
        if (
            request.meta.get("fairwatch_role") != "detail"
            or not 200 <= response.status < 300
            or not isinstance(response, TextResponse)
        ):
            return response
        try:
            request.meta[PAGE] = await self.pool.extract(response.text, response.url)
        except ExtractionError as exc:
            request.meta[PAGE] = exc
        return response
