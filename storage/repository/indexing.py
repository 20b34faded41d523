"""What the search index is built from: current versions as `IndexedDocument`s."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from storage.db import Database
from storage.models import (
    GRADES,
    Attachment,
    Document,
    DocumentVersion,
    Finding,
    MediaPart,
    Review,
    Source,
    StageState,
)
from storage.repository._common import latest_version_ids
from storage.search.base import IndexedDocument

_NEWER = aliased(DocumentVersion)
LIVE_PLATFORM = "livestream"  # documents whose versions are a watch's increments


def indexed_documents(
    db: Database,
    *,
    doc_ids: Iterable[int] | None = None,
    version_ids: Iterable[int] | None = None,
    index_status: str | None = None,
    batch_size: int = 500,
) -> Iterator[IndexedDocument]:
    """Yield the current version of each document, `batch_size` at a time.

    Optionally only the given documents, only the given versions (those no longer
    current are skipped), or only versions whose index stage has `index_status`. Each
    batch is read in its own short transaction, so a long rebuild holds no lock, and
    costs the same however large the database is (no scan of every version per batch).
    """
    for batch in _version_batches(db, doc_ids, version_ids, batch_size):
        if index_status is not None:
            batch = _with_index_status(db, batch, index_status)
        if batch:
            yield from _load(db, batch)


def _version_batches(
    db: Database,
    doc_ids: Iterable[int] | None,
    version_ids: Iterable[int] | None,
    batch_size: int,
) -> Iterator[list[int]]:
    """Lists of current version ids, in doc_id order (version_id order if given those)."""
    if version_ids is not None:
        wanted = sorted(set(version_ids))
        for start in range(0, len(wanted), batch_size):
            chunk = wanted[start : start + batch_size]
            newer = select(_NEWER.id).where(
                _NEWER.document_id == DocumentVersion.document_id, _NEWER.id > DocumentVersion.id
            )
            stmt = (
                select(DocumentVersion.id)
                .where(DocumentVersion.id.in_(chunk), ~newer.exists())
                .order_by(DocumentVersion.id)
            )
            if doc_ids is not None:
                stmt = stmt.where(DocumentVersion.document_id.in_(list(doc_ids)))
            with db.session(context="select versions to index") as session:
                yield list(session.scalars(stmt))
        return
    chosen = sorted(set(doc_ids)) if doc_ids is not None else None
    last_id = 0
    while True:
        if chosen is not None:
            docs = [d for d in chosen if d > last_id][:batch_size]
        else:
            with db.session(context="select documents to index") as session:
                docs = list(
                    session.scalars(
                        select(Document.id)
                        .where(Document.id > last_id)
                        .order_by(Document.id)
                        .limit(batch_size)
                    )
                )
        if not docs:
            return
        with db.session(context="select current versions") as session:
            latest = dict(
                session.execute(
                    select(DocumentVersion.document_id, func.max(DocumentVersion.id))
                    .where(DocumentVersion.document_id.in_(docs))
                    .group_by(DocumentVersion.document_id)
                ).all()
            )
        yield [latest[d] for d in docs if d in latest]
        last_id = docs[-1]
        if len(docs) < batch_size:
            return


def _with_index_status(db: Database, version_ids: list[int], status: str) -> list[int]:
    with db.session(context="read index stages") as session:
        keep = set(
            session.scalars(
                select(StageState.version_id).where(
                    StageState.version_id.in_(version_ids),
                    StageState.stage == "index",
                    StageState.status == status,
                )
            )
        )
    return [v for v in version_ids if v in keep]


def _load(db: Database, version_ids: list[int]) -> list[IndexedDocument]:
    stmt = (
        select(Document, DocumentVersion, Source)
        .join(Document, Document.id == DocumentVersion.document_id)
        .join(Source, Source.id == Document.source_id)
        .where(DocumentVersion.id.in_(version_ids))
        .order_by(Document.id)
    )
    with db.session(context="read documents to index") as session:
        rows = session.execute(stmt).all()
        live = {doc.id: version.id for doc, version, _ in rows if doc.platform == LIVE_PLATFORM}
        attachments = _attachment_texts(session, version_ids, live)
        standards, sectors, grades, reviews = _finding_summaries(session, version_ids)
        return [
            IndexedDocument(
                doc_id=doc.id,
                version_id=version.id,
                source_id=doc.source_id,
                kind=doc.kind,
                url=doc.url,
                title=version.title,
                body=version.body,
                attachments_text=attachments.get(version.id, ""),
                issuer=version.issuer or source.issuer,
                region=(version.meta or {}).get("region") or source.region,
                platform=doc.platform,
                doc_number=version.doc_number,
                published=version.published,
                fetched_at=version.fetched_at.date(),
                standards=sorted(standards.get(version.id, ())),
                sectors=sorted(sectors.get(version.id, ())),
                grade=grades.get(version.id),
                review_status=reviews.get(version.id),
            )
            for doc, version, source in rows
        ]


def _attachment_texts(
    session: Session, version_ids: list[int], live: dict[int, int]
) -> dict[int, str]:
    """Attachment and media text of each version. A live room's versions are increments,
    each with its own lines, so its current version is searched with the media text of
    all of them (`live`: document id -> current version id)."""
    texts: dict[int, list[str]] = defaultdict(list)
    stmt = (
        select(Attachment.version_id, Attachment.text)
        .where(Attachment.version_id.in_(version_ids), Attachment.text.is_not(None))
        .order_by(Attachment.version_id, Attachment.position)
    )
    for version_id, text in session.execute(stmt):
        if text:
            texts[version_id].append(text)
    # Text read from the ad's images and video is searched like attachment text.
    done = (MediaPart.status == "done", MediaPart.text.is_not(None))
    media = (
        select(MediaPart.version_id, MediaPart.text)
        .where(MediaPart.version_id.in_([v for v in version_ids if v not in live.values()]),
               *done)
        .order_by(MediaPart.version_id, MediaPart.position)
    )
    for version_id, text in session.execute(media):
        if text:
            texts[version_id].append(text)
    if live:
        increments = (
            select(DocumentVersion.document_id, MediaPart.text)
            .join(DocumentVersion, DocumentVersion.id == MediaPart.version_id)
            .where(DocumentVersion.document_id.in_(list(live)), *done)
            .order_by(DocumentVersion.document_id, MediaPart.version_id, MediaPart.position)
        )
        for doc_id, text in session.execute(increments):
            if text:
                texts[live[doc_id]].append(text)
    return {vid: "\n\n".join(parts) for vid, parts in texts.items()}


def _finding_summaries(
    session: Session, version_ids: list[int]
) -> tuple[dict[int, set[str]], dict[int, set[str]], dict[int, str], dict[int, str]]:
    standards: dict[int, set[str]] = defaultdict(set)
    sectors: dict[int, set[str]] = defaultdict(set)
    grades: dict[int, str] = {}
    for version_id, standard, sector, grade in session.execute(
        select(Finding.version_id, Finding.standard, Finding.sector, Finding.grade).where(
            Finding.version_id.in_(version_ids)
        )
    ):
        standards[version_id].add(standard)
        if sector:
            sectors[version_id].add(sector)
        if version_id not in grades or GRADES.index(grade) < GRADES.index(grades[version_id]):
            grades[version_id] = grade
    # The review status of a version is the most recent decision on any of its findings.
    reviews: dict[int, str] = {}
    for version_id, status in session.execute(
        select(Finding.version_id, Review.status)
        .join(Review, Review.finding_id == Finding.id)
        .where(Finding.version_id.in_(version_ids))
        .order_by(Review.created_at, Review.id)
    ):
        reviews[version_id] = status
    return standards, sectors, grades, reviews


def current_versions(db: Database) -> dict[int, int]:
    """doc_id -> current version_id of every stored document (what the index should hold)."""
    latest = latest_version_ids()
    with db.session(context="list current versions") as session:
        return {
            doc_id: version_id
            for doc_id, version_id in session.execute(
                select(latest.c.document_id, latest.c.version_id)
            )
        }
