"""Crawler components built by hand: middlewares, the store pipeline, run judgement, settings."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest
from scrapy import Request
from scrapy.exceptions import DownloadCancelledError, DownloadConnectionRefusedError, IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.settings import Settings
from scrapy.spidermiddlewares.httperror import HttpError

from crawlers.extensions.runstats import RunStatsExtension
from crawlers.failures import failure_reason
from crawlers.middlewares.backoff import BackoffRetryMiddleware
from crawlers.middlewares.conditional import ConditionalRequestMiddleware, NotModified
from crawlers.middlewares.encoding import EncodingMiddleware
from crawlers.pipelines.store import StorePipeline
from crawlers.settings import DEFAULTS, crawl_settings
from crawlers.sink import KnownPage
from crawlers.sources.schema import SourceConfig
from fairwatch.pipeline import DocumentPipeline
from storage.records import DocumentRecord
from tests.site import pages
from tests.site.content import document


def detail_request(url: str = "http://x.gov.cn/t20240101_1.html") -> Request:
    return Request(
        url,
        meta={
            "fairwatch_role": "detail",
            "fairwatch_conditional": True,
            "fairwatch_source": "s",
            "fairwatch_url": url,
        },
    )


def test_conditional_headers_only_for_known_pages(stats) -> None:
    known = {
        "http://x.gov.cn/t20240101_1.html": KnownPage(
            etag='"abc"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT"
        )
    }
    mw = ConditionalRequestMiddleware(lambda source, url: known.get(url), stats)
    request = detail_request()
    mw.process_request(request)
    assert request.headers[b"If-None-Match"] == b'"abc"'
    assert request.headers[b"If-Modified-Since"] == b"Mon, 01 Jan 2024 00:00:00 GMT"
    fresh = detail_request("http://x.gov.cn/t20240101_2.html")
    mw.process_request(fresh)
    assert b"If-None-Match" not in fresh.headers
    listing = Request("http://x.gov.cn/index.html", meta={"fairwatch_source": "s"})
    mw.process_request(listing)
    assert b"If-None-Match" not in listing.headers


def test_304_counts_as_skipped_and_ends_the_request(stats) -> None:
    mw = ConditionalRequestMiddleware(lambda s, u: KnownPage(etag='"e"'), stats)
    request = detail_request()
    mw.process_request(request)
    with pytest.raises(NotModified) as info:
        mw.process_response(request, Response(request.url, status=304, request=request))
    assert isinstance(info.value, IgnoreRequest)
    assert stats.get_value("fairwatch/pages_skipped/not_modified") == 1
    assert stats.get_value("fairwatch/pages_skipped") == 1
    ok = Response(request.url, status=200, request=request)
    assert mw.process_response(request, ok) is ok


def test_encoding_middleware_repairs_a_lying_charset(stats) -> None:
    html = pages.trs_detail(document(303), charset="utf-8").encode("gbk")
    request = Request("http://x.gov.cn/a.html")
    response = HtmlResponse(
        request.url,
        body=html,
        headers={"Content-Type": "text/html; charset=utf-8"},
        request=request,
    )
    fixed = EncodingMiddleware(stats, max_bytes=10_000_000).process_response(request, response)
    assert document(303).title in fixed.text
    assert fixed.encoding == "utf-8"
    assert request.meta["fairwatch_charset"] == "gb18030"
    assert stats.get_value("fairwatch/charset_mismatch") == 1


def test_encoding_middleware_leaves_attachments_alone(stats) -> None:
    request = Request("http://x.gov.cn/a.pdf", meta={"fairwatch_role": "attachment"})
    response = Response(
        request.url, body=b"%PDF-1.4", headers={"Content-Type": "text/html"}, request=request
    )
    assert EncodingMiddleware(stats, max_bytes=100).process_response(request, response) is response


def test_backoff_doubles_and_is_capped() -> None:
    mw = BackoffRetryMiddleware(Settings(DEFAULTS), base=0.5, cap=3.0)
    assert [mw.delay_for(n) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 3.0, 3.0]


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (DownloadCancelledError("Expected to receive 52428800 bytes"), "too_large"),
        (DownloadConnectionRefusedError("refused"), "unreachable"),
        (IgnoreRequest("Forbidden by robots.txt"), "robots"),
        (NotModified("http://x"), "not_modified"),
        (ValueError("boom"), "error"),
    ],
)
def test_failure_reasons(exc: Exception, reason: str) -> None:
    assert failure_reason(exc)[0] == reason


def test_http_error_reason_names_the_status() -> None:
    response = Response("http://x.gov.cn/a", status=500)
    assert failure_reason(HttpError(response, "bad")) == (
        "http_500",
        "HTTP 500 from http://x.gov.cn/a",
    )


def test_run_fails_when_no_list_page_was_fetched() -> None:
    assert RunStatsExtension.judge({"fairwatch/list_pages_fetched": 2}, "finished") == ("ok", None)
    status, why = RunStatsExtension.judge(
        {"fairwatch/list_error": "http://127.0.0.1:1/: unreachable: Connection refused"}, "finished"
    )
    assert status == "failed" and "unreachable" in why
    assert RunStatsExtension.judge({"fairwatch/list_pages_fetched": 1}, "shutdown")[0] == "failed"


def test_source_politeness_and_robots_become_scrapy_settings(caplog) -> None:
    source = SourceConfig.model_validate(
        {
            "id": "s1",
            "name": "n",
            "issuer": "i",
            "region": "r",
            "start_urls": ["https://x.gov.cn/"],
            "politeness": {"concurrency": 3, "delay": 2.5},
            "robots": "ignore",
        }
    )
    with caplog.at_level(logging.WARNING):
        values = crawl_settings(source, DOWNLOAD_TIMEOUT=5)
    assert values["CONCURRENT_REQUESTS_PER_DOMAIN"] == 3
    assert values["DOWNLOAD_DELAY"] == 2.5
    assert values["ROBOTSTXT_OBEY"] is False
    assert values["DOWNLOAD_TIMEOUT"] == 5
    assert values["USER_AGENT"].startswith("fairwatch/") and "+http" in values["USER_AGENT"]
    assert values["TWISTED_REACTOR"].endswith("AsyncioSelectorReactor")
    assert "overrides robots.txt" in caplog.text


def record(
    url: str = "http://x.gov.cn/t20240101_1.html", body: str | None = None
) -> DocumentRecord:
    doc = document(3)
    return DocumentRecord(
        source_id="s",
        url=url,
        kind="policy",
        title=doc.title,
        body=body or doc.text,
        fetched_at=datetime.now(UTC),
        metadata={"doc_number": doc.doc_number},
        etag='"e1"',
    )


def test_store_pipeline_counts_new_unchanged_changed_and_flagged(db, stats) -> None:
    from analyzers.registry import get_analyzer

    pipeline = StorePipeline(DocumentPipeline(db, analyzer_for=get_analyzer), stats)

    async def feed() -> None:
        await pipeline.process_item(record())
        await pipeline.process_item(record())
        await pipeline.process_item(
            record(body=document(3).text + "\n第九条 本办法自发布之日起施行。")
        )
        await pipeline.close_spider()

    asyncio.run(feed())
    values = stats.get_stats()
    assert values["fairwatch/items_new"] == 1
    assert values["fairwatch/items_unchanged"] == 1
    assert values["fairwatch/items_changed"] == 1
    assert values["fairwatch/items_flagged"] == 2  # document 3 carries a planted breach
    assert values["fairwatch/pages_skipped/unchanged"] == 1


def test_store_failure_drops_the_item_with_a_reason(db, stats) -> None:
    from scrapy.exceptions import DropItem

    pipeline = StorePipeline(DocumentPipeline(db), stats)
    with pytest.raises(DropItem, match="store failed"):
        # storage refuses a record without a URL
        asyncio.run(pipeline.process_item(record(url="")))
    assert stats.get_value("fairwatch/drop_reason/store_failed") == 1


def test_batched_index_failure_is_counted_per_version_at_close(db, stats, tmp_path) -> None:
    from storage.search.fts import Fts5Index

    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    sink = DocumentPipeline(db, index=Fts5Index(blocker / "search.db"), index_batch=10)
    pipeline = StorePipeline(sink, stats)

    async def feed() -> None:
        for i in range(3):
            await pipeline.process_item(record(url=f"http://x.gov.cn/t{i}.html"))
        await pipeline.close_spider()

    asyncio.run(feed())
    assert stats.get_value("fairwatch/items_new") == 3
    assert stats.get_value("fairwatch/stage_failed/index") == 3


def test_progress_line_reports_count_rate_and_errors(stats) -> None:
    from crawlers.extensions.progress import ProgressExtension

    ext = ProgressExtension(stats, interval=5)
    for key, value in {
        "fairwatch/items_new": 7,
        "fairwatch/items_unchanged": 3,
        "fairwatch/pages_fetched": 12,
        "fairwatch/pages_skipped": 4,
        "fairwatch/pages_failed": 2,
    }.items():
        stats.set_value(key, value)
    line = ext.line()
    assert line.startswith("10 documents (7 new), 12 pages fetched (")
    assert "/s), 4 skipped, 2 errors" in line


def test_progress_can_be_switched_off_and_says_why(stats) -> None:
    from scrapy.exceptions import NotConfigured

    from crawlers.extensions.progress import ProgressExtension

    with pytest.raises(NotConfigured, match="FAIRWATCH_PROGRESS_INTERVAL"):
        ProgressExtension(stats, interval=0)
