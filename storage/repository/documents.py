"""Storing crawled documents: one call, one transaction, a new version only on change."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.db import Database
from storage.errors import InvalidRecord
from storage.models import (
    DOCUMENT_KINDS,
    STAGES,
    Attachment,
    Document,
    DocumentVersion,
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
from storage.repository.views import KnownDocument, StoreResult

logger = logging.getLogger(__name__)


def store_document(db: Database, record: DocumentRecord, run_id: int | None = None) -> StoreResult:
    """Store `record` as a new document, a new version of a known one, or nothing new.

    The status is "new" (first time seen), "changed" (content hash differs from the current
    version: a new version is added) or "unchanged" (only last-seen time, run and the
    conditional-request headers are refreshed). New versions get pending analysis and index
    stages. Everything happens in one transaction: a failure stores nothing.
    """
    _check_record(record)
    digest = record.content_hash  # of the record as received, so crawlers can compare
    with db.session(context=f"store document {record.url} of {record.source_id}") as session:
        source = ensure_source_row(session, record.source_id, kind=record.kind)
        doc = session.scalars(
            select(Document).where(
                Document.source_id == record.source_id, Document.url == record.url
            )
        ).one_or_none()
        now = utcnow()
        if doc is None:
            doc = Document(
                source_id=record.source_id,
                url=record.url,
                kind=record.kind,
                platform=record.metadata.get("platform") or source.platform,
                first_seen_at=now,
                last_seen_at=now,
                last_run_id=run_id,
            )
            session.add(doc)
            session.flush()
            version = _add_version(session, doc.id, 1, record, digest, run_id)
            status = "new"
        else:
            current = session.scalars(
                select(DocumentVersion)
                .where(DocumentVersion.document_id == doc.id)
                .order_by(DocumentVersion.number.desc())
                .limit(1)
            ).one()
            doc.last_seen_at = now
            doc.last_run_id = run_id if run_id is not None else doc.last_run_id
            if current.content_hash == digest:
                # Same content: keep the version, refresh what the next conditional request needs.
                current.etag = record.etag or current.etag
                current.last_modified = record.last_modified or current.last_modified
                version, status = current, "unchanged"
            else:
                version = _add_version(session, doc.id, current.number + 1, record, digest, run_id)
                status = "changed"
        session.flush()
        result = StoreResult(
            doc_id=doc.id, version_id=version.id, status=status, version_number=version.number
        )
    logger.debug(
        "stored %s: %s (doc %d, version %d)",
        record.url,
        status,
        result.doc_id,
        result.version_id,
        extra={"source_id": record.source_id, "url": record.url, "run_id": run_id},
    )
    return result


def known_document(db: Database, source_id: str, url: str) -> KnownDocument | None:
    """The current version's hash and conditional-request headers, or None if never stored."""
    stmt = (
        select(Document.id, DocumentVersion)
        .join(DocumentVersion, DocumentVersion.document_id == Document.id)
        .where(Document.source_id == source_id, Document.url == url)
        .order_by(DocumentVersion.number.desc())
        .limit(1)
    )
    with db.session(context=f"look up {url} of {source_id}") as session:
        row = session.execute(stmt).one_or_none()
        if row is None:
            return None
        doc_id, version = row
        return KnownDocument(
            doc_id=doc_id,
            version_id=version.id,
            content_hash=version.content_hash,
            etag=version.etag,
            last_modified=version.last_modified,
            fetched_at=version.fetched_at,
        )


def _add_version(
    session: Session,
    doc_id: int,
    number: int,
    record: DocumentRecord,
    digest: str,
    run_id: int | None,
) -> DocumentVersion:
    metadata = check_json(record.metadata, field="metadata")
    version = DocumentVersion(
        document_id=doc_id,
        number=number,
        content_hash=digest,
        title=strip_nul(record.title),
        body=strip_nul(record.body),
        meta=metadata,
        doc_number=_short(metadata.get("doc_number"), 200),
        issuer=_short(metadata.get("issuer"), 300),
        published=parse_date(metadata.get("published")),
        etag=record.etag,
        last_modified=record.last_modified,
        html_sha256=record.html_sha256,
        screenshot_png=record.screenshot_png,
        screenshot_path=metadata.get("screenshot_path"),
        fetched_at=record.fetched_at,
        run_id=run_id,
    )
    session.add(version)
    session.flush()
    for position, att in enumerate(record.attachments):
        session.add(
            Attachment(
                version_id=version.id,
                position=position,
                url=strip_nul(att.url),
                filename=strip_nul(att.filename),
                file_type=att.file_type.lower(),
                size=att.size,
                sha256=att.sha256,
                text=strip_nul(att.text),
                error=strip_nul(att.error),
            )
        )
    for stage in STAGES:
        session.add(StageState(version_id=version.id, stage=stage, status="pending"))
    return version


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
