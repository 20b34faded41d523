"""The reviewer's side of findings: the review queue, a document's review history and
each rule's precision as reviewers judged it.

A finding's status is its latest review (confirmed, false_alarm, rectified, needs_review),
or "open" while nobody has decided. Only findings of a document's current version that
still stand (not obsolete) are in the queue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, func, select

from storage.db import Database
from storage.errors import InvalidRecord
from storage.models import (
    GRADES,
    REVIEW_STATUSES,
    Document,
    DocumentVersion,
    Finding,
    Review,
    Source,
)
from storage.repository._common import latest_version_ids
from storage.repository.views import FLAG_GRADES

QUEUE_STATUSES = ("open", *REVIEW_STATUSES)
_RANK = {grade: rank for rank, grade in enumerate(GRADES)}


@dataclass(frozen=True, kw_only=True)
class QueueItem:
    doc_id: int
    title: str
    source_id: str
    region: str | None
    issuer: str | None
    doc_number: str | None
    published: date | None
    first_seen_at: datetime
    grade: str  # the worst grade among its findings
    standards: list[str]
    findings: int
    open: int  # findings nobody decided yet, or marked 需复核
    statuses: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class QueuePage:
    items: list[QueueItem]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True, kw_only=True)
class HistoryEntry:
    review_id: int
    finding_id: int
    version_number: int
    standard: str
    quote: str
    status: str
    reviewer: str
    note: str | None
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class RulePrecision:
    rule: str
    standard: str
    findings: int
    confirmed: int  # confirmed or rectified: the breach was real
    false_alarms: int
    undecided: int

    @property
    def precision(self) -> float | None:
        judged = self.confirmed + self.false_alarms
        return self.confirmed / judged if judged else None


def latest_reviews() -> Select:
    """finding_id -> status of its latest review (a subquery)."""
    last = select(Review.finding_id, func.max(Review.id).label("review_id")).group_by(
        Review.finding_id
    ).subquery("last_review")
    return (
        select(Review.finding_id, Review.status)
        .join(last, last.c.review_id == Review.id)
    )


def review_queue(
    db: Database,
    *,
    grade: str | None = None,
    standard: str | None = None,
    source_id: str | None = None,
    region: str | None = None,
    status: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    flagged: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> QueuePage:
    """Documents with findings, the most likely breaches first: worst grade, then the
    number of undecided findings, then the newest publication. `flagged` keeps only those
    with a finding graded 明显违反 or 疑似 (not 提示 alone)."""
    if grade is not None and grade not in GRADES:
        raise InvalidRecord(f"must be one of {', '.join(GRADES)}", field="grade", value=grade)
    if status is not None and status not in QUEUE_STATUSES:
        raise InvalidRecord(
            f"must be one of {', '.join(QUEUE_STATUSES)}", field="status", value=status
        )
    if limit < 1 or offset < 0:
        raise InvalidRecord("limit must be >= 1 and offset >= 0", field="limit", value=limit)
    latest = latest_version_ids()
    reviewed = latest_reviews().subquery("reviewed")
    stmt = (
        select(
            Document.id, Document.source_id, Document.first_seen_at, Source.region,
            DocumentVersion.title, DocumentVersion.issuer, DocumentVersion.doc_number,
            DocumentVersion.published, Finding.grade, Finding.standard, reviewed.c.status,
        )
        .join(latest, latest.c.document_id == Document.id)
        .join(DocumentVersion, DocumentVersion.id == latest.c.version_id)
        .join(Source, Source.id == Document.source_id)
        .join(Finding, Finding.version_id == DocumentVersion.id)
        .outerjoin(reviewed, reviewed.c.finding_id == Finding.id)
        .where(Finding.obsolete.is_(None))
    )
    if source_id:
        stmt = stmt.where(Document.source_id == source_id)
    if region:
        stmt = stmt.where(Source.region == region)
    if date_from:
        stmt = stmt.where(DocumentVersion.published >= date_from)
    if date_to:
        stmt = stmt.where(DocumentVersion.published <= date_to)
    with db.session(context="review queue") as session:
        rows = session.execute(stmt).all()
    docs: dict[int, dict] = {}
    for row in rows:
        doc = docs.setdefault(
            row.id,
            {"row": row, "grades": [], "standards": [], "statuses": {}, "open": 0},
        )
        finding_status = row.status or "open"
        doc["grades"].append(row.grade)
        if row.standard not in doc["standards"]:
            doc["standards"].append(row.standard)
        doc["statuses"][finding_status] = doc["statuses"].get(finding_status, 0) + 1
        if finding_status in ("open", "needs_review"):
            doc["open"] += 1
    items = []
    for doc in docs.values():
        if grade and grade not in doc["grades"]:
            continue
        if flagged and not set(doc["grades"]) & set(FLAG_GRADES):
            continue
        if standard and standard not in doc["standards"]:
            continue
        if status and status not in doc["statuses"]:
            continue
        row = doc["row"]
        items.append(
            QueueItem(
                doc_id=row.id, title=row.title, source_id=row.source_id, region=row.region,
                issuer=row.issuer, doc_number=row.doc_number, published=row.published,
                first_seen_at=row.first_seen_at,
                grade=min(doc["grades"], key=lambda g: _RANK.get(g, len(GRADES))),
                standards=sorted(doc["standards"]), findings=len(doc["grades"]),
                open=doc["open"], statuses=doc["statuses"],
            )
        )
    items.sort(
        key=lambda i: (
            _RANK.get(i.grade, len(GRADES)),
            -i.open,
            -(i.published or date.min).toordinal(),
            -i.doc_id,
        )
    )
    return QueuePage(items=items[offset : offset + limit], total=len(items), limit=limit,
                     offset=offset)


def document_history(db: Database, doc_id: int) -> list[HistoryEntry]:
    """Every review of every finding of the document, oldest first."""
    stmt = (
        select(Review, Finding, DocumentVersion.number)
        .join(Finding, Finding.id == Review.finding_id)
        .join(DocumentVersion, DocumentVersion.id == Finding.version_id)
        .where(DocumentVersion.document_id == doc_id)
        .order_by(Review.id)
    )
    with db.session(context=f"review history of document {doc_id}") as session:
        return [
            HistoryEntry(
                review_id=review.id, finding_id=finding.id, version_number=number,
                standard=finding.standard, quote=finding.quote, status=review.status,
                reviewer=review.reviewer, note=review.note, created_at=review.created_at,
            )
            for review, finding, number in session.execute(stmt).all()
        ]


def rule_precision(db: Database) -> list[RulePrecision]:
    """Per rule: findings, and how reviewers judged them (by each finding's latest review)."""
    reviewed = latest_reviews().subquery("reviewed")
    stmt = select(Finding.rule, Finding.standard, reviewed.c.status).outerjoin(
        reviewed, reviewed.c.finding_id == Finding.id
    )
    with db.session(context="rule precision") as session:
        rows = session.execute(stmt).all()
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for rule, standard, review_status in rows:
        c = counts.setdefault((rule, standard), {"n": 0, "yes": 0, "no": 0, "open": 0})
        c["n"] += 1
        if review_status in ("confirmed", "rectified"):
            c["yes"] += 1
        elif review_status == "false_alarm":
            c["no"] += 1
        else:
            c["open"] += 1
    result = [
        RulePrecision(rule=rule, standard=standard, findings=c["n"], confirmed=c["yes"],
                      false_alarms=c["no"], undecided=c["open"])
        for (rule, standard), c in counts.items()
    ]
    result.sort(key=lambda r: (r.precision is None, r.precision or 0.0, r.rule))
    return result


def finding_document(db: Database, finding_id: int) -> tuple[int, int]:
    """(document id, version id) of a finding; FindingNotFound if there is none."""
    from storage.errors import FindingNotFound

    with db.session(context=f"finding {finding_id}") as session:
        row = session.execute(
            select(DocumentVersion.document_id, Finding.version_id)
            .join(DocumentVersion, DocumentVersion.id == Finding.version_id)
            .where(Finding.id == finding_id)
        ).first()
    if row is None:
        raise FindingNotFound(finding_id)
    return row[0], row[1]
