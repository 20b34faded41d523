"""The rows of `fairwatch sources status`: schedule, last run, next run, yield, health."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from crawlers.sources import SourceConfig
from fairwatch.service.health import evaluate
from fairwatch.service.scheduler import JOBS_TABLE, job_id
from fairwatch.service.triggers import next_fire_time
from fairwatch.settings import Settings
from storage.db import Database
from storage.repository import crawl_state
from storage.repository.lease import get_lease


def scheduled_times(db: Database) -> dict[str, datetime | None]:
    """job id -> next run time from the job store (empty before the first `fairwatch run`)."""
    try:
        with db.engine.connect() as conn:
            rows = conn.execute(text(f"SELECT id, next_run_time FROM {JOBS_TABLE}")).all()
    except SQLAlchemyError:  # no job store table yet
        return {}
    return {
        row[0]: datetime.fromtimestamp(row[1], UTC) if row[1] is not None else None for row in rows
    }


def status_rows(
    db: Database, sources: dict[str, SourceConfig], settings: Settings
) -> list[dict[str, Any]]:
    jobs = scheduled_times(db)
    now = datetime.now(UTC)
    rows = []
    for source_id, source in sorted(sources.items()):
        health, _ = evaluate(db, source_id, settings)
        if not source.enabled:
            next_run, scheduled = None, False
        elif job_id(source_id) in jobs:
            next_run, scheduled = jobs[job_id(source_id)], True
        else:
            next_run = next_fire_time(source.schedule, settings.service_timezone, now)
            scheduled = False
        row = health.as_dict()
        row.update(
            source=source_id,
            enabled=source.enabled,
            schedule=source.schedule.describe(),
            next_run=next_run.isoformat() if next_run else None,
            scheduled=scheduled,
            backfill=crawl_state.backfill_state(db, source_id).backfill,
        )
        rows.append(row)
    return rows


def leader_line(db: Database) -> str:
    lease = get_lease(db, "scheduler")
    if lease is None:
        return "no leader: no `fairwatch run` is running on this database"
    state = "until" if lease.expires_at > datetime.now(UTC) else "expired at"
    return f"leader {lease.holder} ({state} {lease.expires_at.isoformat(timespec='seconds')})"
