"""Analyzer findings and reviewers' decisions on them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection, bindparam, delete, exists, insert, select

from storage.db import Database
from storage.errors import FindingNotFound, InvalidRecord
from storage.models import GRADES, REVIEW_STATUSES, Finding, Review, utcnow
from storage.repository._common import check_choice, check_json, check_text, strip_nul
from storage.repository.stages import _set_stage

logger = logging.getLogger(__name__)

_FINDINGS = Finding.__table__
_REVIEWS = Review.__table__
_KEY = ("standard", "rule", "field", "start", "end")  # what makes a finding "the same"
_EXISTING = select(
    _FINDINGS.c.id,
    exists().where(_REVIEWS.c.finding_id == _FINDINGS.c.id).label("reviewed"),
    *(_FINDINGS.c[name] for name in _KEY),
).where(_FINDINGS.c.version_id == bindparam("version_id"))
_INSERT_FINDING = insert(_FINDINGS).returning(_FINDINGS.c.id, sort_by_parameter_order=True)


# Called inside the transaction that saved a version's findings, with its connection and
# the version id: what it writes (the alert outbox) commits or rolls back with the findings.
AfterFindings = Callable[[Connection, int], None]


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


def save_findings(
    db: Database,
    version_id: int,
    findings: Iterable[FindingLike],
    *,
    after: AfterFindings | None = None,
) -> list[int]:
    """Store the analysis of one version and mark its analysis stage done, in one transaction.

    Re-analysing a version replaces its unreviewed findings; a finding that a reviewer has
    already decided on is kept (and not duplicated when the analyzer finds it again).
    The index stage goes back to pending because what the index holds has changed.
    `after`, if given, runs in the same transaction once the findings are written.
    """
    rows = _finding_rows(findings)
    with db.session(context=f"save findings of version {version_id}", write=True) as session:
        conn = session.connection()
        ids = _write_findings(conn, version_id, rows)
        if after is not None and rows:
            after(conn, version_id)
    logger.debug("version %d: %d finding(s) saved", version_id, len(ids))
    return ids


def _finding_rows(findings: Iterable[FindingLike]) -> list[dict[str, object]]:
    """The checked column values of each finding; raises InvalidRecord naming the bad one."""
    return [_finding_values(n, f) for n, f in enumerate(findings)]


def _write_findings(conn: Connection, version_id: int, rows: list[dict[str, object]]) -> list[int]:
    """save_findings within an open transaction (store_document folds it into its own).

    Core statements, a few round-trips whatever the number of findings: this runs once
    per stored document. The stage updates come first, so an unknown version raises
    VersionNotFound before anything else is written.
    """
    _set_stage(conn, [version_id], "analysis", "done")
    _set_stage(conn, [version_id], "index", "pending")
    existing = conn.execute(_EXISTING, {"version_id": version_id}).all()
    reviewed = {tuple(row[2:]): row.id for row in existing if row.reviewed}
    if len(reviewed) < len(existing):  # a freshly stored version has nothing to delete
        conn.execute(
            delete(_FINDINGS).where(
                _FINDINGS.c.version_id == version_id,
                _FINDINGS.c.id.not_in(list(reviewed.values()) or [-1]),
            )
        )
    ids: list[int | None] = []
    fresh: list[dict[str, object]] = []
    for values in rows:
        key = tuple(values[name] for name in _KEY)
        if key in reviewed:
            ids.append(reviewed[key])
        else:
            ids.append(None)
            fresh.append({**values, "version_id": version_id, "created_at": utcnow()})
    if fresh:
        # One multi-row INSERT ... RETURNING; ids come back in the order of `fresh`.
        new_ids = iter(conn.scalars(_INSERT_FINDING, fresh).all())
        ids = [found if found is not None else next(new_ids) for found in ids]
    return [i for i in ids if i is not None]


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
        "location": check_json(getattr(finding, "location", None), field=f"{where}.location"),
    }
