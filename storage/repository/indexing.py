"""What the search index is built from: current versions as `IndexedDocument`s."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from sqlalchemy import select

from storage.db import Database
from storage.models import (
    GRADES,
    Attachment,
    Document,
    DocumentVersion,
    Finding,
    Review,
    Source,
    StageState,
)
from storage.repository._common import latest_version_ids
from storage.search.base import IndexedDocument


def indexed_documents(
    db: Database,
    *,
    doc_ids: Iterable[int] | None = None,
    version_ids: Iterable[int] | None = None,
    index_status: str | None = None,
    batch_size: int = 500,
) -> Iterator[IndexedDocument]:
    """Yield the current version of each document (optionally only the given ones, or only
    those whose index stage has `index_status`), in doc_id order, `batch_size` at a time.

    Each batch is read in its own short transaction, so a long rebuild holds no lock.
    """
    wanted_docs = set(doc_ids) if doc_ids is not None else None
    wanted_versions = set(version_ids) if version_ids is not None else None
    last_id = 0
    while True:
        latest = latest_version_ids()
        stmt = (
            select(Document, DocumentVersion, Source)
            .join(latest, latest.c.document_id == Document.id)
            .join(DocumentVersion, DocumentVersion.id == latest.c.version_id)
            .join(Source, Source.id == Document.source_id)
            .where(Document.id > last_id)
            .order_by(Document.id)
            .limit(batch_size)
        )
        if wanted_docs is not None:
            stmt = stmt.where(Document.id.in_(wanted_docs))
        if wanted_versions is not None:
            stmt = stmt.where(DocumentVersion.id.in_(wanted_versions))
        if index_status is not None:
            stmt = stmt.join(
                StageState,
                (StageState.version_id == DocumentVersion.id) & (StageState.stage == "index"),
            ).where(StageState.status == index_status)
        with db.session(context="read documents to index") as session:
            rows = session.execute(stmt).all()
            if not rows:
                return
            ids = [version.id for _, version, _ in rows]
            attachments = _attachment_texts(session, ids)
            standards, grades, reviews = _finding_summaries(session, ids)
            batch = [
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
                    grade=grades.get(version.id),
                    review_status=reviews.get(version.id),
                )
                for doc, version, source in rows
            ]
        yield from batch
        last_id = rows[-1][0].id
        if len(rows) < batch_size:
            return


def _attachment_texts(session, version_ids: list[int]) -> dict[int, str]:
    texts: dict[int, list[str]] = defaultdict(list)
    stmt = (
        select(Attachment.version_id, Attachment.text)
        .where(Attachment.version_id.in_(version_ids), Attachment.text.is_not(None))
        .order_by(Attachment.version_id, Attachment.position)
    )
    for version_id, text in session.execute(stmt):
        if text:
            texts[version_id].append(text)
    return {vid: "\n\n".join(parts) for vid, parts in texts.items()}


def _finding_summaries(session, version_ids: list[int]):
    standards: dict[int, set[str]] = defaultdict(set)
    grades: dict[int, str] = {}
    for version_id, standard, grade in session.execute(
        select(Finding.version_id, Finding.standard, Finding.grade).where(
            Finding.version_id.in_(version_ids)
        )
    ):
        standards[version_id].add(standard)
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
    return standards, grades, reviews


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
