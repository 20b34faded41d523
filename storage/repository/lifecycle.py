"""The life of a document after it was first stored: revised, repealed, removed, restored.

Each change is a `document_events` row with the date it was seen and the run that saw
it; the document's `state` says where it stands now, and the findings whose text no
longer stands are marked `obsolete` (revised: those of the older versions; repealed or
removed: all of the document's) with the time, so reviewers see at once that a flagged
clause was withdrawn. A finding is never deleted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from storage.db import Database
from storage.errors import DocumentNotFound
from storage.models import (
    DOCUMENT_STATES,
    Document,
    DocumentEvent,
    DocumentVersion,
    Finding,
    utcnow,
)
from storage.repository._common import check_choice

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class DocumentEventView:
    id: int
    document_id: int
    kind: str
    seen_at: datetime
    run_id: int | None
    detail: str | None


def record_revision(
    db: Database, doc_id: int, version_id: int, *, run_id: int | None = None
) -> None:
    """A new version replaced the current one: record it, mark older findings revised."""
    now = utcnow()
    with db.session(context=f"record revision of document {doc_id}", write=True) as session:
        number = session.scalar(
            select(DocumentVersion.number).where(DocumentVersion.id == version_id)
        )
        session.add(
            DocumentEvent(
                document_id=doc_id,
                kind="revised",
                seen_at=now,
                run_id=run_id,
                detail=f"version {number} replaced the previous one",
            )
        )
        older = select(DocumentVersion.id).where(
            DocumentVersion.document_id == doc_id, DocumentVersion.id != version_id
        )
        session.execute(
            update(Finding)
            .where(Finding.version_id.in_(older), Finding.obsolete.is_(None))
            .values(obsolete="revised", obsolete_at=now)
        )


def set_state(
    db: Database,
    doc_id: int,
    state: str,
    *,
    run_id: int | None = None,
    detail: str | None = None,
) -> bool:
    """Move the document to current | repealed | removed; False if it already was there.

    Repealed or removed: every finding of the document still standing becomes obsolete.
    Back to current (the page is there again, the notice gone): event `restored`, and the
    findings of its current version stand again.
    """
    check_choice(state, DOCUMENT_STATES, field="state")
    now = utcnow()
    with db.session(context=f"mark document {doc_id} {state}", write=True) as session:
        doc = session.get(Document, doc_id)
        if doc is None:
            raise DocumentNotFound(doc_id)
        if doc.state == state:
            return False
        previous, doc.state, doc.state_seen_at = doc.state, state, now
        kind = "restored" if state == "current" else state
        session.add(
            DocumentEvent(document_id=doc_id, kind=kind, seen_at=now, run_id=run_id, detail=detail)
        )
        versions = select(DocumentVersion.id).where(DocumentVersion.document_id == doc_id)
        if state == "current":
            latest = session.scalar(
                select(DocumentVersion.id)
                .where(DocumentVersion.document_id == doc_id)
                .order_by(DocumentVersion.number.desc())
                .limit(1)
            )
            session.execute(
                update(Finding)
                .where(Finding.version_id == latest, Finding.obsolete == previous)
                .values(obsolete=None, obsolete_at=None)
            )
        else:
            session.execute(
                update(Finding)
                .where(Finding.version_id.in_(versions), Finding.obsolete.is_(None))
                .values(obsolete=state, obsolete_at=now)
            )
    logger.info("document %d is now %s: %s", doc_id, state, detail or "")
    return True


def document_events(db: Database, doc_id: int) -> list[DocumentEventView]:
    """Oldest first."""
    stmt = (
        select(DocumentEvent).where(DocumentEvent.document_id == doc_id).order_by(DocumentEvent.id)
    )
    with db.session(context=f"read events of document {doc_id}") as session:
        return [
            DocumentEventView(
                id=e.id,
                document_id=e.document_id,
                kind=e.kind,
                seen_at=e.seen_at,
                run_id=e.run_id,
                detail=e.detail,
            )
            for e in session.scalars(stmt)
        ]


def document_state(db: Database, doc_id: int) -> tuple[str, datetime | None]:
    with db.session(context=f"read state of document {doc_id}") as session:
        doc = session.get(Document, doc_id)
        if doc is None:
            raise DocumentNotFound(doc_id)
        return doc.state, doc.state_seen_at


def listed_urls(db: Database, source_id: str) -> list[str]:
    """URLs of the source's documents not known to be removed."""
    stmt = select(Document.url).where(Document.source_id == source_id, Document.state != "removed")
    with db.session(context=f"list document urls of {source_id}") as session:
        return list(session.scalars(stmt))
