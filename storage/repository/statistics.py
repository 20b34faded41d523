"""监测评估: what monitoring found over a period, per region, issuing body, standard and month.

A document counts in the period when its date (publication, else the day it was first
seen) falls in it. Per document: flagged when its current version has a finding graded
明显违反 or 疑似 that still stands; confirmed when any of its findings' latest review is
confirmed or rectified; rectified when one is rectified. Detection time is first seen
minus published (days); rectification time is the first rectified review minus published.
"""

from __future__ import annotations

import statistics as pystats
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from storage.db import Database
from storage.models import Document, DocumentVersion, Finding, Review, Source
from storage.repository._common import latest_version_ids
from storage.repository.reviews import latest_reviews
from storage.repository.views import FLAG_GRADES

MEASURES = ("monitored", "flagged", "confirmed", "rectified")


@dataclass(kw_only=True)
class Counts:
    monitored: int = 0
    flagged: int = 0
    confirmed: int = 0
    rectified: int = 0

    def add(self, doc: _Doc) -> None:
        self.monitored += 1
        self.flagged += doc.flagged
        self.confirmed += doc.confirmed
        self.rectified += doc.rectified


@dataclass(kw_only=True)
class Evaluation:
    region: str | None
    date_from: date | None
    date_to: date | None
    kind: str
    totals: Counts
    by_region: dict[str, Counts]
    by_issuer: dict[str, Counts]
    by_month: dict[str, Counts]
    # standard -> (flagged findings, confirmed findings), most confirmed first
    by_standard: list[tuple[str, int, int]]
    detection_days: list[int] = field(default_factory=list)
    rectification_days: list[int] = field(default_factory=list)

    @staticmethod
    def _summary(days: list[int]) -> dict[str, float | None]:
        if not days:
            return {"n": 0, "mean": None, "median": None}
        return {"n": len(days), "mean": round(pystats.fmean(days), 1),
                "median": float(pystats.median(days))}

    @property
    def detection(self) -> dict[str, float | None]:
        return self._summary(self.detection_days)

    @property
    def rectification(self) -> dict[str, float | None]:
        return self._summary(self.rectification_days)


@dataclass(kw_only=True)
class _Doc:
    region: str
    issuer: str
    month: str
    published: date | None
    first_seen: date
    flagged: bool = False
    confirmed: bool = False
    rectified: bool = False
    first_rectified: date | None = None


UNKNOWN = "（未注明）"


def evaluation(
    db: Database,
    *,
    region: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    kind: str = "policy",
) -> Evaluation:
    latest = latest_version_ids()
    reviewed = latest_reviews().subquery("reviewed")
    with db.session(context="monitoring evaluation") as session:
        doc_rows = session.execute(
            select(
                Document.id, Document.first_seen_at, Source.region, Source.issuer,
                DocumentVersion.issuer.label("doc_issuer"), DocumentVersion.published,
            )
            .join(latest, latest.c.document_id == Document.id)
            .join(DocumentVersion, DocumentVersion.id == latest.c.version_id)
            .join(Source, Source.id == Document.source_id)
            .where(Document.kind == kind)
        ).all()
        finding_rows = session.execute(
            select(
                DocumentVersion.document_id, Finding.id, Finding.standard, Finding.grade,
                Finding.obsolete, Finding.version_id, reviewed.c.status,
            )
            .join(DocumentVersion, DocumentVersion.id == Finding.version_id)
            .outerjoin(reviewed, reviewed.c.finding_id == Finding.id)
        ).all()
        current = {r.document_id: r.version_id for r in session.execute(select(latest)).all()}
        rectified_at = dict(
            session.execute(
                select(Review.finding_id, Review.created_at)
                .where(Review.status == "rectified")
                .order_by(Review.id.desc())
            ).all()
        )  # later rows overwrite earlier: descending order leaves the first rectification
    docs: dict[int, _Doc] = {}
    for row in doc_rows:
        day = row.published or row.first_seen_at.date()
        if date_from and day < date_from or date_to and day > date_to:
            continue
        if region and row.region != region:
            continue
        docs[row.id] = _Doc(
            region=row.region or UNKNOWN, issuer=row.doc_issuer or row.issuer or UNKNOWN,
            month=day.strftime("%Y-%m"), published=row.published,
            first_seen=row.first_seen_at.date(),
        )
    flagged_by_standard: Counter[str] = Counter()
    confirmed_by_standard: Counter[str] = Counter()
    for row in finding_rows:
        doc = docs.get(row.document_id)
        if doc is None:
            continue
        if (
            row.version_id == current.get(row.document_id)
            and row.obsolete is None
            and row.grade in FLAG_GRADES
        ):
            doc.flagged = True
            flagged_by_standard[row.standard] += 1
        if row.status in ("confirmed", "rectified"):
            doc.confirmed = True
            confirmed_by_standard[row.standard] += 1
        if row.status == "rectified":
            doc.rectified = True
            at = rectified_at[row.id].date()
            doc.first_rectified = min(filter(None, [doc.first_rectified, at]))
    totals = Counts()
    groups: dict[str, dict[str, Counts]] = {k: defaultdict(Counts) for k in ("r", "i", "m")}
    detection, rectification = [], []
    for doc in docs.values():
        totals.add(doc)
        groups["r"][doc.region].add(doc)
        groups["i"][doc.issuer].add(doc)
        groups["m"][doc.month].add(doc)
        if doc.published:
            detection.append((doc.first_seen - doc.published).days)
            if doc.first_rectified:
                rectification.append((doc.first_rectified - doc.published).days)
    standards = sorted(
        set(flagged_by_standard) | set(confirmed_by_standard),
        key=lambda s: (-confirmed_by_standard[s], -flagged_by_standard[s], s),
    )
    return Evaluation(
        region=region, date_from=date_from, date_to=date_to, kind=kind, totals=totals,
        by_region=dict(sorted(groups["r"].items())),
        by_issuer=dict(sorted(groups["i"].items(), key=lambda kv: (-kv[1].flagged, kv[0]))),
        by_month=dict(sorted(groups["m"].items())),
        by_standard=[(s, flagged_by_standard[s], confirmed_by_standard[s]) for s in standards],
        detection_days=sorted(detection), rectification_days=sorted(rectification),
    )
