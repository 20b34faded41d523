"""Work moved off the reactor: the store process, the extraction pool, batched look-ups."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest
from scrapy import Request
from scrapy.exceptions import DropItem

from analyzers.registry import get_analyzer
from crawlers.batches import Batcher
from crawlers.errors import ExtractionError
from crawlers.extract import extract_page
from crawlers.extract.pool import ExtractionPool
from crawlers.middlewares.conditional import ConditionalRequestMiddleware
from crawlers.pipelines.store import StorePipeline
from crawlers.workers import ProcessWorker, WorkerDied, WorkerError
from fairwatch.frontier import DatabaseFrontier
from fairwatch.pipeline import DocumentPipeline
from fairwatch.store_process import StoreProcess
from storage import repository
from storage.repository import crawl_state
from storage.search.fts import Fts5Index
from tests.crawl.test_components import detail_request, record
from tests.site import pages
from tests.site.content import document


def test_store_process_stores_analyzes_indexes_and_writes_the_frontier_in_order(
    db, stats, tmp_path
) -> None:
    index = Fts5Index(tmp_path / "search.db")
    index.ensure()
    sink = DocumentPipeline(db, index=index, analyzer_for=get_analyzer, index_batch=10)
    store = StoreProcess(sink, DatabaseFrontier(db, batch=1))
    pipeline = StorePipeline(store.sink, stats)
    details = [f"http://x.gov.cn/t{i}.html" for i in range(3)]

    async def feed() -> None:
        store.frontier.expand("s", "http://x.gov.cn/index.html", details, [])
        # Stored together: both are waiting when the first batch goes.
        await asyncio.gather(*(pipeline.process_item(record(url=url)) for url in details[:2]))
        for url in details[:2]:
            store.frontier.done("s", "detail", url)
        await pipeline.close_spider()
        store.frontier.close()
        await store.shutdown()

    asyncio.run(feed())
    assert stats.get_value("fairwatch/items_new") == 2
    assert stats.get_value("fairwatch/items_flagged") == 2  # document 3 carries a breach
    assert repository.stage_counts(db)["analysis"]["done"] == 2
    assert repository.stage_counts(db)["index"]["done"] == 2  # flushed by close, in the child
    # The list page is expanded and forgotten; the one detail not stored is still there.
    assert crawl_state.frontier(db, "s") == [("detail", details[2])]
    # Reads stay in this process and see what the child committed.
    assert set(store.sink.known_many("s", details)) == set(details[:2])


def test_store_process_failure_drops_the_item_and_a_dead_one_loses_nothing(db, stats) -> None:
    store = StoreProcess(DocumentPipeline(db), None)
    pipeline = StorePipeline(store.sink, stats)
    with pytest.raises(DropItem, match="store failed"):
        asyncio.run(pipeline.process_item(record(url="")))  # refused by storage, in the child
    asyncio.run(pipeline.process_item(record()))
    os.kill(store.worker.pid, signal.SIGKILL)
    store.worker.process.join(10)
    with pytest.raises(DropItem, match="store failed"):
        asyncio.run(pipeline.process_item(record(url="http://x.gov.cn/t2.html")))
    asyncio.run(store.shutdown())
    assert stats.get_value("fairwatch/drop_reason/store_failed") == 2
    assert stats.get_value("fairwatch/items_new") == 1
    assert repository.known_document(db, "s", record().url) is not None


def test_extraction_pool_gives_what_extract_page_gives_and_keeps_the_reason() -> None:
    html = pages.trs_detail(document(3))
    url = "http://x.gov.cn/t20240101_3.html"
    pool = ExtractionPool(2)

    async def both() -> tuple:
        page = await pool.extract(html, url)
        with pytest.raises(ExtractionError) as info:
            await pool.extract("", url)
        return page, info.value

    try:
        page, error = asyncio.run(both())
    finally:
        pool.close()
    assert page == extract_page(html, url)
    assert "doc_number" in page.metadata
    with pytest.raises(ExtractionError) as inline:
        extract_page("", url)
    assert error.reason == inline.value.reason


def test_conditional_middleware_uses_the_list_pages_lookup(stats) -> None:
    asked: list[str] = []

    def lookup(source: str, url: str) -> None:
        asked.append(url)

    mw = ConditionalRequestMiddleware(lookup, stats)
    prefetched = detail_request()
    prefetched.meta["fairwatch_known"] = None  # looked up with its list page: never stored
    mw.process_request(prefetched)
    assert asked == [] and b"If-None-Match" not in prefetched.headers
    alone: Request = detail_request("http://x.gov.cn/t2.html")
    mw.process_request(alone)
    assert asked == ["http://x.gov.cn/t2.html"]


def test_known_many_is_one_lookup_of_current_versions(db) -> None:
    sink = DocumentPipeline(db)
    sink.process(record(url="http://x.gov.cn/a.html"))
    changed = record(url="http://x.gov.cn/b.html")
    sink.process(changed)
    changed.body += "\n第十条 修改。"
    changed.etag = '"e2"'
    sink.process(changed)
    urls = [f"http://x.gov.cn/{name}.html" for name in "abc"]
    known = sink.known_many("s", urls)
    assert set(known) == {"http://x.gov.cn/a.html", "http://x.gov.cn/b.html"}
    assert known["http://x.gov.cn/b.html"] == sink.known("s", "http://x.gov.cn/b.html")
    assert known["http://x.gov.cn/b.html"].etag == '"e2"'  # the current version's
    assert sink.known_many("other", ["http://x.gov.cn/a.html"]) == {}


def test_process_many_stores_a_batch_and_a_refused_record_fails_alone(db) -> None:
    sink = DocumentPipeline(db, analyzer_for=get_analyzer)
    urls = [f"http://x.gov.cn/t{i}.html" for i in range(3)]
    broken = record(url=urls[1])
    broken.metadata["when"] = object()  # not JSON: refused inside the transaction
    results = sink.process_many([record(url=urls[0]), broken, record(url=urls[2])])
    assert [getattr(r, "status", None) for r in results] == ["new", None, "new"]
    assert "metadata" in str(results[1])
    assert results[0].flagged and results[2].flagged  # analyzed in the same pass
    assert repository.known_document(db, "s", urls[1]) is None
    assert repository.stage_counts(db)["analysis"]["done"] == 2


def _double(n: int) -> int:
    if n < 0:
        raise ValueError(f"negative: {n}")
    return 2 * n


def _items(batch: list[int]) -> list[int]:
    return [_double(n) for n in batch]


def test_worker_answers_in_order_reports_errors_and_its_death() -> None:
    worker = ProcessWorker(name="test-worker")

    async def use() -> None:
        assert await asyncio.gather(*(worker.call(_double, n) for n in range(20))) == [
            2 * n for n in range(20)
        ]
        with pytest.raises(WorkerError, match="ValueError: negative: -1"):
            await worker.call(_double, -1)
        waiting = worker.call(time.sleep, 30)
        later = worker.call(_double, 1)
        os.kill(worker.pid, signal.SIGKILL)
        for future in (waiting, later):
            with pytest.raises(WorkerDied):
                await future
        with pytest.raises(WorkerDied):
            await worker.call(_double, 2)

    asyncio.run(use())
    worker.stop()
    assert not worker.process.is_alive()


def test_batcher_gathers_what_arrives_while_a_batch_is_out() -> None:
    worker = ProcessWorker(name="test-batcher")
    sizes: list[int] = []

    def submit(batch: list[int]) -> asyncio.Future:
        sizes.append(len(batch))
        return worker.call(_items, batch)

    batcher = Batcher(submit, in_flight=1)

    async def use() -> list[int]:
        results = await asyncio.gather(*(batcher(n) for n in range(50)))
        await worker.close()
        return results

    assert asyncio.run(use()) == [2 * n for n in range(50)]
    assert sum(sizes) == 50 and sizes[0] == 50  # all arrived in one turn of the loop
    assert batcher.idle
