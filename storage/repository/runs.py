"""Sources and crawl-run bookkeeping.

A run is started by the process that crawls (its host and pid are recorded, so a later
start can tell whether that process is still alive), finished with its status, headline
counts and duration, or marked `interrupted` (its process died) or `timed_out` (killed
past the time limit) by the service that watches it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from storage.db import Database
from storage.errors import RunNotFound
from storage.models import DOCUMENT_KINDS, RUN_MODES, RUN_STATUSES, CrawlRun, Source, utcnow
from storage.repository._common import check_choice, check_json, check_text, ensure_source_row
from storage.repository.views import RunInfo

logger = logging.getLogger(__name__)

FINAL_STATUSES = tuple(s for s in RUN_STATUSES if s != "running")
# The headline counts stored in their own columns (key in `summary` = column name).
SUMMARY_COLUMNS = (
    "pages",
    "items_new",
    "items_changed",
    "items_unchanged",
    "skipped",
    "error_count",
    "bytes",
)


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


def start_run(
    db: Database,
    source_id: str,
    *,
    started_at: datetime | None = None,
    host: str | None = None,
    pid: int | None = None,
    mode: str = "single",
) -> int:
    """Record that a crawl of `source_id` started (by process pid on host); returns its id."""
    check_text(source_id, field="source_id")
    check_choice(mode, RUN_MODES, field="mode")
    with db.session(context=f"start run of {source_id}", write=True) as session:
        ensure_source_row(session, source_id)
        run = CrawlRun(
            source_id=source_id,
            started_at=started_at or utcnow(),
            status="running",
            host=host,
            pid=pid,
            mode=mode,
        )
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
    summary: dict[str, int] | None = None,
) -> RunInfo:
    """Close a run with its final status, counts, errors and headline `summary` counts
    (keys of SUMMARY_COLUMNS); the duration is computed from its start."""
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
        for key, value in (summary or {}).items():
            if key in SUMMARY_COLUMNS:
                setattr(run, key, int(value))
        run.duration_s = max(0.0, (run.finished_at - run.started_at).total_seconds())
        session.flush()
        return _run_info(run)


def close_orphaned_runs(
    db: Database,
    *,
    host: str,
    is_alive: Callable[[int, datetime], bool],
    status: str = "interrupted",
    reason: str = "its crawl process died before the run finished",
    pid: int | None = None,
) -> list[RunInfo]:
    """Mark runs still `running` on host whose process is gone (or just pid's) as status.

    is_alive(pid, started_at) says whether the process that started the run still runs
    (a pid reused by a newer process is not alive). Returns the runs it closed.
    """
    check_choice(status, ("interrupted", "timed_out"), field="status")
    stmt = select(CrawlRun).where(CrawlRun.status == "running", CrawlRun.host == host)
    if pid is not None:
        stmt = stmt.where(CrawlRun.pid == pid)
    closed = []
    with db.session(context=f"close orphaned runs on {host}", write=True) as session:
        for run in session.scalars(stmt):
            if pid is None and run.pid is not None and is_alive(run.pid, run.started_at):
                continue
            run.status = status
            run.reason = reason
            run.finished_at = utcnow()
            run.duration_s = max(0.0, (run.finished_at - run.started_at).total_seconds())
            closed.append(run)
        session.flush()
        infos = [_run_info(run) for run in closed]
    for info in infos:
        logger.warning(
            "run %d of %s marked %s: %s",
            info.id,
            info.source_id,
            status,
            reason,
            extra={"source_id": info.source_id, "run_id": info.id},
        )
    return infos


def get_run(db: Database, run_id: int) -> RunInfo:
    with db.session(context=f"read run {run_id}") as session:
        run = session.get(CrawlRun, run_id)
        if run is None:
            raise RunNotFound(run_id)
        return _run_info(run)


def list_runs(
    db: Database,
    *,
    source_id: str | None = None,
    limit: int = 20,
    status: str | None = None,
) -> list[RunInfo]:
    """Most recent runs first."""
    stmt = select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit)
    if source_id is not None:
        stmt = stmt.where(CrawlRun.source_id == source_id)
    if status is not None:
        stmt = stmt.where(CrawlRun.status == status)
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
        host=run.host,
        pid=run.pid,
        mode=run.mode or "single",
        pages=run.pages or 0,
        items_new=run.items_new or 0,
        items_changed=run.items_changed or 0,
        items_unchanged=run.items_unchanged or 0,
        skipped=run.skipped or 0,
        error_count=run.error_count or 0,
        bytes=run.bytes or 0,
        duration_s=run.duration_s,
    )
