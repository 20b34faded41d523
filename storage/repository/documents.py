"""Storing crawled documents: one call, one transaction, a new version only on change.

The write path uses Core statements built once at import: it runs for every crawled page,
and ORM unit-of-work bookkeeping and statement building cost several times the SQL itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.orm import Session

from storage.db import Database
from storage.errors import InvalidRecord
from storage.models import (
    DOCUMENT_KINDS,
    MEDIA_TYPES,
    STAGES,
    Attachment,
    Document,
    DocumentVersion,
    Finding,
    MediaPart,
    StageState,
    utcnow,
)
from storage.records import DocumentRecord
from storage.repository._common import (
    check_choice,
    check_json,
    check_text,
    ensure_source_row,
    parse_date,
    strip_nul,
)
from storage.repository.findings import AfterFindings, FindingLike, _finding_rows
from storage.repository.views import KnownDocument, StoreResult

logger = logging.getLogger(__name__)

Analysis = Callable[[], Iterable[FindingLike]]  # the findings of the record being stored

_DOCS = Document.__table__
_VERSIONS = DocumentVersion.__table__
_CURRENT = (
    select(_DOCS.c.id, _VERSIONS.c.id, _VERSIONS.c.number, _VERSIONS.c.content_hash)
    .join(_VERSIONS, _VERSIONS.c.document_id == _DOCS.c.id)
    .where(_DOCS.c.source_id == bindparam("source_id"), _DOCS.c.url == bindparam("url"))
    .order_by(_VERSIONS.c.number.desc())
    .limit(1)
)
_INSERT_DOCUMENT = insert(_DOCS).returning(_DOCS.c.id)
_INSERT_VERSION = insert(_VERSIONS).returning(_VERSIONS.c.id)
_INSERT_ATTACHMENT = insert(Attachment.__table__)
_INSERT_MEDIA = insert(MediaPart.__table__)
_INSERT_FINDING = insert(Finding.__table__)
_STAGES = StageState.__table__
_INSERT_STAGE = insert(_STAGES)
_TOUCH_DOCUMENT = (
    update(_DOCS)
    .where(_DOCS.c.id == bindparam("doc_id"))
    .values(last_seen_at=bindparam("now"), last_run_id=bindparam("run_id"))
)


def store_document(
    db: Database,
    record: DocumentRecord,
    run_id: int | None = None,
    *,
    analysis: Analysis | None = None,
    after_findings: AfterFindings | None = None,
) -> StoreResult:
    """Store `record` as a new document, a new version of a known one, or nothing new.

    The status is "new" (first time seen), "changed" (content hash differs from the current
    version: a new version is added) or "unchanged" (only last-seen time, run and the
    conditional-request headers are refreshed). New versions get pending analysis and index
    stages. Everything happens in one transaction: a failure stores nothing.

    `analysis`, if given, is called for a new or changed version only and returns its
    findings: they are saved in the same transaction and the analysis stage is recorded
    done, which spares a second transaction per document. If it raises, or its findings
    cannot be stored, the version is still stored with its analysis stage failed (the
    error in the stage and in `StoreResult.analysis_error`) for a later retry.

    `after_findings(conn, version_id)`, if given, runs within the savepoint of the findings
    once they are inserted (the alert outbox is written there): findings and what it writes
    commit together, and if it fails the findings go with it and analysis is marked failed,
    so a retry redoes both.
    """
    _check_record(record)
    with db.session(
        context=f"store document {record.url} of {record.source_id}", write=True
    ) as session:
        result, source_platform = _store_one(
            db, session, record, run_id, analysis, after_findings
        )
    db.known_sources[record.source_id] = source_platform  # committed now: see _source_platform
    _log_stored(record, result, run_id)
    return result


def store_documents(
    db: Database,
    batch: list[tuple[DocumentRecord, Analysis | None]],
    run_id: int | None = None,
    *,
    after_findings: AfterFindings | None = None,
) -> list[StoreResult | InvalidRecord]:
    """store_document for many records in one transaction: a result for each record.

    A record that is not valid gets its InvalidRecord in its place and the others are
    stored. Any other failure raises and stores none of them: the caller can then store
    them one by one to find the one the database refuses. Crawls store their pages this
    way: one commit and one wait for the write lock per batch instead of per page.
    """
    out: list[StoreResult | InvalidRecord] = []
    valid: list[tuple[int, DocumentRecord, Analysis | None]] = []
    for n, (record, analysis) in enumerate(batch):
        try:
            _check_record(record)
        except InvalidRecord as exc:
            out.append(exc)
            continue
        out.append(None)  # type: ignore[arg-type]  # filled in below
        valid.append((n, record, analysis))
    platforms: dict[str, str | None] = {}
    with db.session(context=f"store {len(valid)} document(s)", write=True) as session:
        for n, record, analysis in valid:
            out[n], platforms[record.source_id] = _store_one(
                db, session, record, run_id, analysis, after_findings
            )
    db.known_sources.update(platforms)  # committed now: see _source_platform
    for n, record, _ in valid:
        _log_stored(record, out[n], run_id)
    return out


def _store_one(
    db: Database,
    session: Session,
    record: DocumentRecord,
    run_id: int | None,
    analysis: Analysis | None,
    after_findings: AfterFindings | None,
) -> tuple[StoreResult, str | None]:
    """The work of store_document inside an open transaction: (result, source platform)."""
    digest = record.content_hash  # of the record as received, so crawlers can compare
    source_platform = _source_platform(db, session, record)
    conn = session.connection()
    now = utcnow()
    current = conn.execute(_CURRENT, {"source_id": record.source_id, "url": record.url}).first()
    if current is None:
        row = {
            "source_id": record.source_id,
            "url": record.url,
            "kind": record.kind,
            "platform": record.metadata.get("platform") or source_platform,
            "first_seen_at": now,
            "last_seen_at": now,
            "last_run_id": run_id,
        }
        doc_id = conn.execute(_INSERT_DOCUMENT, row).scalar_one()
        number, status = 1, "new"
        version_id, outcome = _insert_analysed_version(
            conn, doc_id, number, record, digest, run_id, analysis, after_findings
        )
    else:
        doc_id, version_id, number, current_hash = current
        outcome = _NOT_ANALYSED
        last_run = run_id
        if last_run is None:
            last_run = conn.execute(
                select(_DOCS.c.last_run_id).where(_DOCS.c.id == doc_id)
            ).scalar()
        conn.execute(_TOUCH_DOCUMENT, {"doc_id": doc_id, "now": now, "run_id": last_run})
        if current_hash == digest:
            status = "unchanged"
            # Same content: keep the version, refresh what the next conditional request needs.
            headers = {
                key: value
                for key, value in (
                    ("etag", record.etag),
                    ("last_modified", record.last_modified),
                )
                if value
            }
            if headers:
                conn.execute(
                    update(_VERSIONS).where(_VERSIONS.c.id == version_id).values(**headers)
                )
        else:
            number, status = number + 1, "changed"
            version_id, outcome = _insert_analysed_version(
                conn, doc_id, number, record, digest, run_id, analysis, after_findings
            )
    result = StoreResult(
        doc_id=doc_id,
        version_id=version_id,
        status=status,
        version_number=number,
        analysis=outcome.status,
        analysis_error=outcome.error,
    )
    return result, source_platform


def _log_stored(record: DocumentRecord, result: StoreResult, run_id: int | None) -> None:
    logger.debug(
        "stored %s: %s (doc %d, version %d)",
        record.url,
        result.status,
        result.doc_id,
        result.version_id,
        extra={"source_id": record.source_id, "url": record.url, "run_id": run_id},
    )


def _source_platform(db: Database, session: Session, record: DocumentRecord) -> str | None:
    """The source's platform, creating the source row on first sight.

    Sources are never deleted, so an id cached after a commit spares the query; the cache
    is filled only after the transaction that created the row has committed.
    """
    if record.source_id in db.known_sources:
        return db.known_sources[record.source_id]
    return ensure_source_row(session, record.source_id, kind=record.kind).platform


@dataclass(frozen=True)
class _Outcome:
    """What became of the analysis run within store_document (status None: not run)."""

    status: str | None = None
    error: str | None = None
    rows: list[dict[str, object]] = field(default_factory=list)


_NOT_ANALYSED = _Outcome()


def _run_analysis(analysis: Analysis | None) -> _Outcome:
    """Call the analysis and check its findings; any failure becomes a failed outcome."""
    if analysis is None:
        return _NOT_ANALYSED
    try:
        rows = _finding_rows(analysis())
    except Exception as exc:  # an analyzer bug must not cost the document its storage
        return _Outcome("failed", f"{type(exc).__name__}: {exc}")
    return _Outcome("done", rows=rows)


def _insert_analysed_version(
    conn: Connection,
    doc_id: int,
    number: int,
    record: DocumentRecord,
    digest: str,
    run_id: int | None,
    analysis: Analysis | None,
    after_findings: AfterFindings | None = None,
) -> tuple[int, _Outcome]:
    """Insert the version, run the analysis if given and save its findings with it."""
    outcome = _run_analysis(analysis)
    version_id = _insert_version(conn, doc_id, number, record, digest, run_id, outcome)
    if outcome.rows:
        try:
            # A savepoint: findings the database refuses (a value too long for its
            # column on PostgreSQL) must not roll back the document itself.
            with conn.begin_nested():
                conn.execute(
                    _INSERT_FINDING,
                    [
                        {**row, "version_id": version_id, "created_at": utcnow()}
                        for row in outcome.rows
                    ],
                )
                if after_findings is not None:
                    after_findings(conn, version_id)
        except Exception as exc:  # the driver may refuse a value before the database does
            outcome = _Outcome("failed", f"{type(exc).__name__}: {exc}")
            logger.error("findings of version %d not stored: %s", version_id, exc)
            # Inserted as done with its one attempt above: only the outcome changes.
            conn.execute(
                update(_STAGES)
                .where(_STAGES.c.version_id == version_id, _STAGES.c.stage == "analysis")
                .values(status="failed", error=outcome.error)
            )
    return version_id, outcome


def _insert_version(
    conn: Connection,
    doc_id: int,
    number: int,
    record: DocumentRecord,
    digest: str,
    run_id: int | None,
    outcome: _Outcome = _NOT_ANALYSED,
) -> int:
    """Insert a version with its attachments and stages; returns its id.

    The stages are pending, except analysis when `outcome` says it already ran: then it is
    done or failed with one attempt, as mark_stage would have left it.
    """
    metadata = check_json(record.metadata, field="metadata")
    now = utcnow()
    row: dict[str, Any] = {
        "document_id": doc_id,
        "number": number,
        "content_hash": digest,
        "title": strip_nul(record.title),
        "body": strip_nul(record.body),
        "metadata": metadata,
        "doc_number": _short(metadata.get("doc_number"), 200),
        "issuer": _short(metadata.get("issuer"), 300),
        "published": parse_date(metadata.get("published")),
        "etag": record.etag,
        "last_modified": record.last_modified,
        "html_sha256": record.html_sha256,
        "screenshot_png": record.screenshot_png,
        "screenshot_path": metadata.get("screenshot_path"),
        "fetched_at": record.fetched_at,
        "run_id": run_id,
        "created_at": now,
    }
    version_id = conn.execute(_INSERT_VERSION, row).scalar_one()
    if record.attachments:
        conn.execute(
            _INSERT_ATTACHMENT,
            [
                {
                    "version_id": version_id,
                    "position": position,
                    "url": strip_nul(att.url),
                    "filename": strip_nul(att.filename),
                    "file_type": att.file_type.lower(),
                    "size": att.size,
                    "sha256": att.sha256,
                    "text": strip_nul(att.text),
                    "error": strip_nul(att.error),
                }
                for position, att in enumerate(record.attachments)
            ],
        )
    ran = {"analysis": outcome} if outcome.status is not None else {}
    has_media = _insert_media(conn, version_id, record, now)
    conn.execute(
        _INSERT_STAGE,
        [
            {
                "version_id": version_id,
                "stage": stage,
                # Nothing to read: a version without media has its media stage done at once.
                "status": ran[stage].status if stage in ran
                else ("done" if stage == "media" and not has_media else "pending"),
                "error": ran[stage].error if stage in ran else None,
                "attempts": 1 if stage in ran else 0,
                "updated_at": now,
            }
            for stage in STAGES
        ],
    )
    return version_id


def _insert_media(conn: Connection, version_id: int, record: DocumentRecord, now: Any) -> bool:
    """The media parts of an ad version (its screenshot first); True if there are any."""
    if record.kind != "ad":
        return False
    parts: list[dict[str, Any]] = []
    if record.screenshot_png:
        parts.append({"media_type": "image", "url": "screenshot", "data": None,
                      "size": len(record.screenshot_png), "sha256": None})
    for m in record.media:
        check_choice(m.media_type, MEDIA_TYPES, field="media.media_type")
        parts.append({"media_type": m.media_type, "url": strip_nul(m.url), "data": m.data,
                      "size": len(m.data) if m.data is not None else None, "sha256": m.sha256})
    if parts:
        conn.execute(_INSERT_MEDIA, [
            {**p, "version_id": version_id, "position": n, "status": "pending", "updated_at": now}
            for n, p in enumerate(parts)
        ])
    return bool(parts)


_KNOWN = (
    select(
        _DOCS.c.id,
        _VERSIONS.c.id,
        _VERSIONS.c.content_hash,
        _VERSIONS.c.etag,
        _VERSIONS.c.last_modified,
        _VERSIONS.c.fetched_at,
    )
    .join(_VERSIONS, _VERSIONS.c.document_id == _DOCS.c.id)
    .where(_DOCS.c.source_id == bindparam("source_id"), _DOCS.c.url == bindparam("url"))
    .order_by(_VERSIONS.c.number.desc())
    .limit(1)
)


def known_document(db: Database, source_id: str, url: str) -> KnownDocument | None:
    """The current version's hash and conditional-request headers, or None if never stored.

    Crawlers ask this before every detail request, on the thread that drives downloads:
    a prebuilt Core query of the six columns needed, not an ORM load of the whole version
    (its body and screenshot included).
    """
    with db.session(context=f"look up {url} of {source_id}") as session:
        row = session.execute(_KNOWN, {"source_id": source_id, "url": url}).first()
    if row is None:
        return None
    doc_id, version_id, digest, etag, last_modified, fetched_at = row
    return KnownDocument(
        doc_id=doc_id,
        version_id=version_id,
        content_hash=digest,
        etag=etag,
        last_modified=last_modified,
        fetched_at=fetched_at,
    )


def known_documents(db: Database, source_id: str, urls: Iterable[str]) -> dict[str, KnownDocument]:
    """known_document for many URLs of one source in one query: {url: current version}.

    A list page's detail links are looked up together, instead of one query per request.
    """
    wanted = list(dict.fromkeys(urls))
    if not wanted:
        return {}
    found: dict[str, KnownDocument] = {}
    numbers: dict[str, int] = {}  # the current version is the highest number
    with db.session(context=f"look up {len(wanted)} URL(s) of {source_id}") as session:
        for start in range(0, len(wanted), 500):  # under every driver's parameter limit
            rows = session.execute(
                _KNOWN_MANY, {"source_id": source_id, "urls": wanted[start : start + 500]}
            )
            for url, doc_id, version_id, number, digest, etag, last_modified, fetched_at in rows:
                if numbers.get(url, 0) >= number:
                    continue
                numbers[url] = number
                found[url] = KnownDocument(
                    doc_id=doc_id,
                    version_id=version_id,
                    content_hash=digest,
                    etag=etag,
                    last_modified=last_modified,
                    fetched_at=fetched_at,
                )
    return found


_KNOWN_MANY = (
    select(
        _DOCS.c.url,
        _DOCS.c.id,
        _VERSIONS.c.id,
        _VERSIONS.c.number,
        _VERSIONS.c.content_hash,
        _VERSIONS.c.etag,
        _VERSIONS.c.last_modified,
        _VERSIONS.c.fetched_at,
    )
    .join(_VERSIONS, _VERSIONS.c.document_id == _DOCS.c.id)
    .where(
        _DOCS.c.source_id == bindparam("source_id"),
        _DOCS.c.url.in_(bindparam("urls", expanding=True)),
    )
)


def _short(value: object, limit: int) -> str | None:
    if value is None or value == "":
        return None
    return str(value)[:limit]


def _check_record(record: DocumentRecord) -> None:
    check_text(record.source_id, field="source_id")
    check_text(record.url, field="url")
    check_choice(record.kind, DOCUMENT_KINDS, field="kind")
    if not isinstance(record.title, str):
        raise InvalidRecord("must be a string", field="title", value=record.title)
    if not isinstance(record.body, str):
        raise InvalidRecord("must be a string", field="body", value=type(record.body).__name__)
    if not isinstance(record.fetched_at, datetime):
        raise InvalidRecord("must be a datetime", field="fetched_at", value=record.fetched_at)
    if not isinstance(record.metadata, dict):
        raise InvalidRecord("must be a dict", field="metadata", value=record.metadata)
    for n, att in enumerate(record.attachments):
        if not att.file_type or not isinstance(att.file_type, str):
            raise InvalidRecord(
                "needs a file type", field=f"attachments[{n}].file_type", value=att.file_type
            )
        if att.text is None and not att.error:
            raise InvalidRecord(
                "has neither text nor the reason extraction failed",
                field=f"attachments[{n}]",
                value=att.url,
            )
