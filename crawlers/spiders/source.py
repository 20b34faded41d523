"""The spider every source file drives: list pages -> detail pages -> attachments.

List pages are always fetched; detail links come from the source's LinkRule or `auto`
discovery; the next list page from its pagination rule. Detail pages already stored are
requested conditionally (ConditionalRequestMiddleware), so an unchanged page costs a 304.
A detail page becomes one `DocumentRecord` item once its attachments (fetched one after
the other, each failure recorded on the attachment) are done; `StorePipeline` hands it to
the DocumentSink. An ad spider can reuse everything but the parsing callbacks.

Stats: fairwatch/list_pages_fetched, fairwatch/pages_fetched, fairwatch/pages_skipped
and fairwatch/pages_skipped/<reason>, fairwatch/pages_failed/<reason>,
fairwatch/drop_reason/<reason>, fairwatch/attachments/ok/<ext>,
fairwatch/attachments/failed/<ext>, fairwatch/details_scheduled,
fairwatch/frontier_resumed/<role>, fairwatch/incremental_stop.

Modes: `single` follows pagination as the source file says; `backfill` (a source's whole
archive) follows next links up to `backfill_max_pages` instead of `max_pages`;
`incremental` stops following next links at the first list page on which every detail
link is already stored. With a `Frontier` (setting FAIRWATCH_FRONTIER) the pages found
are recorded as they are found and the crawl starts with those an earlier crawl left.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import scrapy
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure
from w3lib.url import canonicalize_url

from crawlers.auto import discover_detail_links, discover_next_page
from crawlers.errors import AttachmentError, ExtractionError
from crawlers.extract import extract_file_text
from crawlers.extract.pool import ExtractionPool
from crawlers.failures import failure_reason
from crawlers.sources.schema import (
    DetailRules,
    JsonPagination,
    LinkRule,
    NextLinkPagination,
    SourceConfig,
    TemplatePagination,
)
from storage.records import AttachmentRecord, DocumentRecord

logger = logging.getLogger(__name__)

ROLE = "fairwatch_role"


def canonical_url(url: str) -> str:
    """The document key: fragment dropped, query sorted, percent-encoding normalised."""
    return canonicalize_url(url, keep_fragments=False)


def dig(data: Any, path: str) -> Any:
    """data["a"]["b"][0] for path "a.b.0"; None when any step is missing."""
    for part in path.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


class SourceSpider(scrapy.Spider):
    name = "source"

    def __init__(
        self,
        source: SourceConfig,
        limit: int | None = None,
        mode: str = "single",
        backfill_max_pages: int = 10_000,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.source_id = source.id
        self.limit = limit
        self.mode = mode
        self.backfill_max_pages = backfill_max_pages
        self._details: set[str] = set()
        self._list_pages = 0
        self.extraction = ExtractionPool(0)  # in this thread unless from_crawler says otherwise

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):  # noqa: ANN001, ANN206
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.frontier = crawler.settings.get("FAIRWATCH_FRONTIER")
        spider.sink = crawler.settings.get("FAIRWATCH_SINK")
        spider.extraction = ExtractionPool(crawler.settings.getint("FAIRWATCH_EXTRACT_WORKERS"))
        crawler.signals.connect(spider.extraction.close, signal=scrapy.signals.spider_closed)
        if spider.frontier is not None:
            crawler.signals.connect(spider._item_stored, signal=scrapy.signals.item_scraped)
            crawler.signals.connect(spider._close_frontier, signal=scrapy.signals.spider_closed)
        spider._rechecked = False
        if spider.mode == "backfill" and hasattr(spider.sink, "listed_urls"):
            crawler.signals.connect(spider._recheck_unlisted, signal=scrapy.signals.spider_idle)
        return spider

    def _recheck_unlisted(self) -> None:
        """At the end of a backfill, ask again for stored pages no list page links to any
        more: a 404 or 410 proves the site removed them (a 304 that they are still there)."""
        if self._rechecked or self.limit is not None:
            return
        self._rechecked = True
        if self.stats.get_value("fairwatch/list_pages_failed"):
            return  # an incomplete listing proves nothing about what is missing from it
        unlisted = [u for u in self.sink.listed_urls(self.source_id) if u not in self._details]
        if not unlisted:
            return
        logger.info(
            "%s: re-checking %d stored page(s) no longer listed",
            self.source_id,
            len(unlisted),
            extra={"source_id": self.source_id},
        )
        for url in unlisted:
            self.stats.inc_value("fairwatch/recheck_scheduled")
            self._details.add(url)
            self.crawler.engine.crawl(
                scrapy.Request(
                    url,
                    callback=self.parse_detail,
                    errback=self.on_error,
                    meta=self._meta("detail", fairwatch_conditional=True, fairwatch_url=url),
                )
            )
        raise DontCloseSpider

    def _item_stored(self, item: Any) -> None:
        if isinstance(item, DocumentRecord):
            self._frontier_done("detail", item.url)

    def _close_frontier(self) -> None:
        self.frontier.close()

    def _frontier_done(self, role: str, url: str | None) -> None:
        if url and getattr(self, "frontier", None) is not None:
            self.frontier.done(self.source_id, role, url)

    def _max_list_pages(self, pagination: NextLinkPagination) -> int:
        return self.backfill_max_pages if self.mode == "backfill" else pagination.max_pages

    # -- helpers ------------------------------------------------------------------
    @property
    def stats(self):  # noqa: ANN201 - scrapy StatsCollector
        return self.crawler.stats

    def _meta(self, role: str, **extra: Any) -> dict[str, Any]:
        return {ROLE: role, "fairwatch_source": self.source_id, **extra}

    def _full(self) -> bool:
        return self.limit is not None and len(self._details) >= self.limit

    def _list_request(
        self, url: str, *, follow_next: bool, json_list: bool = False
    ) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_json if json_list else self.parse_list,
            errback=self.on_error,
            meta=self._meta("list", fairwatch_follow_next=follow_next),
            dont_filter=False,
        )

    # -- list pages -----------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self._resumed():
            yield request
        pagination = self.source.list.pagination
        if isinstance(pagination, JsonPagination):
            for n in range(pagination.first, pagination.last + 1):
                yield self._list_request(
                    pagination.url.replace("{n}", str(n)), follow_next=False, json_list=True
                )
            return
        for url in self.source.start_urls:
            yield self._list_request(url, follow_next=isinstance(pagination, NextLinkPagination))
            if isinstance(pagination, TemplatePagination):
                for n in range(pagination.first, pagination.last + 1):
                    yield self._list_request(
                        urljoin(url, pagination.template.replace("{n}", str(n))), follow_next=False
                    )

    def _resumed(self) -> list[scrapy.Request]:
        """The pages an earlier, unfinished crawl of this source left in the frontier."""
        frontier = getattr(self, "frontier", None)
        if frontier is None:
            return []
        pending = frontier.pending(self.source_id)
        pagination = self.source.list.pagination
        requests = []
        for role, url in pending:
            self.stats.inc_value(f"fairwatch/frontier_resumed/{role}")
            if role == "list":
                follow = isinstance(pagination, NextLinkPagination)
                requests.append(self._list_request(url, follow_next=follow))
            else:
                requests.extend(self._detail_requests([url]))
        if pending:
            logger.info(
                "%s: resuming %d page(s) left by an unfinished crawl",
                self.source_id,
                len(pending),
                extra={"source_id": self.source_id},
            )
        return requests

    def _list_fetched(self) -> None:
        self._list_pages += 1
        self.stats.inc_value("fairwatch/list_pages_fetched")
        self.stats.inc_value("fairwatch/pages_fetched")

    def parse_list(self, response: Response) -> Iterator[scrapy.Request]:
        self._list_fetched()
        if not isinstance(response, TextResponse):
            self._skip("not_html", f"list page {response.url} is not HTML")
            return
        rule = self.source.list.items
        if isinstance(rule, LinkRule):
            links = self._rule_links(response, rule)
        else:
            links = discover_detail_links(response.selector, response.url)
        if not links:
            self.stats.inc_value("fairwatch/list_pages_empty")
            logger.warning(
                "no detail links on list page %s", response.url, extra={"source_id": self.source_id}
            )
        requests = list(self._detail_requests(links))
        nxt = self._next_list(response, links)
        if nxt:
            requests.append(self._list_request(nxt, follow_next=True))
        self._expand(response, requests)
        yield from requests

    def _next_list(self, response: TextResponse, links: list[str]) -> str | None:
        pagination = self.source.list.pagination
        if not response.meta.get("fairwatch_follow_next") or not isinstance(
            pagination, NextLinkPagination
        ):
            return None
        if self._full() or self._list_pages >= self._max_list_pages(pagination):
            return None
        if self.mode == "incremental" and links and self._all_known(links):
            # Newest first: a page with nothing new means the rest of the archive is stored.
            self.stats.inc_value("fairwatch/incremental_stop")
            return None
        if pagination.selector == "auto":
            return discover_next_page(response.selector, response.url)
        href = response.css(pagination.selector).attrib.get("href")
        return response.urljoin(href) if href else None

    def _all_known(self, links: list[str]) -> bool:
        if self.sink is None:
            return False
        keys = [canonical_url(u) for u in links]
        known = self._known_many(keys)
        if known is not None:
            return all(key in known for key in keys)
        return all(self.sink.known(self.source_id, key) for key in keys)

    def _expand(self, response: Response, requests: list[scrapy.Request]) -> None:
        """Record in the frontier the pages this list page led to, and forget the list page."""
        if getattr(self, "frontier", None) is None:
            return
        details = [r.meta["fairwatch_url"] for r in requests if r.meta.get(ROLE) == "detail"]
        lists = [r.url for r in requests if r.meta.get(ROLE) == "list"]
        # The URL the page was asked for, as recorded, even if the site redirected it.
        asked = (response.meta.get("redirect_urls") or [response.request.url])[0]
        self.frontier.expand(self.source_id, asked, details, lists)

    def _rule_links(self, response: TextResponse, rule: LinkRule) -> list[str]:
        hrefs = response.css(rule.css).xpath("descendant-or-self::a/@href").getall()
        links = [
            response.urljoin(h.strip())
            for h in hrefs
            if h.strip() and not h.startswith("javascript:")
        ]
        if rule.pattern:
            links = [u for u in links if re.search(rule.pattern, u)]
        return list(dict.fromkeys(links))

    def parse_json(self, response: Response) -> Iterator[scrapy.Request]:
        self._list_fetched()
        pagination = self.source.list.pagination
        assert isinstance(pagination, JsonPagination)
        try:
            data = json.loads(response.text)
        except (ValueError, AttributeError) as exc:
            self._skip("bad_json", f"{response.url}: list endpoint did not return JSON: {exc}")
            return
        items = dig(data, pagination.items)
        if not isinstance(items, list):
            self._skip("bad_json", f"{response.url}: no list at {pagination.items!r}")
            return
        links = []
        for item in items:
            url = dig(item, pagination.fields.url)
            if isinstance(url, str) and url:
                links.append(response.urljoin(url))
        if not links:
            self.stats.inc_value("fairwatch/list_pages_empty")
        requests = list(self._detail_requests(links))
        self._expand(response, requests)
        yield from requests

    def _detail_requests(self, links: list[str]) -> Iterator[scrapy.Request]:
        wanted: list[tuple[str, str]] = []
        for url in links:
            key = canonical_url(url)
            if key in self._details:
                continue
            if self._full():
                self.stats.inc_value("fairwatch/details_over_limit")
                continue
            self._details.add(key)
            self.stats.inc_value("fairwatch/details_scheduled")
            wanted.append((url, key))
        known = self._known_many([key for _, key in wanted])
        for url, key in wanted:
            request = self._detail_request(url, key)
            if known is not None:
                # Looked up with the whole list page: ConditionalRequestMiddleware need not.
                request.meta["fairwatch_known"] = known.get(key)
            yield request

    def _known_many(self, keys: list[str]) -> dict[str, Any] | None:
        """What the sink has stored of these URLs, in one look-up (None: it cannot say)."""
        known_many = getattr(self.sink, "known_many", None)
        if not keys or known_many is None:
            return None
        return known_many(self.source_id, keys)

    def _detail_request(self, url: str, key: str) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_detail,
            errback=self.on_error,
            meta=self._meta("detail", fairwatch_conditional=True, fairwatch_url=key),
        )

    # -- detail pages -------------------------------------------------------------------
    async def parse_detail(
        self, response: Response
    ) -> AsyncIterator[DocumentRecord | scrapy.Request]:
        self.stats.inc_value("fairwatch/pages_fetched")
        self.stats.inc_value("fairwatch/detail_pages_fetched")
        if not isinstance(response, TextResponse):
            self._skip("not_html", f"detail page {response.url} is not HTML")
            self._frontier_done("detail", response.meta.get("fairwatch_url"))
            return
        try:
            # In the extraction processes: the reactor goes on downloading meanwhile.
            page = await self.extraction.extract(response.text, response.url)
        except ExtractionError as exc:
            self._drop("extraction_failed", f"{response.url}: {exc.reason}")
            self._frontier_done("detail", response.meta.get("fairwatch_url"))
            return
        title, body = page.title, page.text
        if isinstance(self.source.detail, DetailRules):
            title, body = self._apply_detail_rules(response, self.source.detail, title, body)
        if not body.strip():
            self._drop("empty_body", f"{response.url}: no main text found")
            self._frontier_done("detail", response.meta.get("fairwatch_url"))
            return
        metadata: dict[str, Any] = {k: v for k, v in page.metadata.items() if v}
        metadata.setdefault("issuer", self.source.issuer)
        metadata.update(region=self.source.region, cms=page.cms)
        if response.meta.get("fairwatch_charset"):
            metadata["charset"] = response.meta["fairwatch_charset"]
        record = DocumentRecord(
            source_id=self.source_id,
            url=response.meta.get("fairwatch_url") or canonical_url(response.url),
            kind=self.source.kind,
            title=title or response.url,
            body=body,
            fetched_at=datetime.now(UTC),
            metadata=metadata,
            etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
        )
        pending = self._attachment_links(page.attachments)
        for output in self._next_attachment(record, pending):
            yield output

    def _apply_detail_rules(
        self, response: TextResponse, rules: DetailRules, title: str, body: str
    ) -> tuple[str, str]:
        if rules.title:
            found = " ".join(
                t.strip() for t in response.css(rules.title).xpath(".//text()").getall()
            ).strip()
            title = found or title
        if rules.body:
            paragraphs = [t.strip() for t in response.css(rules.body).xpath(".//text()").getall()]
            body = "\n".join(p for p in paragraphs if p) or body
        return title, body

    # -- attachments ----------------------------------------------------------------------
    def _attachment_links(self, found: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
        rules = self.source.attachments
        if not rules.enabled:
            return []
        wanted: list[tuple[str, str, str]] = []
        for url, text in found:
            ext = PurePosixPath(urlsplit(url).path).suffix.lower().lstrip(".")
            if ext in rules.extensions and urlsplit(url).scheme in ("http", "https"):
                wanted.append((url, text, ext))
        return list({u: (u, t, e) for u, t, e in wanted}.values())

    def _next_attachment(
        self, record: DocumentRecord, pending: list[tuple[str, str, str]]
    ) -> Iterator[DocumentRecord | scrapy.Request]:
        if not pending:
            yield record
            return
        (url, text, ext), rest = pending[0], pending[1:]
        yield scrapy.Request(
            url,
            callback=self.parse_attachment,
            errback=self.attachment_failed,
            dont_filter=True,
            meta=self._meta(
                "attachment",
                fairwatch_record=record,
                fairwatch_pending=rest,
                fairwatch_attachment=(url, text, ext),
                download_maxsize=int(self.source.attachments.max_size_mb * 1024 * 1024),
                download_warnsize=0,
            ),
        )

    def parse_attachment(self, response: Response) -> Iterator[DocumentRecord | scrapy.Request]:
        url, text, ext = response.meta["fairwatch_attachment"]
        attachment = _attachment_record(url, text, ext, response.body)
        try:
            attachment.text = extract_file_text(response.body, ext)
        except AttachmentError as exc:
            attachment.error = exc.reason
        except Exception as exc:  # a parser bug must not lose the document it is attached to
            attachment.error = f"text extraction crashed: {type(exc).__name__}: {exc}"
            logger.exception("extracting %s crashed", url)
        if not attachment.error:
            self.stats.inc_value(f"fairwatch/attachments/ok/{ext}")
        else:
            self.stats.inc_value(f"fairwatch/attachments/failed/{ext}")
            logger.warning(
                "attachment %s: %s", url, attachment.error, extra={"source_id": self.source_id}
            )
        record: DocumentRecord = response.meta["fairwatch_record"]
        record.attachments.append(attachment)
        yield from self._next_attachment(record, response.meta["fairwatch_pending"])

    def attachment_failed(self, failure: Failure) -> Iterator[DocumentRecord | scrapy.Request]:
        request = failure.request  # type: ignore[attr-defined]
        url, text, ext = request.meta["fairwatch_attachment"]
        reason, detail = failure_reason(failure)
        attachment = _attachment_record(url, text, ext, None)
        attachment.error = f"download failed ({reason}): {detail}"
        self.stats.inc_value(f"fairwatch/attachments/failed/{ext}")
        logger.warning(
            "attachment %s not fetched: %s", url, detail, extra={"source_id": self.source_id}
        )
        record: DocumentRecord = request.meta["fairwatch_record"]
        record.attachments.append(attachment)
        yield from self._next_attachment(record, request.meta["fairwatch_pending"])

    # -- failures -------------------------------------------------------------------------
    def on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        reason, detail = failure_reason(failure)
        role = request.meta.get(ROLE)
        if role == "detail":
            # Given up with its reason counted, or a 304: the stored version is current.
            self._frontier_done("detail", request.meta.get("fairwatch_url"))
            if reason in ("http_404", "http_410") and hasattr(self.sink, "gone"):
                url = request.meta.get("fairwatch_url") or canonical_url(request.url)
                if self.sink.gone(self.source_id, url, f"{reason}: {detail}"):
                    self.stats.inc_value("fairwatch/documents/removed")
        if reason == "not_modified":
            return  # counted as skipped by ConditionalRequestMiddleware
        self._skip(reason, f"{role} page {request.url}: {detail}", failed=True)
        if role == "list":
            self.stats.inc_value("fairwatch/list_pages_failed")
            if not self.stats.get_value("fairwatch/list_error"):
                self.stats.set_value("fairwatch/list_error", f"{request.url}: {reason}: {detail}")

    def _skip(self, reason: str, message: str, *, failed: bool = True) -> None:
        self.stats.inc_value("fairwatch/pages_skipped")
        self.stats.inc_value(f"fairwatch/pages_skipped/{reason}")
        if failed:
            self.stats.inc_value("fairwatch/pages_failed")
            self.stats.inc_value(f"fairwatch/pages_failed/{reason}")
        logger.warning("skipped (%s): %s", reason, message, extra={"source_id": self.source_id})

    def _drop(self, reason: str, message: str) -> None:
        self.stats.inc_value(f"fairwatch/drop_reason/{reason}")
        logger.warning("dropped (%s): %s", reason, message, extra={"source_id": self.source_id})


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _attachment_record(url: str, text: str, ext: str, data: bytes | None) -> AttachmentRecord:
    import hashlib

    name = unquote(PurePosixPath(urlsplit(url).path).name) or text or url
    return AttachmentRecord(
        url=url,
        filename=name,
        file_type=ext,
        size=len(data) if data is not None else None,
        sha256=hashlib.sha256(data).hexdigest() if data is not None else None,
    )
