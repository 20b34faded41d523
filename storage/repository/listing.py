"""Reading documents back: the lists and detail views behind `fairwatch documents`."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, and_, case, exists, func, select
from sqlalchemy.orm import Session, selectinload

from storage.db import Database
from storage.errors import DocumentNotFound, InvalidRecord, VersionNotFound
from storage.models import GRADES, Document, DocumentVersion, Finding
from storage.repository._common import latest_version_ids
from storage.repository.stages import _stage_info
from storage.repository.views import (
    FLAG_GRADES,
    AttachmentView,
    DocumentDetail,
    DocumentPage,
    DocumentSummary,
    FindingView,
    ReviewView,
    VersionView,
)

ORDERS = ("-fetched", "fetched", "-published", "published", "id", "-id")
_GRADE_RANK = {grade: rank for rank, grade in enumerate(GRADES)}  # 0 = most severe


def _grade_rank_expr() -> object:
    return case(*((Finding.grade == g, r) for g, r in _GRADE_RANK.items()), else_=len(GRADES))


def list_documents(
    db: Database,
    *,
    source_id: str | None = None,
    kind: str | None = None,
    platform: str | None = None,
    flagged: bool | None = None,
    standard: str | None = None,
    published_from: date | None = None,
    published_to: date | None = None,
    order: str = "-fetched",
    limit: int = 50,
    offset: int = 0,
) -> DocumentPage:
    """Documents with their current version, filtered and paged (newest fetch first)."""
    if order not in ORDERS:
        raise InvalidRecord(f"must be one of {', '.join(ORDERS)}", field="order", value=order)
    if limit < 1 or offset < 0:
        raise InvalidRecord(
            "limit must be >= 1 and offset >= 0", field="limit", value=(limit, offset)
        )
    latest = latest_version_ids()
    worst = (
        select(
            Finding.version_id, func.min(_grade_rank_expr()).label("rank"), func.count().label("n")
        )
        .group_by(Finding.version_id)
        .subquery("worst")
    )
    versions_count = (
        select(DocumentVersion.document_id, func.count().label("n"))
        .group_by(DocumentVersion.document_id)
        .subquery("vcount")
    )
    stmt: Select = (
        select(Document, DocumentVersion, worst.c.rank, worst.c.n, versions_count.c.n)
        .join(latest, latest.c.document_id == Document.id)
        .join(DocumentVersion, DocumentVersion.id == latest.c.version_id)
        .join(versions_count, versions_count.c.document_id == Document.id)
        .outerjoin(worst, worst.c.version_id == DocumentVersion.id)
    )
    conditions = []
    if source_id is not None:
        conditions.append(Document.source_id == source_id)
    if kind is not None:
        conditions.append(Document.kind == kind)
    if platform is not None:
        conditions.append(Document.platform == platform)
    if published_from is not None:
        conditions.append(DocumentVersion.published >= published_from)
    if published_to is not None:
        conditions.append(DocumentVersion.published <= published_to)
    if standard is not None:
        conditions.append(
            exists().where(Finding.version_id == DocumentVersion.id, Finding.standard == standard)
        )
    if flagged is not None:
        flag_ranks = [_GRADE_RANK[g] for g in FLAG_GRADES]
        is_flagged = and_(worst.c.rank.is_not(None), worst.c.rank.in_(flag_ranks))
        conditions.append(is_flagged if flagged else ~is_flagged)
    if conditions:
        stmt = stmt.where(*conditions)
    order_by = {
        "-fetched": [DocumentVersion.fetched_at.desc(), Document.id.desc()],
        "fetched": [DocumentVersion.fetched_at.asc(), Document.id.asc()],
        "-published": [DocumentVersion.published.desc().nulls_last(), Document.id.desc()],
        "published": [DocumentVersion.published.asc().nulls_last(), Document.id.asc()],
        "id": [Document.id.asc()],
        "-id": [Document.id.desc()],
    }[order]
    with db.session(context="list documents") as session:
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = session.execute(stmt.order_by(*order_by).limit(limit).offset(offset)).all()
        items = [
            DocumentSummary(
                id=doc.id,
                source_id=doc.source_id,
                url=doc.url,
                kind=doc.kind,
                platform=doc.platform,
                title=version.title,
                doc_number=version.doc_number,
                issuer=version.issuer,
                published=version.published,
                fetched_at=version.fetched_at,
                versions=n_versions,
                findings=n_findings or 0,
                grade=GRADES[rank] if rank is not None and rank < len(GRADES) else None,
            )
            for doc, version, rank, n_findings, n_versions in rows
        ]
    return DocumentPage(items=items, total=total, limit=limit, offset=offset)


def show_document(db: Database, doc_id: int) -> DocumentDetail:
    """A document with every version, its attachments, findings (with reviews) and stages."""
    with db.session(context=f"show document {doc_id}") as session:
        doc = session.get(Document, doc_id)
        if doc is None:
            raise DocumentNotFound(doc_id)
        versions = _load_versions(session, DocumentVersion.document_id == doc_id)
        return DocumentDetail(
            id=doc.id,
            source_id=doc.source_id,
            url=doc.url,
            kind=doc.kind,
            platform=doc.platform,
            first_seen_at=doc.first_seen_at,
            last_seen_at=doc.last_seen_at,
            versions=[_version_view(v, doc) for v in versions],
            state=doc.state,
            state_seen_at=doc.state_seen_at,
        )


def get_version(db: Database, version_id: int) -> VersionView:
    """One version with attachments and findings (what a retried analysis reads)."""
    with db.session(context=f"read version {version_id}") as session:
        versions = _load_versions(session, DocumentVersion.id == version_id)
        if not versions:
            raise VersionNotFound(version_id)
        return _version_view(versions[0], versions[0].document)


def _load_versions(session: Session, condition: object) -> list[DocumentVersion]:
    stmt = (
        select(DocumentVersion)
        .where(condition)
        .order_by(DocumentVersion.number)
        .options(
            selectinload(DocumentVersion.attachments),
            selectinload(DocumentVersion.findings).selectinload(Finding.reviews),
            selectinload(DocumentVersion.stages),
            selectinload(DocumentVersion.document),
        )
    )
    return list(session.scalars(stmt))


def _version_view(v: DocumentVersion, doc: Document) -> VersionView:
    return VersionView(
        id=v.id,
        document_id=doc.id,
        source_id=doc.source_id,
        kind=doc.kind,
        platform=doc.platform,
        url=doc.url,
        number=v.number,
        content_hash=v.content_hash,
        title=v.title,
        body=v.body,
        metadata=dict(v.meta or {}),
        doc_number=v.doc_number,
        issuer=v.issuer,
        published=v.published,
        etag=v.etag,
        last_modified=v.last_modified,
        html_sha256=v.html_sha256,
        screenshot_path=v.screenshot_path,
        has_screenshot=bool(v.has_screenshot),
        fetched_at=v.fetched_at,
        run_id=v.run_id,
        attachments=[
            AttachmentView(
                id=a.id,
                position=a.position,
                url=a.url,
                filename=a.filename,
                file_type=a.file_type,
                size=a.size,
                sha256=a.sha256,
                text=a.text,
                error=a.error,
            )
            for a in v.attachments
        ],
        findings=[
            FindingView(
                id=f.id,
                version_id=f.version_id,
                standard=f.standard,
                rule=f.rule,
                grade=f.grade,
                field=f.field,
                start=f.start,
                end=f.end,
                quote=f.quote,
                citation=f.citation,
                explanation=f.explanation,
                exception=f.exception,
                sector=f.sector,
                obsolete=f.obsolete,
                obsolete_at=f.obsolete_at,
                location=f.location,
                reviews=[
                    ReviewView(
                        id=r.id,
                        status=r.status,
                        reviewer=r.reviewer,
                        note=r.note,
                        created_at=r.created_at,
                    )
                    for r in f.reviews
                ],
            )
            for f in v.findings
        ],
        stages={s.stage: _stage_info(s) for s in v.stages},
    )


def get_screenshot(db: Database, version_id: int) -> bytes | None:
    """The PNG captured with a version (evidence of what was online), or None."""
    with db.session(context=f"read screenshot of version {version_id}") as session:
        row = session.execute(
            select(DocumentVersion.screenshot_png).where(DocumentVersion.id == version_id)
        ).one_or_none()
        if row is None:
            raise VersionNotFound(version_id)
        return row[0]
