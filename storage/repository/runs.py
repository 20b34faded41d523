"""Sources and crawl-run bookkeeping."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select

from storage.db import Database
from storage.errors import RunNotFound
from storage.models import DOCUMENT_KINDS, RUN_STATUSES, CrawlRun, Source, utcnow
from storage.repository._common import check_choice, check_json, check_text, ensure_source_row
from storage.repository.views import RunInfo

logger = logging.getLogger(__name__)

FINAL_STATUSES = tuple(s for s in RUN_STATUSES if s != "running")


def ensure_source(
    db: Database,
    source_id: str,
    *,
    name: str | None = None,
    issuer: str | None = None,
    region: str | None = None,
    kind: str = "policy",
    platform: str | None = None,
) -> None:
    """Create the source or update the given fields (None leaves a field as it is)."""
    check_text(source_id, field="source_id")
    check_choice(kind, DOCUMENT_KINDS, field="kind")
    with db.session(context=f"register source {source_id}", write=True) as session:
        source = session.get(Source, source_id)
        if source is None:
            source = Source(id=source_id, name=name or source_id, kind=kind)
            session.add(source)
        elif name:
            source.name = name
        source.kind = kind
        for attr, value in (("issuer", issuer), ("region", region), ("platform", platform)):
            if value is not None:
                setattr(source, attr, value)
        session.flush()
        known_platform = source.platform
    db.known_sources[source_id] = known_platform


def start_run(db: Database, source_id: str, *, started_at: datetime | None = None) -> int:
    """Record that a crawl of `source_id` started; returns the run id."""
    check_text(source_id, field="source_id")
    with db.session(context=f"start run of {source_id}", write=True) as session:
        ensure_source_row(session, source_id)
        run = CrawlRun(source_id=source_id, started_at=started_at or utcnow(), status="running")
        session.add(run)
        session.flush()
        logger.info("run %d of %s started", run.id, source_id, extra={"source_id": source_id})
        return run.id


def finish_run(
    db: Database,
    run_id: int,
    status: str,
    *,
    counts: dict[str, Any] | None = None,
    errors: list[Any] | None = None,
    reason: str | None = None,
    finished_at: datetime | None = None,
) -> RunInfo:
    """Close a run with its final status (succeeded | partial | failed), counts and errors."""
    check_choice(status, FINAL_STATUSES, field="status")
    counts = check_json(counts or {}, field="counts")
    errors = check_json(errors or [], field="errors")
    with db.session(context=f"finish run {run_id}", write=True) as session:
        run = session.get(CrawlRun, run_id)
        if run is None:
            raise RunNotFound(run_id)
        run.status = status
        run.counts = counts
        run.errors = errors
        run.reason = reason
        run.finished_at = finished_at or utcnow()
        session.flush()
        return _run_info(run)


def get_run(db: Database, run_id: int) -> RunInfo:
    with db.session(context=f"read run {run_id}") as session:
        run = session.get(CrawlRun, run_id)
        if run is None:
            raise RunNotFound(run_id)
        return _run_info(run)


def list_runs(db: Database, *, source_id: str | None = None, limit: int = 20) -> list[RunInfo]:
    """Most recent runs first."""
    stmt = select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit)
    if source_id is not None:
        stmt = stmt.where(CrawlRun.source_id == source_id)
    with db.session(context="list runs") as session:
        return [_run_info(run) for run in session.scalars(stmt)]


def _run_info(run: CrawlRun) -> RunInfo:
    return RunInfo(
        id=run.id,
        source_id=run.source_id,
        status=run.status,
        started_at=run.started_at,
        finished_at=run.finished_at,
        counts=dict(run.counts or {}),
        errors=list(run.errors or []),
        reason=run.reason,
    )
