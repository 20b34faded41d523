"""Per-version progress of the derived steps (analysis, index), so failures can be retried.

Only a document's current version matters for retries: `pending_versions` never returns a
version that a newer one has replaced.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.orm import Session

from storage.db import Database
from storage.errors import VersionNotFound
from storage.models import STAGE_STATUSES, STAGES, Document, DocumentVersion, StageState, utcnow
from storage.repository._common import check_choice, latest_version_ids
from storage.repository.views import StageInfo

logger = logging.getLogger(__name__)


def mark_stage(
    db: Database,
    version_ids: int | Iterable[int],
    stage: str,
    status: str,
    *,
    error: str | None = None,
) -> None:
    """Set `stage` of one or many versions to pending | done | failed (with the error).

    done and failed count as one attempt each; pending resets nothing but the status.
    """
    check_choice(stage, STAGES, field="stage")
    check_choice(status, STAGE_STATUSES, field="status")
    ids = [version_ids] if isinstance(version_ids, int) else list(version_ids)
    if not ids:
        return
    with db.session(
        context=f"mark {stage} {status} for {len(ids)} version(s)", write=True
    ) as session:
        _set_stage(session, ids, stage, status, error=error)


def stage_done(db: Database, version_ids: int | Iterable[int], stage: str) -> None:
    mark_stage(db, version_ids, stage, "done")


def stage_failed(db: Database, version_ids: int | Iterable[int], stage: str, error: str) -> None:
    logger.warning("%s failed for version(s) %s: %s", stage, version_ids, error)
    mark_stage(db, version_ids, stage, "failed", error=error)


_STAGE_TABLE = StageState.__table__
_MATCHING = (
    _STAGE_TABLE.c.version_id.in_(bindparam("ids", expanding=True)),
    _STAGE_TABLE.c.stage == bindparam("stage_name"),
)
_SET_VALUES = {
    "status": bindparam("new_status"),
    "error": bindparam("new_error"),
    "updated_at": bindparam("now"),
}
# Built once: these run for every stored document, and building and ORM-evaluating an
# UPDATE costs far more than executing it. done and failed count an attempt, pending not.
_SET_PENDING = update(_STAGE_TABLE).where(*_MATCHING).values(**_SET_VALUES)
_SET_ATTEMPTED = (
    update(_STAGE_TABLE)
    .where(*_MATCHING)
    .values(**_SET_VALUES, attempts=_STAGE_TABLE.c.attempts + 1)
)


def _set_stage(
    session: Session | Connection,
    version_ids: list[int],
    stage: str,
    status: str,
    *,
    error: str | None = None,
) -> None:
    """Within an open transaction (used by save_findings, add_review and store_document too).

    One UPDATE; only when it matched fewer rows than versions given does a SELECT find
    which are missing, and VersionNotFound then rolls the caller's transaction back.
    """
    wanted = set(version_ids)
    conn = session.connection() if isinstance(session, Session) else session
    stmt = _SET_PENDING if status == "pending" else _SET_ATTEMPTED
    params = {
        "ids": list(wanted),
        "stage_name": stage,
        "new_status": status,
        "new_error": error if status == "failed" else None,
        "now": utcnow(),
    }
    matched = conn.execute(stmt, params).rowcount
    if matched == len(wanted):
        return
    found = set(
        conn.scalars(
            select(_STAGE_TABLE.c.version_id).where(
                _STAGE_TABLE.c.version_id.in_(list(wanted)), _STAGE_TABLE.c.stage == stage
            )
        )
    )
    missing = [v for v in version_ids if v not in found]
    if missing:  # else a driver that reports no row count: every version was there
        raise VersionNotFound(missing[0] if len(missing) == 1 else missing)


def pending_versions(
    db: Database,
    stage: str,
    *,
    include_failed: bool = True,
    max_attempts: int | None = None,
    source_id: str | None = None,
    limit: int | None = None,
    current_only: bool = True,
) -> list[int]:
    """Current versions (every version unless `current_only`) whose `stage` is pending (or
    failed, for a retry), oldest first."""
    check_choice(stage, STAGES, field="stage")
    statuses = ["pending", "failed"] if include_failed else ["pending"]
    stmt = (
        select(StageState.version_id)
        .where(StageState.stage == stage, StageState.status.in_(statuses))
        .order_by(StageState.version_id)
    )
    if current_only:
        latest = latest_version_ids()
        stmt = stmt.join(latest, latest.c.version_id == StageState.version_id)
    if max_attempts is not None:
        stmt = stmt.where(StageState.attempts < max_attempts)
    if source_id is not None:
        stmt = (
            stmt.join(DocumentVersion, DocumentVersion.id == StageState.version_id)
            .join(Document, Document.id == DocumentVersion.document_id)
            .where(Document.source_id == source_id)
        )
    if limit is not None:
        stmt = stmt.limit(limit)
    with db.session(context=f"list pending {stage}") as session:
        return list(session.scalars(stmt))


def stage_counts(db: Database) -> dict[str, dict[str, int]]:
    """{stage: {pending: n, done: n, failed: n}} over current versions (what an operator asks)."""
    latest = latest_version_ids()
    stmt = (
        select(StageState.stage, StageState.status, func.count())
        .join(latest, latest.c.version_id == StageState.version_id)
        .group_by(StageState.stage, StageState.status)
    )
    counts = {stage: dict.fromkeys(STAGE_STATUSES, 0) for stage in STAGES}
    with db.session(context="count stages") as session:
        for stage, status, n in session.execute(stmt):
            counts[stage][status] = n
    return counts


def get_stages(db: Database, version_id: int) -> dict[str, StageInfo]:
    with db.session(context=f"read stages of version {version_id}") as session:
        rows = session.scalars(select(StageState).where(StageState.version_id == version_id)).all()
        if not rows:
            raise VersionNotFound(version_id)
        return {row.stage: _stage_info(row) for row in rows}


def _stage_info(row: StageState) -> StageInfo:
    return StageInfo(
        version_id=row.version_id,
        stage=row.stage,
        status=row.status,
        error=row.error,
        attempts=row.attempts,
        updated_at=row.updated_at,
    )
