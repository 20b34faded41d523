"""What a source's next crawl must do: its backfill state and its frontier.

Backfill: a source whose whole archive has not been fetched yet (a new source, or one
asked again by `fairwatch sources backfill`) is crawled in backfill mode, every list
page; once a backfill run completes, later runs are incremental.

Frontier: list and detail pages a crawl found but has not finished. Each is written when
found and deleted when done, so after a crash the next crawl of the source starts with
what is left instead of starting blind.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.db import Database
from storage.models import FRONTIER_ROLES, FrontierEntry, SourceState, utcnow
from storage.repository._common import check_choice, ensure_source_row

logger = logging.getLogger(__name__)

_FRONTIER = FrontierEntry.__table__


@dataclass(frozen=True, kw_only=True)
class BackfillInfo:
    source_id: str
    backfill: str  # pending | running | done
    requested_at: datetime | None
    started_at: datetime | None
    done_at: datetime | None
    run_id: int | None


def backfill_state(db: Database, source_id: str) -> BackfillInfo:
    """The source's backfill state; a source never crawled has a pending backfill."""
    with db.session(context=f"read backfill state of {source_id}") as session:
        row = session.get(SourceState, source_id)
        if row is None:
            return BackfillInfo(
                source_id=source_id,
                backfill="pending",
                requested_at=None,
                started_at=None,
                done_at=None,
                run_id=None,
            )
        return BackfillInfo(
            source_id=source_id,
            backfill=row.backfill,
            requested_at=row.backfill_requested_at,
            started_at=row.backfill_started_at,
            done_at=row.backfill_done_at,
            run_id=row.backfill_run_id,
        )


def set_backfill(db: Database, source_id: str, state: str, *, run_id: int | None = None) -> None:
    """Move the backfill of source_id to pending (requested), running or done."""
    check_choice(state, ("pending", "running", "done"), field="backfill")
    now = utcnow()
    with db.session(context=f"set backfill of {source_id} to {state}", write=True) as session:
        ensure_source_row(session, source_id)
        row = session.get(SourceState, source_id)
        if row is None:
            row = SourceState(source_id=source_id, backfill_requested_at=now)
            session.add(row)
        row.backfill = state
        if state == "pending":
            row.backfill_requested_at = now
            row.backfill_done_at = None
        elif state == "running":
            row.backfill_started_at = now
            row.backfill_run_id = run_id
        else:
            row.backfill_done_at = now
            row.backfill_run_id = run_id or row.backfill_run_id


def add_to_frontier(
    db: Database, source_id: str, role: str, urls: Iterable[str], *, run_id: int | None = None
) -> int:
    """Record urls found and not yet done (duplicates are ignored); returns how many."""
    return expand_frontier(db, source_id, None, {role: urls}, run_id=run_id)


def expand_frontier(
    db: Database,
    source_id: str,
    done_list_url: str | None,
    found: dict[str, Iterable[str]],
    *,
    run_id: int | None = None,
) -> int:
    """In one transaction: record the pages found ({role: urls}) and forget the list page
    they came from, so a crash never loses the one without the other."""
    now = utcnow()
    rows = []
    for role, urls in found.items():
        check_choice(role, FRONTIER_ROLES, field="role")
        rows.extend(
            {"source_id": source_id, "role": role, "url": u, "run_id": run_id, "created_at": now}
            for u in dict.fromkeys(urls)
        )
    if not rows and done_list_url is None:
        return 0
    insert = pg_insert if db.dialect == "postgresql" else sqlite_insert
    with db.session(
        context=f"add {len(rows)} page(s) to the frontier of {source_id}", write=True
    ) as s:
        ensure_source_row(s, source_id)
        if rows:
            s.execute(
                insert(_FRONTIER)
                .values(rows)
                .on_conflict_do_nothing(index_elements=["source_id", "role", "url"])
            )
        if done_list_url is not None:
            s.execute(
                delete(_FRONTIER).where(
                    _FRONTIER.c.source_id == source_id,
                    _FRONTIER.c.role == "list",
                    _FRONTIER.c.url == done_list_url,
                )
            )
    return len(rows)


def remove_from_frontier(db: Database, source_id: str, role: str, urls: Iterable[str]) -> None:
    """Forget pages that are done (stored, unchanged, or given up with a recorded reason)."""
    urls = list(urls)
    if not urls:
        return
    with db.session(context=f"finish {len(urls)} frontier page(s) of {source_id}", write=True) as s:
        s.execute(
            delete(_FRONTIER).where(
                _FRONTIER.c.source_id == source_id,
                _FRONTIER.c.role == role,
                _FRONTIER.c.url.in_(urls),
            )
        )


def frontier(db: Database, source_id: str, role: str | None = None) -> list[tuple[str, str]]:
    """(role, url) of the pages still to do for source_id, oldest first."""
    stmt = (
        select(_FRONTIER.c.role, _FRONTIER.c.url)
        .where(_FRONTIER.c.source_id == source_id)
        .order_by(_FRONTIER.c.id)
    )
    if role is not None:
        stmt = stmt.where(_FRONTIER.c.role == role)
    with db.session(context=f"read the frontier of {source_id}") as session:
        return [(r, u) for r, u in session.execute(stmt)]


def clear_frontier(db: Database, source_id: str) -> None:
    with db.session(context=f"clear the frontier of {source_id}", write=True) as session:
        session.execute(delete(_FRONTIER).where(_FRONTIER.c.source_id == source_id))
