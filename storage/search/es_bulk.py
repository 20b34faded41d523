"""Bulk requests to Elasticsearch: bounded batches, retries with backoff, clear failures.

A batch closes at `chunk_docs` documents or `chunk_bytes` bytes of request body, whichever
comes first, so one huge document cannot make a request the node refuses. A whole request
that fails with 429/5xx or a connection error is retried, and so are the single documents
the node answers 429/5xx for; waits double from `initial_backoff` seconds. Documents the
node refuses for good (a mapping error) are collected and reported together after every
other document was written (`DocumentsRejected`). Batches are built in the caller's thread
and sent from a small pool of threads (the client is thread-safe), so tokenising the next
batch overlaps indexing the last ones and the node has a request for each of its cores.
Each document is serialized once, by orjson, into the bytes that are sent.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_exc

from storage.errors import IndexUnavailable
from storage.search.es_errors import (
    CLIENT_ERRORS,
    RETRY_STATUSES,
    DocumentsRejected,
    translate_es_error,
)

logger = logging.getLogger(__name__)


_RESPONSE_FIELDS = ["items.*.status", "items.*.error"]
_REASON_CHARS = 300  # a reason may quote the whole refused value


def _refusal(error: dict[str, Any]) -> str:
    """The node's reason for refusing one document, with its root cause.

    Since 8.x the item error is a generic document_parsing_exception whose caused_by chain
    holds what was actually wrong (e.g. an immense term).
    """
    parts = [f"{error.get('type')}: {str(error.get('reason'))[:_REASON_CHARS]}"]
    cause = error.get("caused_by")
    while isinstance(cause, dict):
        deepest = cause
        cause = cause.get("caused_by")
    if error.get("caused_by"):
        parts.append(
            f"caused by {deepest.get('type')}: {str(deepest.get('reason'))[:_REASON_CHARS]}"
        )
    return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class BulkItem:
    """One document's action: its doc_id and the serialized NDJSON line(s) of the request."""

    doc_id: int
    payload: bytes  # UTF-8 action line, then the source line for index actions; ends with b"\n"


def index_payload(doc_id: int, source: dict[str, Any]) -> bytes:
    """The NDJSON of one index action: serialized once, here, and sent as these bytes."""
    return b'{"index":{"_id":"%d"}}\n%b\n' % (doc_id, orjson.dumps(source))


def delete_payload(doc_id: int) -> bytes:
    return b'{"delete":{"_id":"%d"}}\n' % doc_id


@dataclass(kw_only=True)
class BulkSender:
    client: Elasticsearch
    location: str  # node URL and index, for error messages
    chunk_docs: int = 500
    chunk_bytes: int = 8 * 1024 * 1024
    max_retries: int = 3
    initial_backoff: float = 0.5
    senders: int = 2  # bulk requests in flight at once

    def send(self, items: Iterable[BulkItem], *, index: str) -> int:
        """Send every item to `index`; return how many documents were written.

        The caller's thread builds the next batch (tokenising is the expensive part) while
        `senders` threads each wait for the node to index one. A node works on one bulk
        request per write thread, so a single request in flight leaves its other cores
        idle. If any request fails for good, nothing more is sent and the error is raised
        once the requests in flight have ended; documents the node refused are raised
        together (`DocumentsRejected`) after every other document was written.
        """
        rejected: dict[int, str] = {}
        # A batch queued per sender bounds memory to about two batches per sender.
        batches: queue.Queue[list[BulkItem] | None] = queue.Queue(maxsize=self.senders)
        lock = threading.Lock()
        state: dict[str, Any] = {"written": 0, "error": None}

        def sender() -> None:
            while (chunk := batches.get()) is not None:
                if state["error"] is not None:
                    continue  # drain what was queued before the failure was seen
                try:
                    written = self._send_chunk(chunk, index, rejected, lock)
                except BaseException as exc:  # re-raised in the caller's thread below
                    with lock:
                        if state["error"] is None:
                            state["error"] = exc
                    continue
                with lock:
                    state["written"] += written

        threads = [
            threading.Thread(target=sender, name=f"es-bulk-sender-{n}", daemon=True)
            for n in range(self.senders)
        ]
        for thread in threads:
            thread.start()
        try:
            for chunk in self._chunks(items):
                if state["error"] is not None:
                    break
                batches.put(chunk)
        finally:
            for _ in threads:
                batches.put(None)
            for thread in threads:
                thread.join()
        if state["error"] is not None:
            raise state["error"]
        if rejected:
            raise DocumentsRejected(self.location, rejected)
        return int(state["written"])

    def _chunks(self, items: Iterable[BulkItem]) -> Iterator[list[BulkItem]]:
        chunk: list[BulkItem] = []
        size = 0
        for item in items:
            item_size = len(item.payload)
            if chunk and (len(chunk) >= self.chunk_docs or size + item_size > self.chunk_bytes):
                yield chunk
                chunk, size = [], 0
            chunk.append(item)
            size += item_size
        if chunk:
            yield chunk

    def _send_chunk(
        self,
        chunk: list[BulkItem],
        index: str,
        rejected: dict[int, str],
        lock: threading.Lock,
    ) -> int:
        pending = chunk
        written = 0
        attempt = 0
        while True:
            body = b"".join(item.payload for item in pending)
            try:
                # Only what we read comes back: a status per item, an error where refused.
                response = self.client.bulk(
                    operations=body, index=index, filter_path=_RESPONSE_FIELDS
                )
            except CLIENT_ERRORS as exc:
                retryable = isinstance(exc, (es_exc.ConnectionError, es_exc.ConnectionTimeout)) or (
                    isinstance(exc, es_exc.ApiError) and exc.status_code in RETRY_STATUSES
                )
                if retryable and attempt < self.max_retries:
                    self._wait(attempt, f"bulk request failed: {exc}")
                    attempt += 1
                    continue
                raise translate_es_error(
                    exc, location=self.location, action=f"writing {len(pending)} document(s)"
                ) from exc
            retry: list[BulkItem] = []
            for item, result in zip(pending, response["items"], strict=True):
                outcome = next(iter(result.values()))
                error = outcome.get("error")
                if error is None:
                    written += 1
                elif outcome.get("status") in RETRY_STATUSES:
                    retry.append(item)
                else:
                    with lock:
                        rejected[item.doc_id] = _refusal(error)
            if not retry:
                return written
            if attempt >= self.max_retries:
                raise IndexUnavailable(
                    f"{len(retry)} document(s) still refused with 429/5xx after "
                    f"{self.max_retries} retries (e.g. doc {retry[0].doc_id})",
                    location=self.location,
                )
            self._wait(attempt, f"{len(retry)} document(s) refused with 429/5xx")
            attempt += 1
            pending = retry

    def _wait(self, attempt: int, why: str) -> None:
        delay = self.initial_backoff * (2**attempt)
        logger.debug("%s: %s; retry %d in %.1fs", self.location, why, attempt + 1, delay)
        time.sleep(delay)
