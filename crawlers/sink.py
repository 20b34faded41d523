"""What the crawler hands documents to: a `DocumentSink`, injected through the settings.

The crawler knows nothing of databases or analyzers; `fairwatch.pipeline.DocumentPipeline`
implements this protocol (store, analyze, index, alert) and the crawl runner puts it in
the Scrapy setting `FAIRWATCH_SINK`. Any spider (policy or ad) yielding `DocumentRecord`
items reuses the same sink through `crawlers.pipelines.store.StorePipeline`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from storage.records import DocumentRecord

StoreStatus = Literal["new", "changed", "unchanged"]


@dataclass(frozen=True)
class KnownPage:
    """What is stored about a URL, for conditional requests."""

    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None


@dataclass
class SinkResult:
    status: StoreStatus
    doc_id: int | None = None
    flagged: bool = False
    # Later stages that failed (stage name -> error); the stored document is kept for retry.
    stage_errors: dict[str, str] = field(default_factory=dict)
    # How many versions each failure concerns when a stage works in batches (default 1).
    stage_failed_versions: dict[str, int] = field(default_factory=dict)
    # What storing it revealed about the document's life: revised, repealed, restored.
    events: list[str] = field(default_factory=list)


class DocumentSink(Protocol):
    def known(self, source_id: str, url: str) -> KnownPage | None:
        """The stored validators of url, or None for a URL never stored."""

    def process(self, record: DocumentRecord) -> SinkResult:
        """Store the record first, then run the later stages; raise only if storing failed."""

    # Optional (a sink may lack them): gone(source_id, url, detail) -> bool records that a
    # stored page is no longer on the site; listed_urls(source_id) -> list[str] gives the
    # stored pages a backfill re-checks when no list page links to them any more.
