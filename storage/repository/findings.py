"""Analyzer findings and reviewers' decisions on them."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from sqlalchemy import delete, select

from storage.db import Database
from storage.errors import FindingNotFound, InvalidRecord, VersionNotFound
from storage.models import GRADES, REVIEW_STATUSES, DocumentVersion, Finding, Review, utcnow
from storage.repository._common import check_choice, check_text, strip_nul
from storage.repository.stages import _set_stage

logger = logging.getLogger(__name__)


class FindingLike(Protocol):
    """`storage.records.FindingRecord` or `analyzers.findings.Finding`: read by attribute."""

    standard: str
    rule: str
    grade: str
    start: int
    end: int
    quote: str
    citation: str
    explanation: str


def save_findings(db: Database, version_id: int, findings: Iterable[FindingLike]) -> list[int]:
    """Store the analysis of one version and mark its analysis stage done, in one transaction.

    Re-analysing a version replaces its unreviewed findings; a finding that a reviewer has
    already decided on is kept (and not duplicated when the analyzer finds it again).
    The index stage goes back to pending because what the index holds has changed.
    """
    rows = [_finding_values(n, f) for n, f in enumerate(findings)]
    with db.session(context=f"save findings of version {version_id}", write=True) as session:
        if session.get(DocumentVersion, version_id) is None:
            raise VersionNotFound(version_id)
        reviewed = {
            (f.standard, f.rule, f.field, f.start, f.end): f.id
            for f in session.scalars(
                select(Finding).where(Finding.version_id == version_id, Finding.reviews.any())
            )
        }
        session.execute(
            delete(Finding).where(
                Finding.version_id == version_id, Finding.id.not_in(list(reviewed.values()) or [-1])
            )
        )
        ids: list[int] = []
        for values in rows:
            key = (
                values["standard"],
                values["rule"],
                values["field"],
                values["start"],
                values["end"],
            )
            if key in reviewed:
                ids.append(reviewed[key])
                continue
            finding = Finding(version_id=version_id, **values)
            session.add(finding)
            session.flush()
            ids.append(finding.id)
        _set_stage(session, [version_id], "analysis", "done")
        _set_stage(session, [version_id], "index", "pending")
    logger.debug("version %d: %d finding(s) saved", version_id, len(ids))
    return ids


def add_review(
    db: Database,
    finding_id: int,
    status: str,
    reviewer: str,
    note: str | None = None,
    *,
    at: datetime | None = None,
) -> int:
    """Record a reviewer's decision (confirmed | false_alarm | rectified); returns its id."""
    check_choice(status, REVIEW_STATUSES, field="status")
    check_text(reviewer, field="reviewer")
    with db.session(context=f"review finding {finding_id}", write=True) as session:
        finding = session.get(Finding, finding_id)
        if finding is None:
            raise FindingNotFound(finding_id)
        review = Review(
            finding_id=finding_id,
            status=status,
            reviewer=reviewer,
            note=note,
            created_at=at or utcnow(),
        )
        session.add(review)
        session.flush()
        # The index carries the review status: re-index this version.
        _set_stage(session, [finding.version_id], "index", "pending")
        return review.id


def _finding_values(n: int, finding: FindingLike) -> dict[str, object]:
    where = f"findings[{n}]"
    check_choice(finding.grade, GRADES, field=f"{where}.grade")
    check_text(finding.standard, field=f"{where}.standard")
    start, end = finding.start, finding.end
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end):
        raise InvalidRecord(
            "span must satisfy 0 <= start <= end", field=f"{where}.start", value=(start, end)
        )
    return {
        "standard": finding.standard,
        "rule": str(finding.rule),
        "grade": finding.grade,
        "field": getattr(finding, "field", "body") or "body",
        "start": start,
        "end": end,
        "quote": strip_nul(finding.quote),
        "citation": strip_nul(finding.citation),
        "explanation": strip_nul(finding.explanation),
        "exception": strip_nul(getattr(finding, "exception", None)),
        "sector": getattr(finding, "sector", None),
    }
