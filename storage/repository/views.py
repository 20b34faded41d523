"""Plain values returned by the repository: no sessions or ORM state leave storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

StoreStatus = Literal["new", "changed", "unchanged"]


@dataclass(frozen=True, kw_only=True)
class StoreResult:
    doc_id: int
    version_id: int
    status: StoreStatus
    version_number: int = 1
    # When store_document ran the analysis too: "done" or "failed" (with the error), else
    # None (the analysis stage is pending).
    analysis: str | None = None
    analysis_error: str | None = None


@dataclass(frozen=True, kw_only=True)
class KnownDocument:
    """What a crawler needs for a conditional request and to detect a changed page."""

    doc_id: int
    version_id: int
    content_hash: str
    etag: str | None
    last_modified: str | None
    fetched_at: datetime


@dataclass(frozen=True, kw_only=True)
class RunInfo:
    id: int
    source_id: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    counts: dict[str, Any]
    errors: list[Any]
    reason: str | None
    host: str | None = None
    pid: int | None = None
    mode: str = "single"
    pages: int = 0
    items_new: int = 0
    items_changed: int = 0
    items_unchanged: int = 0
    skipped: int = 0
    error_count: int = 0
    bytes: int = 0
    duration_s: float | None = None


@dataclass(frozen=True, kw_only=True)
class StageInfo:
    version_id: int
    stage: str
    status: str
    error: str | None
    attempts: int
    updated_at: datetime


@dataclass(frozen=True, kw_only=True)
class ReviewView:
    id: int
    status: str
    reviewer: str
    note: str | None
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class FindingView:
    id: int
    version_id: int
    standard: str
    rule: str
    grade: str
    field: str
    start: int
    end: int
    quote: str
    citation: str
    explanation: str
    exception: str | None
    sector: str | None
    reviews: list[ReviewView] = field(default_factory=list)
    obsolete: str | None = None  # revised | repealed | removed: the quoted text is withdrawn
    obsolete_at: datetime | None = None
    # On text read from media: the lines quoted, each with image and box or time range.
    location: list[dict[str, Any]] | None = None

    @property
    def review_status(self) -> str | None:
        return self.reviews[-1].status if self.reviews else None


@dataclass(frozen=True, kw_only=True)
class AttachmentView:
    id: int
    position: int
    url: str
    filename: str
    file_type: str
    size: int | None
    sha256: str | None
    text: str | None
    error: str | None

    @property
    def status(self) -> str:
        return "failed" if self.error else "ok"


@dataclass(frozen=True, kw_only=True)
class VersionView:
    id: int
    document_id: int
    source_id: str
    kind: str
    platform: str | None
    url: str
    number: int
    content_hash: str
    title: str
    body: str
    metadata: dict[str, Any]
    doc_number: str | None
    issuer: str | None
    published: date | None
    etag: str | None
    last_modified: str | None
    html_sha256: str | None
    screenshot_path: str | None
    has_screenshot: bool
    fetched_at: datetime
    run_id: int | None
    attachments: list[AttachmentView] = field(default_factory=list)
    findings: list[FindingView] = field(default_factory=list)
    stages: dict[str, StageInfo] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class DocumentSummary:
    """One row of `list_documents`: the document and its latest version."""

    id: int
    source_id: str
    url: str
    kind: str
    platform: str | None
    title: str
    doc_number: str | None
    issuer: str | None
    published: date | None
    fetched_at: datetime
    versions: int
    findings: int
    grade: str | None  # highest grade among the latest version's findings

    @property
    def flagged(self) -> bool:
        return self.grade in FLAG_GRADES


@dataclass(frozen=True, kw_only=True)
class DocumentPage:
    items: list[DocumentSummary]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True, kw_only=True)
class DocumentDetail:
    id: int
    source_id: str
    url: str
    kind: str
    platform: str | None
    first_seen_at: datetime
    last_seen_at: datetime
    versions: list[VersionView]  # oldest first; the last one is current
    state: str = "current"  # current | repealed | removed
    state_seen_at: datetime | None = None

    @property
    def latest(self) -> VersionView:
        return self.versions[-1]


# Grades that make a document "flagged" (DESIGN: 提示 is worth a look, not a flag).
FLAG_GRADES = ("明显违反", "疑似")
