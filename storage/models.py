"""SQLAlchemy models: the schema of everything fairwatch stores.

The schema itself is created and changed only by the Alembic migrations in
storage/migrations/ (`Database.upgrade()`); a test checks that these models and the
migrations agree. Timestamps are stored in UTC and always come back timezone-aware.

    sources ─< crawl_runs
       ├───── source_states (backfill progress)
       ├─────< crawl_frontier (list and detail pages still to fetch)
       └─────< documents ─┬< document_versions ─┬< attachments
                          │                     ├< media_parts (images, video, captions)
                          │                     ├< findings ─< reviews
                          │                     └< stage_states (analysis, index, media)
                          └< document_events (revised, repealed, removed, restored)
    service_leases (which `fairwatch run` may fire jobs), operator_events
    users ─┬< web_sessions (console logins), login_attempts (rate limiting)
           └< api_tokens (the JSON API)
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, column_property, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

DOCUMENT_KINDS = ("policy", "ad")
# interrupted: its process died (found on the next start); timed_out: killed past the limit.
RUN_STATUSES = ("running", "succeeded", "partial", "failed", "interrupted", "timed_out")
RUN_MODES = ("single", "backfill", "incremental")
DOCUMENT_STATES = ("current", "repealed", "removed")
FINDING_OBSOLETE = ("revised", "repealed", "removed")
DOCUMENT_EVENTS = ("revised", "repealed", "removed", "restored")
BACKFILL_STATES = ("pending", "running", "done")
FRONTIER_ROLES = ("list", "detail")
STAGES = ("analysis", "index", "media")
MEDIA_TYPES = ("image", "video", "captions", "live")
STAGE_STATUSES = ("pending", "done", "failed")
# 确认违规, 误报, 已整改, 需复核
REVIEW_STATUSES = ("confirmed", "false_alarm", "rectified", "needs_review")
ROLES = ("admin", "reviewer", "monitor", "viewer")
GRADES = ("明显违反", "疑似", "提示")  # most to least severe


# Ids are referenced from outside the database (alerts, exports, the index): SQLite must not
# hand a deleted row's id to a new row, which it does without AUTOINCREMENT.
_NO_ID_REUSE = {"sqlite_autoincrement": True}


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and returned timezone-aware on every backend.

    SQLite keeps no zone; PostgreSQL does. Naive input is taken to be UTC already.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


class Source(Base):
    """A configured source (one YAML file in config/sources/)."""

    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    issuer: Mapped[str | None] = mapped_column(String(300))
    region: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default="policy")
    platform: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (CheckConstraint(_in("kind", DOCUMENT_KINDS), name="kind"),)


class CrawlRun(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="running")
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    errors: Mapped[list[Any]] = mapped_column(default=list)
    reason: Mapped[str | None] = mapped_column(Text)  # why a run failed, in one line
    # Who ran it, so a later start can tell a dead runner from a live one.
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(20), default="single")
    # The headline counts, copied out of `counts` so health queries need no JSON functions.
    pages: Mapped[int] = mapped_column(Integer, default=0)
    items_new: Mapped[int] = mapped_column(Integer, default=0)
    items_changed: Mapped[int] = mapped_column(Integer, default=0)
    items_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    bytes: Mapped[int] = mapped_column(Integer, default=0)
    duration_s: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        CheckConstraint(_in("status", RUN_STATUSES), name="status"),
        CheckConstraint(_in("mode", RUN_MODES), name="mode"),
        Index("ix_crawl_runs_status", "status"),
        _NO_ID_REUSE,
    )


class Document(Base):
    """A page or item, unique per source and canonical URL; its content lives in versions."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"))
    url: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    platform: Mapped[str | None] = mapped_column(String(100), index=True)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    # current, repealed (废止/失效 seen in its text or metadata) or removed from the site.
    state: Mapped[str] = mapped_column(String(20), default="current")
    state_seen_at: Mapped[datetime | None]

    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", order_by="DocumentVersion.number"
    )

    __table_args__ = (
        UniqueConstraint("source_id", "url"),
        CheckConstraint(_in("kind", DOCUMENT_KINDS), name="kind"),
        CheckConstraint(_in("state", DOCUMENT_STATES), name="state"),
        _NO_ID_REUSE,
    )


class DocumentVersion(Base):
    """What a document said at one point in time; a changed page gets a new version."""

    __tablename__ = "document_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per document
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    # Copied out of metadata so that lists and filters need no JSON functions.
    doc_number: Mapped[str | None] = mapped_column(String(200))
    issuer: Mapped[str | None] = mapped_column(String(300))
    published: Mapped[date | None] = mapped_column(Date, index=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    html_sha256: Mapped[str | None] = mapped_column(String(64))
    screenshot_path: Mapped[str | None] = mapped_column(Text)
    # Deferred: lists and detail views must not pull every PNG; see get_screenshot().
    screenshot_png: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    fetched_at: Mapped[datetime]
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    document: Mapped[Document] = relationship(back_populates="versions")
    attachments: Mapped[list[Attachment]] = relationship(order_by="Attachment.position")
    findings: Mapped[list[Finding]] = relationship(order_by="Finding.id")
    stages: Mapped[list[StageState]] = relationship()
    media_parts: Mapped[list[MediaPart]] = relationship(order_by="MediaPart.position")

    __table_args__ = (
        UniqueConstraint("document_id", "number"),
        Index("ix_document_versions_document_id_content_hash", "document_id", "content_hash"),
        CheckConstraint("number >= 1", name="number"),
        _NO_ID_REUSE,
    )


DocumentVersion.has_screenshot = column_property(  # type: ignore[attr-defined]
    DocumentVersion.__table__.c.screenshot_png.is_not(None)
)


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(Text)
    filename: Mapped[str] = mapped_column(Text)
    file_type: Mapped[str] = mapped_column(String(20))
    size: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)  # why no text was extracted

    __table_args__ = (
        UniqueConstraint("version_id", "position"),
        CheckConstraint("size IS NULL OR size >= 0", name="size"),
        _NO_ID_REUSE,
    )

    @property
    def status(self) -> str:
        return "failed" if self.error else "ok"


class MediaPart(Base):
    """One image, video, caption track or live-room file of a version and the text read
    from it (media/), or why none could be: a corrupt file is recorded, never retried."""

    __tablename__ = "media_parts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(Text)  # where it came from; "screenshot" for the evidence
    size: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    # The bytes as captured (None: the version's screenshot, or fetched by the media stage).
    data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    text: Mapped[str | None] = mapped_column(Text)
    lines: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    engine: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(20))  # corrupt, timeout, tool, fetch...
    error: Mapped[str | None] = mapped_column(Text)
    seconds: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("version_id", "position"),
        CheckConstraint(_in("media_type", MEDIA_TYPES), name="media_type"),
        CheckConstraint(_in("status", STAGE_STATUSES), name="status"),
        _NO_ID_REUSE,
    )


class Finding(Base):
    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("document_versions.id", ondelete="CASCADE"), index=True
    )
    standard: Mapped[str] = mapped_column(String(20), index=True)
    rule: Mapped[str] = mapped_column(String(200))
    grade: Mapped[str] = mapped_column(String(10))
    field: Mapped[str] = mapped_column(String(50), default="body")
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)
    citation: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str] = mapped_column(Text)
    exception: Mapped[str | None] = mapped_column(Text)
    sector: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the text it quotes no longer stands: revised, repealed or removed (and when).
    obsolete: Mapped[str | None] = mapped_column(String(20))
    obsolete_at: Mapped[datetime | None]
    # Findings on text from media: the lines quoted, each with image and box or time range.
    location: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)

    reviews: Mapped[list[Review]] = relationship(order_by="Review.id")

    __table_args__ = (
        CheckConstraint(_in("grade", GRADES), name="grade"),
        CheckConstraint('start >= 0 AND "end" >= start', name="span"),
        CheckConstraint(
            f"obsolete IS NULL OR {_in('obsolete', FINDING_OBSOLETE)}", name="obsolete"
        ),
    )


class Review(Base):
    """A reviewer's decision on a finding; the latest review is the finding's status."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int] = mapped_column(
        ForeignKey("findings.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    reviewer: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (CheckConstraint(_in("status", REVIEW_STATUSES), name="status"), _NO_ID_REUSE)


class StageState(Base):
    """Progress of one derived step (analysis, index) for one version, so it can be retried."""

    __tablename__ = "stage_states"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("document_versions.id", ondelete="CASCADE"), primary_key=True
    )
    stage: Mapped[str] = mapped_column(String(20), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        CheckConstraint(_in("stage", STAGES), name="stage"),
        CheckConstraint(_in("status", STAGE_STATUSES), name="status"),
        Index("ix_stage_states_stage_status", "stage", "status"),
    )


OUTBOX_STATUSES = ("pending", "sending", "sent", "failed")


class AlertOutbox(Base):
    """One alert for one route and channel, written with the findings that cause it.

    `dedup_key` is the stable identity of what is alerted (a finding: source, URL, standard,
    rule and normalised quote), so the unique constraint makes a re-crawl, a new version with
    the same finding, a retry or a restart unable to queue it twice. `open_key` is set only
    while an operator alert is unsent: the same problem is not queued again until the first
    one went out. `alerts/` owns the reads and writes (alerts/outbox.py).
    """

    __tablename__ = "alert_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    route: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # finding | operator | test
    dedup_key: Mapped[str] = mapped_column(String(200))
    open_key: Mapped[str | None] = mapped_column(String(300))
    group_key: Mapped[str] = mapped_column(String(200))  # rows sent together in one message
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[str | None] = mapped_column(String(100))
    version_id: Mapped[int | None] = mapped_column(Integer)
    finding_id: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("route", "channel", "dedup_key"),
        UniqueConstraint("route", "channel", "open_key"),
        CheckConstraint(_in("status", OUTBOX_STATUSES), name="status"),
        Index("ix_alert_outbox_status_due_at", "status", "due_at"),
        _NO_ID_REUSE,
    )


class DocumentEvent(Base):
    """A change in a document's life seen by a crawl: revised, repealed, removed, restored."""

    __tablename__ = "document_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    detail: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (CheckConstraint(_in("kind", DOCUMENT_EVENTS), name="kind"), _NO_ID_REUSE)


class SourceState(Base):
    """Per-source crawl state: whether its whole archive has been fetched (backfill)."""

    __tablename__ = "source_states"

    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), primary_key=True)
    backfill: Mapped[str] = mapped_column(String(20), default="pending")
    backfill_requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    backfill_started_at: Mapped[datetime | None]
    backfill_done_at: Mapped[datetime | None]
    backfill_run_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (CheckConstraint(_in("backfill", BACKFILL_STATES), name="backfill"),)


class FrontierEntry(Base):
    """A list or detail page a crawl found and has not finished: the next crawl resumes it."""

    __tablename__ = "crawl_frontier"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"))
    url: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(20))
    run_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("source_id", "role", "url"),
        CheckConstraint(_in("role", FRONTIER_ROLES), name="role"),
    )


class ServiceLease(Base):
    """The leader lease: only its holder's scheduler fires jobs, until expires_at."""

    __tablename__ = "service_leases"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(300))
    acquired_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class OperatorEvent(Base):
    """Something the operator must hear of: a failing source, a missed run, a layout change."""

    __tablename__ = "operator_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(50), index=True)
    source_id: Mapped[str | None] = mapped_column(String(100), index=True)
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # One event per key: a detector firing again for the same episode records nothing.
    dedup_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (_NO_ID_REUSE,)


class User(Base):
    """A console account; the password is kept only as an argon2 hash."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"), _NO_ID_REUSE)


class WebSession(Base):
    """A server-side console session: the cookie holds a random token, the row its hash."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class ApiToken(Base):
    """A bearer token of the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]

    __table_args__ = (_NO_ID_REUSE,)


class LoginAttempt(Base):
    """A failed console login, counted per account name and per client address."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    client: Mapped[str] = mapped_column(String(100), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
