"""The search index interface: one contract, two backends.

`storage.search.fts.Fts5Index` (embedded, SQLite FTS5 with jieba tokens) and
`storage.search.elasticsearch.ElasticsearchIndex` both implement `SearchIndex`; the same
contract tests in tests/search/ run against both. The index is derived data: it can always
be rebuilt from the database.

Semantics both backends share (the contract tests check them):

- Query text: whitespace-separated terms, all required (AND). A term matches a document
  when its words (jieba, with the project dictionary) all occur in the document, or when
  the term occurs in it as a substring (character n-grams): a word that jieba cuts
  differently, or does not know, is still found. Case-insensitive. Empty text matches all.
- Searched fields: title, body and attachments_text.
- The date of a document (`IndexedDocument.search_date`) is its publication date, or the day it
  was fetched when the page states none. `date_from`/`date_to` (inclusive), the
  `published` sorts and the `month` aggregation ("YYYY-MM") all use it. Sorting puts
  documents without a date last and breaks ties by doc_id ascending.
- Filters combine with AND; within one list (source_ids, kinds, ...) values are ORed.
  `standards` matches a document with any of the given standard ids, `sectors` one with
  any of the given ad sectors (those its findings assumed: analyzers.sectors ids),
  `grades` one whose strongest grade is any of those given. `flagged` is true
  when the grade is 明显违反 or 疑似.
- Aggregations count the documents matching the query and filters (all pages), per
  value; documents with no value are not counted.
- Highlights: up to three fragments from title, body or attachments, HTML-escaped, with
  each match wrapped in <em>…</em>.
- Pagination: `next_after` is set when more hits follow; pass it back as `after` with
  the same query to get the next page. Cursors are opaque strings (`encode_cursor`).
"""

from __future__ import annotations

import base64
import json
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from storage.errors import InvalidQuery
from storage.models import GRADES

SORTS = ("relevance", "published", "-published")
AGGREGATIONS = ("standard", "sector", "grade", "source", "region", "platform", "month")
FLAG_GRADES = ("明显违反", "疑似")
MAX_SIZE = 1000


@dataclass(kw_only=True)
class IndexedDocument:
    """What the index holds for one document version."""

    doc_id: int
    version_id: int
    source_id: str
    kind: str
    url: str
    title: str
    body: str
    attachments_text: str = ""
    issuer: str | None = None
    region: str | None = None
    platform: str | None = None
    doc_number: str | None = None
    published: date | None = None
    fetched_at: date | None = None
    standards: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    grade: str | None = None
    review_status: str | None = None

    @property
    def search_date(self) -> date | None:
        """The date filters, sorts and the month aggregation use."""
        return self.published or self.fetched_at

    @property
    def flagged(self) -> bool:
        return self.grade in FLAG_GRADES


@dataclass(kw_only=True)
class SearchQuery:
    text: str = ""
    source_ids: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    standards: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    grades: list[str] = field(default_factory=list)
    flagged: bool | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"  # relevance | published | -published
    size: int = 20
    # Opaque cursor returned by the previous page (deep pagination without offsets).
    after: str | None = None
    # Any of AGGREGATIONS: standard, sector, grade, source, region, platform, month.
    aggregations: list[str] = field(default_factory=list)

    def validate(self) -> None:
        """Raise InvalidQuery naming the first bad field."""
        if self.sort not in SORTS:
            raise InvalidQuery(
                f"sort must be one of {', '.join(SORTS)}", field="sort", value=self.sort
            )
        if not isinstance(self.size, int) or not 1 <= self.size <= MAX_SIZE:
            raise InvalidQuery(
                f"size must be between 1 and {MAX_SIZE}", field="size", value=self.size
            )
        unknown = [a for a in self.aggregations if a not in AGGREGATIONS]
        if unknown:
            raise InvalidQuery(
                f"unknown aggregation; known: {', '.join(AGGREGATIONS)}",
                field="aggregations",
                value=unknown[0],
            )
        wrong = [g for g in self.grades if g not in GRADES]
        if wrong:
            raise InvalidQuery(
                f"unknown grade; known: {', '.join(GRADES)}", field="grades", value=wrong[0]
            )
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InvalidQuery(
                "date_from is after date_to",
                field="date_from",
                value=(self.date_from, self.date_to),
            )


@dataclass(kw_only=True)
class SearchHit:
    doc_id: int
    title: str
    url: str
    source_id: str
    score: float
    highlights: list[str] = field(default_factory=list)  # fragments, matches in <em>…</em>


@dataclass(kw_only=True)
class SearchResult:
    total: int
    hits: list[SearchHit]
    next_after: str | None = None
    aggregations: dict[str, dict[str, int]] = field(default_factory=dict)


def encode_cursor(sort: str, values: list[Any]) -> str:
    """An opaque `after` token for the last hit of a page (its sort values)."""
    raw = json.dumps({"sort": sort, "values": values}, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(token: str, sort: str) -> list[Any]:
    """The sort values inside an `after` token; InvalidQuery if it is not one of ours."""
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8"))
        values = data["values"]
        cursor_sort = data["sort"]
    except (ValueError, KeyError, TypeError, UnicodeError) as exc:
        raise InvalidQuery(
            "not a cursor returned by a previous search", field="after", value=token
        ) from exc
    if cursor_sort != sort or not isinstance(values, list):
        raise InvalidQuery(
            f"cursor was made for sort {cursor_sort!r}, not {sort!r}", field="after", value=token
        )
    return values


class SearchIndex(ABC):
    """A full-text index of stored documents."""

    @abstractmethod
    def ensure(self) -> None:
        """Create the index if it does not exist."""

    @abstractmethod
    def index(self, docs: Iterable[IndexedDocument]) -> int:
        """Add or replace documents (keyed by doc_id); return how many were written."""

    @abstractmethod
    def delete(self, doc_ids: Iterable[int]) -> None: ...

    @abstractmethod
    def search(self, query: SearchQuery) -> SearchResult: ...

    @abstractmethod
    def doc_ids(self) -> set[int]:
        """Every doc_id in the index (used by `fairwatch index sync` to compare)."""

    @abstractmethod
    def indexed_versions(self) -> dict[int, int]:
        """doc_id -> version_id of everything in the index (finds stale documents)."""

    @abstractmethod
    def count(self) -> int:
        """How many documents the index holds."""

    @abstractmethod
    def rebuild(self, docs: Iterable[IndexedDocument]) -> int:
        """Replace the whole index by `docs` with no moment where search is empty; if it
        fails, the old index stays in use. Returns how many documents were written."""

    @abstractmethod
    def drop(self) -> None:
        """Delete the index and everything it stored (tests and benchmarks)."""

    @abstractmethod
    def close(self) -> None: ...

    def refresh(self) -> None:
        """Make everything indexed so far visible to search (a no-op where it already is)."""
        return None

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
