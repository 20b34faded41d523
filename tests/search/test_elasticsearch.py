"""Elasticsearch-specific behaviour, against the real node of scripts/elasticsearch.sh.

The search semantics shared with the embedded index are in test_contract.py (which runs
on both backends); here: the index layout, the alias swap of a rebuild, bulk batching and
retries, refused documents, and errors when the node is down.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import jieba
import pytest
from elasticsearch import Elasticsearch

from storage.errors import IndexUnavailable, SearchError
from storage.search.base import SearchQuery
from storage.search.elasticsearch import ElasticsearchIndex
from storage.search.es_errors import DocumentsRejected
from storage.search.es_schema import FORMAT_VERSION
from storage.search.tokens import DEFAULT_DICTIONARY
from tests.search.search_corpus import CORPUS, EXPECTED, doc

pytestmark = pytest.mark.elasticsearch


@pytest.fixture
def raw(es_url: str) -> Iterator[Elasticsearch]:
    client = Elasticsearch([es_url])
    yield client
    client.close()


# -- a fault-injecting proxy in front of the real node ---------------------------------------
# It forwards every request unchanged, except that the first `fail_bulk` bulk requests are
# answered with `status` (429 or 5xx) as an overloaded node answers; it counts the bulk
# requests and the documents in each, so tests can check batching and retries.


class _ProxyHandler(BaseHTTPRequestHandler):
    server: _ProxyServer

    def _handle(self) -> None:
        proxy = self.server
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if "/_bulk" in self.path and proxy.count_bulk(body):
            error = {"type": "es_rejected_execution_exception", "reason": "injected by the test"}
            payload = json.dumps(
                {"error": {**error, "root_cause": [error]}, "status": proxy.status}
            ).encode()
            self.send_response(proxy.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-elastic-product", "Elasticsearch")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        bulk = "/_bulk" in self.path
        if bulk:
            proxy.enter_bulk()
        conn = http.client.HTTPConnection(proxy.target.hostname, proxy.target.port, timeout=30)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            conn.request(self.command, self.path, body=body or None, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
            if bulk:
                proxy.leave_bulk()
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, target: str, fail_bulk: int, status: int) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.target = urlsplit(target)
        self.fail_bulk = fail_bulk
        self.status = status
        self.bulk_requests = 0
        self.bulk_docs: list[int] = []  # documents per bulk request that reached the node
        self.bulk_delay = 0.0  # seconds each forwarded bulk request is held, so they overlap
        self.in_flight = 0
        self.most_in_flight = 0  # the most bulk requests the node was working on at once
        self.lock = threading.Lock()

    def enter_bulk(self) -> None:
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        time.sleep(self.bulk_delay)

    def leave_bulk(self) -> None:
        with self.lock:
            self.in_flight -= 1

    def count_bulk(self, body: bytes) -> bool:
        """Count one bulk request; True if it is to be refused."""
        with self.lock:
            self.bulk_requests += 1
            if self.fail_bulk > 0:
                self.fail_bulk -= 1
                return True
            self.bulk_docs.append(body.count(b'{"index"') + body.count(b'{"delete"'))
            return False


class FaultProxy:
    def __init__(
        self, target: str, *, fail_bulk: int = 0, status: int = 429, bulk_delay: float = 0.0
    ) -> None:
        self.server = _ProxyServer(target, fail_bulk, status)
        self.server.bulk_delay = bulk_delay
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def bulk_requests(self) -> int:
        return self.server.bulk_requests

    @property
    def bulk_docs(self) -> list[int]:
        return self.server.bulk_docs

    @property
    def most_in_flight(self) -> int:
        return self.server.most_in_flight

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ids(result) -> set[int]:
    return {h.doc_id for h in result.hits}


# -- layout --------------------------------------------------------------------------------


def test_ensure_creates_a_versioned_index_behind_an_alias_from_a_template(
    es_index: ElasticsearchIndex, raw: Elasticsearch, prefix: str
) -> None:
    es_index.ensure()
    es_index.ensure()  # idempotent
    assert set(raw.indices.get_alias(name=prefix)) == {f"{prefix}-v1"}
    template = raw.indices.get_index_template(name=prefix)["index_templates"][0]
    assert template["index_template"]["index_patterns"] == [f"{prefix}-v*"]
    mapping = raw.indices.get_mapping(index=f"{prefix}-v1")[f"{prefix}-v1"]["mappings"]
    assert mapping["_meta"]["fairwatch_format"] == FORMAT_VERSION
    assert mapping["properties"]["body_words"]["analyzer"] == "whitespace"
    assert mapping["properties"]["body"]["analyzer"] == "fw_grams"
    for name in (
        "source_id",
        "issuer",
        "region",
        "kind",
        "platform",
        "doc_number",
        "standards",
        "grade",
        "review_status",
    ):
        assert mapping["properties"][name]["type"] == "keyword", name
    assert mapping["properties"]["published"]["type"] == "date"


def test_documents_carry_jieba_words_and_keep_the_original_text(
    es_index: ElasticsearchIndex, raw: Elasticsearch, prefix: str
) -> None:
    es_index.ensure()
    es_index.index([CORPUS[0]])
    es_index.refresh()
    stored = raw.get(index=prefix, id="1")["_source"]
    assert stored["body"] == CORPUS[0].body
    assert "body_words" not in stored  # derived: not kept in _source
    # 本地企业 is one word thanks to the project dictionary; its parts are indexed too.
    for word in ("本地企业", "本地", "企业", "政府采购"):
        found = raw.search(index=prefix, query={"term": {"body_words": word}})["hits"]["hits"]
        assert [h["_id"] for h in found] == ["1"], word
    # The bigram field finds substrings that are no word at all.
    found = raw.search(index=prefix, query={"match_phrase": {"body": "业优"}})["hits"]["hits"]
    assert [h["_id"] for h in found] == ["1"]


def test_planted_unknown_word_is_really_missing_from_the_dictionaries() -> None:
    # The contract's out-of-vocabulary case must stay out of vocabulary to test anything.
    word = "珀莱雅红宝石"
    assert word in EXPECTED
    assert jieba.get_FREQ(word) is None
    assert word not in Path(DEFAULT_DICTIONARY).read_text(encoding="utf-8")


def test_indexed_versions_report_what_the_index_holds(es_index: ElasticsearchIndex) -> None:
    es_index.ensure()
    es_index.index(CORPUS)
    es_index.refresh()
    assert es_index.indexed_versions() == {d.doc_id: d.version_id for d in CORPUS}
    assert es_index.count() == len(CORPUS)


# -- rebuild -------------------------------------------------------------------------------


def test_rebuild_swaps_the_alias_without_an_empty_moment(
    es_index: ElasticsearchIndex, raw: Elasticsearch, prefix: str
) -> None:
    es_index.ensure()
    es_index.index(CORPUS)
    es_index.refresh()
    seen_during: list[set[int]] = []

    def new_docs() -> Iterator:
        for d in CORPUS[:3]:
            # Mid-rebuild, searches still read the complete old index.
            seen_during.append(ids(es_index.search(SearchQuery(size=100))))
            yield d

    assert es_index.rebuild(new_docs()) == 3
    assert seen_during == [{d.doc_id for d in CORPUS}] * 3
    assert set(raw.indices.get_alias(name=prefix)) == {f"{prefix}-v2"}
    assert not raw.indices.exists(index=f"{prefix}-v1")
    assert es_index.doc_ids() == {1, 2, 3}
    assert ids(es_index.search(SearchQuery(text="本地企业"))) == {1}


def test_failed_rebuild_keeps_the_old_index_and_drops_the_new(
    es_index: ElasticsearchIndex, raw: Elasticsearch, prefix: str
) -> None:
    es_index.ensure()
    es_index.index(CORPUS)
    es_index.refresh()

    def broken() -> Iterator:
        yield CORPUS[0]
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        es_index.rebuild(broken())
    assert set(raw.indices.get_alias(name=prefix)) == {f"{prefix}-v1"}
    assert not raw.indices.exists(index=f"{prefix}-v2")
    assert es_index.doc_ids() == {d.doc_id for d in CORPUS}


# -- bulk ----------------------------------------------------------------------------------


def test_bulk_batches_are_bounded_by_count_and_bytes(es_url: str, prefix: str) -> None:
    with FaultProxy(es_url) as proxy:
        # One sender, so the requests reach the proxy in the order they were cut.
        index = ElasticsearchIndex(proxy.url, index_prefix=prefix, chunk_docs=2, senders=1)
        try:
            index.ensure()
            assert index.index(CORPUS[:5]) == 5
            assert proxy.bulk_docs == [2, 2, 1]
            proxy.bulk_docs.clear()
            big = [doc(10 + n, body="长" * 3000) for n in range(3)]  # ~9 KB of UTF-8 each
            sized = ElasticsearchIndex(
                proxy.url, index_prefix=prefix, chunk_bytes=16 * 1024, senders=1
            )
            assert sized.index(big) == 3
            sized.close()
            assert proxy.bulk_docs == [1, 1, 1]
        finally:
            index.drop()
            index.close()


@pytest.mark.parametrize("senders", [1, 3])
def test_bulk_requests_are_in_flight_concurrently_up_to_senders(
    es_url: str, prefix: str, senders: int
) -> None:
    docs = [doc(100 + n, body=f"第{n}份通知") for n in range(12)]
    with FaultProxy(es_url, bulk_delay=0.1) as proxy:
        index = ElasticsearchIndex(proxy.url, index_prefix=prefix, chunk_docs=1, senders=senders)
        try:
            index.ensure()
            assert index.index(docs) == len(docs)
            assert proxy.most_in_flight == senders
            assert sorted(proxy.bulk_docs) == [1] * len(docs)
            index.refresh()
            assert index.doc_ids() == {d.doc_id for d in docs}
        finally:
            index.drop()
            index.close()


@pytest.mark.parametrize("status", [429, 503])
def test_bulk_retries_an_overloaded_node_with_backoff(
    es_url: str, prefix: str, status: int
) -> None:
    with FaultProxy(es_url, fail_bulk=2, status=status) as proxy:
        index = ElasticsearchIndex(proxy.url, index_prefix=prefix, initial_backoff=0.01)
        try:
            index.ensure()
            assert index.index(CORPUS) == len(CORPUS)
            index.refresh()
            assert proxy.bulk_requests == 3  # two refused, the third went through
            assert index.doc_ids() == {d.doc_id for d in CORPUS}
        finally:
            index.drop()
            index.close()


def test_bulk_gives_up_after_max_retries_with_a_clear_error(es_url: str, prefix: str) -> None:
    with FaultProxy(es_url, fail_bulk=100, status=429) as proxy:
        index = ElasticsearchIndex(
            proxy.url, index_prefix=prefix, max_retries=2, initial_backoff=0.01
        )
        try:
            index.ensure()
            with pytest.raises(IndexUnavailable, match="HTTP 429") as err:
                index.index(CORPUS)
            assert proxy.bulk_requests == 3
            assert prefix in str(err.value)
        finally:
            index.drop()
            index.close()


def test_refused_documents_are_named_and_the_others_written(es_index: ElasticsearchIndex) -> None:
    es_index.ensure()
    # A keyword longer than Lucene's 32 KB term limit: the node refuses that document only.
    bad = doc(99, region="区" * 20000)
    with pytest.raises(DocumentsRejected) as err:
        es_index.index([*CORPUS, bad])
    assert err.value.doc_ids == [99]
    assert "99" in str(err.value) and "immense" in str(err.value)
    es_index.refresh()
    assert es_index.doc_ids() == {d.doc_id for d in CORPUS}


# -- errors --------------------------------------------------------------------------------


def test_node_down_is_index_unavailable_naming_the_node(prefix: str) -> None:
    url = f"http://fw:secret@127.0.0.1:{closed_port()}"
    index = ElasticsearchIndex(url, index_prefix=prefix, max_retries=1, initial_backoff=0.01)
    try:
        actions = (index.ensure, lambda: index.index(CORPUS), lambda: index.search(SearchQuery()))
        for action in actions:
            with pytest.raises(IndexUnavailable, match="cannot reach Elasticsearch") as err:
                action()
            message = str(err.value)
            assert "127.0.0.1" in message and prefix in message
            assert "secret" not in message  # credentials never reach logs or messages
    finally:
        index.close()


def test_writes_fail_fast_for_a_while_after_the_node_was_found_down(prefix: str) -> None:
    index = ElasticsearchIndex(
        f"http://127.0.0.1:{closed_port()}",
        index_prefix=prefix,
        max_retries=2,
        initial_backoff=0.2,
        cooldown=1.0,
    )
    try:
        started = time.monotonic()
        with pytest.raises(IndexUnavailable, match="cannot reach"):
            index.index(CORPUS)
        assert time.monotonic() - started >= 0.6  # waited 0.2 + 0.4 s between three tries
        started = time.monotonic()
        with pytest.raises(IndexUnavailable, match="fairwatch index sync"):
            index.index(CORPUS)
        assert time.monotonic() - started < 0.2  # no retries during the cool-down
        time.sleep(1.0)
        with pytest.raises(IndexUnavailable, match="cannot reach"):  # tries again afterwards
            index.index(CORPUS)
    finally:
        index.close()


def test_search_before_ensure_says_how_to_create_the_index(es_url: str, prefix: str) -> None:
    index = ElasticsearchIndex(es_url, index_prefix=prefix)
    try:
        with pytest.raises(IndexUnavailable, match="fairwatch index rebuild"):
            index.search(SearchQuery(text="指定"))
    finally:
        index.close()


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"url": "127.0.0.1:9200"}, "http:// or https://"),
        ({"index_prefix": "Fair Watch"}, "index_prefix"),
        ({"chunk_docs": 0}, "chunk_docs"),
        ({"senders": 0}, "senders"),
    ],
)
def test_bad_settings_are_refused_by_name(kwargs: dict, needle: str) -> None:
    values = {"url": "http://127.0.0.1:9200", **kwargs}
    url = values.pop("url")
    with pytest.raises(ValueError, match=needle):
        ElasticsearchIndex(url, **values)


def test_search_errors_share_the_storage_tree() -> None:
    assert issubclass(DocumentsRejected, SearchError)


# -- the server, and several node URLs ---------------------------------------------------------


def test_the_node_is_elasticsearch_8(raw: Elasticsearch) -> None:
    # What the client and the README promise: the tests run against an 8.x server.
    info = raw.info()
    assert info["version"]["number"].split(".")[0] == "8", info
    assert info["tagline"] == "You Know, for Search" and info["cluster_name"]


def _dead_url() -> str:
    return f"http://127.0.0.1:{closed_port()}"


def test_reads_go_on_when_one_of_several_urls_is_down(es_url: str, prefix: str) -> None:
    # Nothing listens on the first URL: every read must still answer, from the live node.
    index = ElasticsearchIndex(f"{_dead_url()},{es_url}", index_prefix=prefix)
    try:
        index.ensure()
        assert index.index(CORPUS) == len(CORPUS)
        index.refresh()
        for _ in range(4):  # each read starts at the next URL in turn
            found = index.search(SearchQuery(text="本地企业", size=50))
            assert {h.doc_id for h in found.hits} == EXPECTED["本地企业"]
            assert index.count() == len(CORPUS)
        assert set(index.indexed_versions()) == {d.doc_id for d in CORPUS}
    finally:
        index.drop()
        index.close()


def test_reads_fail_clearly_when_every_url_is_down(prefix: str) -> None:
    index = ElasticsearchIndex(f"{_dead_url()},{_dead_url()}", index_prefix=prefix, timeout=2)
    try:
        with pytest.raises(IndexUnavailable, match="cannot reach Elasticsearch"):
            index.search(SearchQuery(text="本地企业"))
    finally:
        index.close()


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("", "empty"),
        (" , ", "empty"),
        ("http://127.0.0.1:9200,ftp://127.0.0.1:9200", "'ftp://127.0.0.1:9200'"),
        ("127.0.0.1:9200", "'127.0.0.1:9200'"),
    ],
)
def test_bad_search_urls_are_named(url: str, needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        ElasticsearchIndex(url)
