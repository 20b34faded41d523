"""The search index interface: one contract, two backends.

`storage.search.fts.Fts5Index` (embedded, SQLite FTS5 with jieba tokens) and
`storage.search.elasticsearch.ElasticsearchIndex` both implement `SearchIndex`; the same
contract tests in tests/search/ run against both. The index is derived data: it can always
be rebuilt from the database.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date


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
    grade: str | None = None
    review_status: str | None = None


@dataclass(kw_only=True)
class SearchQuery:
    text: str = ""
    source_ids: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    standards: list[str] = field(default_factory=list)
    flagged: bool | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"  # relevance | published | -published
    size: int = 20
    # Opaque cursor returned by the previous page (deep pagination without offsets).
    after: str | None = None
    aggregations: list[str] = field(default_factory=list)  # standard, source, region, platform, month


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
    def close(self) -> None: ...
