"""The production search index: Elasticsearch 8.x (the official client of the same major).

Documents live in a versioned index `<prefix>-v<N>` reached through the alias `<prefix>`;
every versioned index is created from the composable template `<prefix>`
(storage.search.es_schema). `rebuild` fills `<prefix>-v<N+1>` while searches still read
the old one, then moves the alias in one atomic request and drops the old index, so search
is never empty. Writes go through bounded bulk requests with retries
(storage.search.es_bulk); client errors become storage.errors (storage.search.es_errors).

    index = ElasticsearchIndex("http://127.0.0.1:59200", index_prefix="fairwatch")
    cluster = ElasticsearchIndex("http://10.0.0.1:9200,http://10.0.0.2:9200", replicas=1)
    index.ensure()
    index.index(documents)
    index.refresh()
    result = index.search(SearchQuery(text="本地企业", aggregations=["standard"]))

Production: see README.md, "Pointing production at an Elasticsearch cluster".
"""

from __future__ import annotations

import itertools
import logging
import re
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_exc

from storage.errors import IndexUnavailable, InvalidQuery, SearchError
from storage.search.base import IndexedDocument, SearchIndex, SearchQuery, SearchResult
from storage.search.es_bulk import BulkItem, BulkSender, delete_payload, index_payload
from storage.search.es_errors import CLIENT_ERRORS, RETRY_STATUSES, translate_es_error
from storage.search.es_query import build_request, parse_response
from storage.search.es_schema import FORMAT_VERSION, document_source, index_template
from storage.search.tokens import DEFAULT_DICTIONARY, ChineseTokenizer

logger = logging.getLogger(__name__)

_PREFIX = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,200}$")
_SCAN_PAGE = 5000


def _safe_url(url: str) -> str:
    """The URL without user:password, for messages and logs."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def split_urls(url: str) -> list[str]:
    """The node URLs of `url`: one URL, or several separated by commas (a cluster)."""
    urls = [u.strip() for u in url.split(",") if u.strip()]
    if not urls:
        raise ValueError("Elasticsearch URL is empty")
    for u in urls:
        if not u.startswith(("http://", "https://")):
            raise ValueError(f"Elasticsearch URL must start with http:// or https://, got {u!r}")
    return urls


class ElasticsearchIndex(SearchIndex):
    """SearchIndex on an Elasticsearch 8.x node or cluster.

    `url` is one node or several, comma-separated: the client spreads requests over them and
    moves on to the next when one is unreachable (our retries, see BulkSender, give it the
    chance). It may embed credentials (https://user:password@host:9200); `username`/`password`,
    `ca_certs` and `verify_certs` configure them explicitly. `shards`/`replicas` apply to
    indices created from now on (a single dev node needs 0 replicas to be green). Writes go
    in bulk requests of at most `chunk_docs` documents or `chunk_bytes` bytes, `senders` of
    them in flight at once.
    """

    def __init__(
        self,
        url: str,
        *,
        index_prefix: str = "fairwatch",
        dictionary: Path | str | None = DEFAULT_DICTIONARY,
        username: str | None = None,
        password: str | None = None,
        ca_certs: str | None = None,
        verify_certs: bool = True,
        timeout: float = 30.0,
        shards: int = 1,
        replicas: int = 0,
        chunk_docs: int = 500,
        chunk_bytes: int = 8 * 1024 * 1024,
        senders: int = 2,
        max_retries: int = 3,
        initial_backoff: float = 0.5,
        cooldown: float = 30.0,
    ) -> None:
        urls = split_urls(url)
        if not _PREFIX.match(index_prefix):
            raise ValueError(
                "index_prefix must be lower-case letters, digits, '-', '_' or '.', "
                f"starting with a letter or digit; got {index_prefix!r}"
            )
        if chunk_docs < 1 or chunk_bytes < 1024:
            raise ValueError(
                f"chunk_docs must be >= 1 and chunk_bytes >= 1024 (got {chunk_docs}, {chunk_bytes})"
            )
        if senders < 1:
            raise ValueError(f"senders must be >= 1 (got {senders})")
        self.url = url
        self.alias = index_prefix
        self.shards = shards
        self.replicas = replicas
        self.location = f"{','.join(_safe_url(u) for u in urls)} [{index_prefix}]"
        self.tokenizer = ChineseTokenizer(dictionary)
        options: dict[str, Any] = {
            "request_timeout": timeout,
            # Retries are ours (BulkSender), so they back off and are counted in one place.
            "max_retries": 0,
            "verify_certs": verify_certs,
        }
        if username is not None:
            options["basic_auth"] = (username, password or "")
        if ca_certs:
            options["ca_certs"] = ca_certs
        try:
            # On a cluster, a request whose node is unreachable moves to the next node at once
            # (every request we send may be repeated: bulk actions carry their _id). Answers
            # with an error status are left to our retries, which back off.
            self.client = Elasticsearch(
                urls, **{**options, "max_retries": len(urls) - 1, "retry_on_status": ()}
            )
        except (ValueError, TypeError) as exc:
            raise SearchError(
                f"{self.location}: client configuration refused while connecting: {exc}"
            ) from exc
        # Reads are idempotent: on a cluster each node also gets a client of its own, and a
        # read that finds its node gone (or answering 5xx) is sent to the next node at once, so
        # searches keep answering while one is down. One client per node, because the shared
        # client's pool sets aside every node that answered 5xx once (e.g. a write refused
        # while the master was away) and would then send reads to the dead one.
        self._readers = [self.client]
        if len(urls) > 1:
            self._readers = [Elasticsearch([u], **options) for u in urls]
        self._turn = itertools.count()
        self._bulk = BulkSender(
            client=self.client,
            location=self.location,
            chunk_docs=chunk_docs,
            chunk_bytes=chunk_bytes,
            senders=senders,
            max_retries=max_retries,
            initial_backoff=initial_backoff,
        )
        # After writes gave up on an unreachable node, later writes fail at once for
        # `cooldown` seconds instead of each waiting through its retries (a crawl keeps
        # going; its documents stay pending for `fairwatch index sync`).
        self.cooldown = cooldown
        self._down_since: float | None = None

    def __repr__(self) -> str:
        return f"ElasticsearchIndex({self.location})"

    # -- plumbing -------------------------------------------------------------------------

    def _call(self, action: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except CLIENT_ERRORS as exc:
            raise translate_es_error(exc, location=self.location, action=action) from exc

    def _read(self, method: str, **kwargs: Any) -> Any:
        """`client.<method>(**kwargs)` on the next node, trying the others if it is down."""
        start = next(self._turn)
        last: Exception | None = None
        for k in range(len(self._readers)):
            client = self._readers[(start + k) % len(self._readers)]
            try:
                return getattr(client, method)(**kwargs)
            except (es_exc.ConnectionError, es_exc.ConnectionTimeout) as exc:
                last = exc
            except es_exc.ApiError as exc:
                if exc.status_code not in RETRY_STATUSES:
                    raise
                last = exc
        assert last is not None
        raise last

    def _versioned(self) -> list[str]:
        """Existing `<prefix>-v<N>` indices, oldest first."""
        found = self._call(
            "listing indices",
            self.client.indices.get,
            index=f"{self.alias}-v*",
            ignore_unavailable=True,
            allow_no_indices=True,
            expand_wildcards="open,closed",
        )
        pattern = re.compile(rf"^{re.escape(self.alias)}-v(\d+)$")
        numbered = [(int(m.group(1)), name) for name in found if (m := pattern.match(name))]
        return [name for _, name in sorted(numbered)]

    def _aliased(self) -> list[str]:
        """Indices the alias points to (normally one)."""
        if not self._call("reading the alias", self.client.indices.exists_alias, name=self.alias):
            return []
        found = self._call("reading the alias", self.client.indices.get_alias, name=self.alias)
        return sorted(found)

    def _next_name(self) -> str:
        versions = [int(n.rsplit("-v", 1)[1]) for n in self._versioned()]
        return f"{self.alias}-v{max(versions, default=0) + 1}"

    def _put_template(self) -> None:
        self._call(
            "installing the index template",
            self.client.indices.put_index_template,
            name=self.alias,
            **index_template(self.alias, shards=self.shards, replicas=self.replicas),
        )

    def _items(self, docs: Iterable[IndexedDocument]) -> Iterator[BulkItem]:
        for doc in docs:
            source = document_source(doc, self.tokenizer)
            yield BulkItem(doc.doc_id, index_payload(doc.doc_id, source))

    # -- SearchIndex ----------------------------------------------------------------------

    def ensure(self) -> None:
        """Install the template and create `<prefix>-v1` behind the alias if there is none."""
        self._put_template()
        aliased = self._aliased()
        if aliased:
            self._check_format(aliased[-1])
            return
        name = self._next_name()
        try:
            self.client.indices.create(index=name, aliases={self.alias: {}})
            logger.info("created search index %s behind alias %s", name, self.alias)
        except es_exc.BadRequestError as exc:
            # Another process created it first: fine if the alias now exists.
            if exc.error != "resource_already_exists_exception" or not self._aliased():
                raise translate_es_error(
                    exc, location=self.location, action=f"creating index {name}"
                ) from exc
        except CLIENT_ERRORS as exc:
            raise translate_es_error(
                exc, location=self.location, action=f"creating index {name}"
            ) from exc

    def _check_format(self, name: str) -> None:
        mapping = self._call("reading the mapping", self.client.indices.get_mapping, index=name)
        meta = mapping.get(name, {}).get("mappings", {}).get("_meta", {})
        if meta.get("fairwatch_format") != FORMAT_VERSION:
            logger.warning(
                "search index %s has format %s, this code writes format %s: "
                "run `fairwatch index rebuild`",
                name,
                meta.get("fairwatch_format"),
                FORMAT_VERSION,
            )

    def index(self, docs: Iterable[IndexedDocument]) -> int:
        """Add or replace documents through the alias; return how many were written."""
        return self._write(self._items(docs))

    def delete(self, doc_ids: Iterable[int]) -> None:
        self._write(BulkItem(i, delete_payload(i)) for i in doc_ids)

    def _write(self, items: Iterable[BulkItem]) -> int:
        now = time.monotonic()
        if self._down_since is not None and now - self._down_since < self.cooldown:
            raise IndexUnavailable(
                f"unreachable {now - self._down_since:.0f}s ago; not writing for "
                f"{self.cooldown - (now - self._down_since):.0f}s more "
                "(documents stay pending for `fairwatch index sync`)",
                location=self.location,
            )
        try:
            written = self._bulk.send(items, index=self.alias)
        except IndexUnavailable:
            self._down_since = time.monotonic()
            raise
        self._down_since = None
        return written

    def refresh(self) -> None:
        self._call("refreshing", self.client.indices.refresh, index=self.alias)

    def search(self, query: SearchQuery) -> SearchResult:
        query.validate()
        terms = self.tokenizer.query_terms(query.text)
        body = build_request(query, terms)
        try:
            # A shard copy lost mid-search is retried on another copy by the node; if none
            # answers, an error beats a result that silently misses documents.
            response = self._read(
                "search", index=self.alias, allow_partial_search_results=False, **body
            )
        except es_exc.BadRequestError as exc:
            # A 400 on a search we built is a cursor the node cannot use, or our bug.
            if query.after:
                raise InvalidQuery(
                    f"the node refused the cursor: {exc.error}", field="after", value=query.after
                ) from exc
            raise translate_es_error(
                exc, location=self.location, action=f"searching {query.text!r}"
            ) from exc
        except CLIENT_ERRORS as exc:
            raise translate_es_error(
                exc, location=self.location, action=f"searching {query.text!r}"
            ) from exc
        return parse_response(response, query)

    def indexed_versions(self) -> dict[int, int]:
        """doc_id -> version_id of everything in the index (what `index sync` compares)."""
        out: dict[int, int] = {}
        after: list[Any] | None = None
        while True:
            body: dict[str, Any] = {
                "query": {"match_all": {}},
                "sort": [{"doc_id": "asc"}],
                "size": _SCAN_PAGE,
                "_source": False,
                "docvalue_fields": ["doc_id", "version_id"],
            }
            if after is not None:
                body["search_after"] = after
            response = self._call(
                "listing indexed documents",
                self._read,
                "search",
                index=self.alias,
                allow_partial_search_results=False,
                **body,
            )
            hits = response["hits"]["hits"]
            for hit in hits:
                fields = hit["fields"]
                out[int(fields["doc_id"][0])] = int(fields["version_id"][0])
            if len(hits) < _SCAN_PAGE:
                return out
            after = hits[-1]["sort"]

    def doc_ids(self) -> set[int]:
        return set(self.indexed_versions())

    def count(self) -> int:
        return int(self._call("counting", self._read, "count", index=self.alias)["count"])

    def close(self) -> None:
        for client in {id(c): c for c in [self.client, *self._readers]}.values():
            client.close()

    # -- maintenance ----------------------------------------------------------------------

    def rebuild(self, docs: Iterable[IndexedDocument]) -> int:
        """Index `docs` into a new versioned index, swap the alias atomically, drop the old.

        Searches keep reading the old index until the swap. If indexing fails, the new
        index is deleted and the alias is left as it was.
        """
        self._put_template()
        name = self._next_name()
        # Nobody searches the new index yet: skip periodic refreshes while it fills.
        self._call(
            "creating the new index",
            self.client.indices.create,
            index=name,
            settings={"index": {"refresh_interval": "-1"}},
        )
        try:
            written = self._bulk.send(self._items(docs), index=name)
            self._call(
                "restoring the refresh interval",
                self.client.indices.put_settings,
                index=name,
                settings={"index": {"refresh_interval": None}},
            )
            self._call("refreshing the new index", self.client.indices.refresh, index=name)
        except BaseException:
            # Whatever stopped us (the node, the database feeding docs, Ctrl-C), the alias
            # still points to the old index: only the unfinished new one goes.
            self._drop_quietly(name)
            raise
        old = self._aliased()
        actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": self.alias}} for i in old]
        actions.append({"add": {"index": name, "alias": self.alias}})
        self._call("swapping the alias", self.client.indices.update_aliases, actions=actions)
        logger.info("alias %s now points to %s (%d documents)", self.alias, name, written)
        for stale in [i for i in self._versioned() if i != name]:
            self._call(f"dropping {stale}", self.client.indices.delete, index=stale)
            logger.info("dropped old search index %s", stale)
        return written

    def _drop_quietly(self, name: str) -> None:
        try:
            self.client.indices.delete(index=name, ignore_unavailable=True)
        except CLIENT_ERRORS:
            logger.warning("could not delete the unfinished index %s", name, exc_info=True)

    def drop(self) -> None:
        """Delete every `<prefix>-v<N>` index and the template (tests and benchmarks)."""
        for name in self._versioned():
            self._call(f"dropping {name}", self.client.indices.delete, index=name)
        if self._call(
            "reading the template", self.client.indices.exists_index_template, name=self.alias
        ):
            self._call(
                "dropping the template", self.client.indices.delete_index_template, name=self.alias
            )
