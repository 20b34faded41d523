"""The durable outbox (table alert_outbox, migration 0002): every read and write of it.

Rows for findings are written by `enqueue_version` inside the transaction that stores the
findings (storage calls it through `after_findings`), so a finding is never committed
without its alerts. Inserts use ON CONFLICT DO NOTHING against the unique key (route,
channel, finding identity): queuing the same finding again is a no-op, whatever the
version, run or process. Statuses: pending -> sending (claimed) -> sent | failed; a row
left in `sending` by a process that died is claimed again once its claim has expired.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from alerts.config import AlertsConfig
from alerts.routing import due_time, finding_identity, group_key, matches
from storage.db import Database
from storage.models import (
    AlertOutbox,
    Document,
    DocumentVersion,
    Finding,
    Source,
    utcnow,
)

__all__ = [
    "OutboxRow",
    "claim_group",
    "due_groups",
    "enqueue_operator",
    "enqueue_version",
    "insert_rows",
    "list_rows",
    "mark_failed",
    "mark_retry",
    "mark_sent",
    "requeue",
    "status_counts",
]

logger = logging.getLogger(__name__)

_OUTBOX = AlertOutbox.__table__


@dataclass(frozen=True)
class OutboxRow:
    id: int
    route: str
    channel: str
    kind: str
    status: str
    attempts: int
    due_at: datetime
    sent_at: datetime | None
    last_error: str | None
    group_key: str
    source_id: str | None
    payload: dict[str, Any]
    created_at: datetime


def insert_rows(conn: Connection, rows: list[dict[str, Any]]) -> int:
    """Insert outbox rows, skipping any whose unique key is already queued; returns inserted."""
    if not rows:
        return 0
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = insert(_OUTBOX).on_conflict_do_nothing().returning(_OUTBOX.c.id)
    # One multi-row INSERT: a skipped row returns no id, so the count is exact.
    return len(conn.execute(statement, rows).all())


def enqueue_version(
    conn: Connection,
    version_id: int,
    config: AlertsConfig,
    *,
    console_url: str = "",
    now: datetime | None = None,
) -> int:
    """Queue the alerts of one version's findings on the open connection; returns rows added."""
    routes = config.finding_routes()
    if not routes:
        return 0
    now = now or utcnow()
    items = _finding_items(conn, version_id, console_url)
    rows: list[dict[str, Any]] = []
    for route in routes:
        chosen = [item for item in items if matches(route, item)]
        due = due_time(route, now, config.zone)
        for item in chosen:
            identity = finding_identity(
                item["source_id"], item["url"], item["standard"], item["rule"], item["quote"]
            )
            payload = {**item, "further_findings": len(chosen) - 1}
            for channel in route.channels:
                rows.append(
                    {
                        "route": route.name,
                        "channel": channel,
                        "kind": "finding",
                        "dedup_key": identity,
                        "open_key": None,
                        "group_key": group_key(route, identity, version_id, due),
                        "status": "pending",
                        "attempts": 0,
                        "due_at": due,
                        "source_id": item["source_id"],
                        "version_id": version_id,
                        "finding_id": item["finding_id"],
                        "payload": payload,
                        "created_at": now,
                    }
                )
    added = insert_rows(conn, rows)
    if rows:
        logger.debug(
            "version %d: %d alert row(s) queued, %d already queued before",
            version_id, added, len(rows) - added,
        )
    return added


# Built once: this runs for every flagged document a crawl stores.
_v, _d, _s, _f = DocumentVersion, Document, Source, Finding
_FINDING_ITEMS = (
    select(
        _f.id, _f.standard, _f.rule, _f.grade, _f.field, _f.quote, _f.citation, _f.explanation,
        _f.exception, _v.id.label("version_id"), _v.number, _v.title, _v.doc_number, _v.issuer,
        _v.published, _d.id.label("doc_id"), _d.url, _d.kind, _d.platform, _d.source_id,
        _s.name.label("source_name"), _s.region, _s.issuer.label("source_issuer"),
    )
    .join(_v, _v.id == _f.version_id)
    .join(_d, _d.id == _v.document_id)
    .join(_s, _s.id == _d.source_id)
    .where(_f.version_id == bindparam("version_id"))
    .order_by(_f.start, _f.id)
)


def _finding_items(conn: Connection, version_id: int, console_url: str) -> list[dict[str, Any]]:
    """What a message needs of each finding of the version, read in the same transaction."""
    items = []
    for row in conn.execute(_FINDING_ITEMS, {"version_id": version_id}).mappings():
        link = f"{console_url.rstrip('/')}/documents/{row['doc_id']}" if console_url else row["url"]
        items.append(
            {
                "finding_id": row["id"],
                "doc_id": row["doc_id"],
                "version_id": row["version_id"],
                "version": row["number"],
                "source_id": row["source_id"],
                "source_name": row["source_name"],
                "region": row["region"],
                "kind": row["kind"],
                "platform": row["platform"],
                "url": row["url"],
                "link": link,
                "title": row["title"],
                "issuer": row["issuer"] or row["source_issuer"],
                "doc_number": row["doc_number"],
                "published": row["published"].isoformat() if row["published"] else None,
                "standard": row["standard"],
                "rule": row["rule"],
                "grade": row["grade"],
                "field": row["field"],
                "quote": row["quote"],
                "citation": row["citation"],
                "explanation": row["explanation"],
                "exception": row["exception"],
            }
        )
    return items


def enqueue_operator(
    db: Database,
    config: AlertsConfig,
    *,
    kind: str,
    message: str,
    source_id: str | None,
    dedup_key: str | None,
    details: dict[str, Any] | None,
    now: datetime | None = None,
) -> bool:
    """Queue an operator alert on every operator route; True if at least one row is new.

    While an alert with the same dedup key is unsent on a route, `open_key` (unique per
    route and channel) refuses a second one; once it is sent or failed the key is released.
    """
    now = now or utcnow()
    open_key = f"{kind}:{dedup_key}" if dedup_key else None
    payload = {
        "kind": kind,
        "message": config.redact(message),
        "source_id": source_id,
        "details": _redact_json(config, details or {}),
        "at": now.isoformat(),
    }
    rows = []
    for route in config.operator_routes():
        due = due_time(route, now, config.zone)
        ident = uuid.uuid4().hex
        for channel in route.channels:
            rows.append(
                {
                    "route": route.name,
                    "channel": channel,
                    "kind": "operator",
                    "dedup_key": f"operator:{ident}",
                    "open_key": open_key,
                    "group_key": (
                        f"digest:{due.strftime('%Y-%m-%dT%H:%MZ')}"
                        if route.mode == "digest"
                        else f"operator:{ident}"
                    ),
                    "status": "pending",
                    "attempts": 0,
                    "due_at": due,
                    "source_id": source_id,
                    "payload": payload,
                    "created_at": now,
                }
            )
    with db.session(context=f"queue operator alert {kind}", write=True) as session:
        added = insert_rows(session.connection(), rows)
    return added > 0


def _redact_json(config: AlertsConfig, value: Any) -> Any:
    if isinstance(value, str):
        return config.redact(value)
    if isinstance(value, dict):
        return {str(k): _redact_json(config, v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_json(config, v) for v in value]
    if isinstance(value, int | float | bool) or value is None:
        return value
    return config.redact(str(value))


# -- the delivery worker's side -------------------------------------------------------------


def _claimable(now: datetime, claim_timeout: float) -> Any:
    stale = now - timedelta(seconds=claim_timeout)
    return or_(
        and_(_OUTBOX.c.status == "pending", _OUTBOX.c.due_at <= now),
        # A claim older than the timeout belongs to a process that died mid-send.
        and_(_OUTBOX.c.status == "sending", _OUTBOX.c.claimed_at <= stale),
    )


def due_groups(
    db: Database, now: datetime, claim_timeout: float, limit: int
) -> list[tuple[str, str, str]]:
    """(route, channel, group_key) of rows that may be sent now, oldest first."""
    query = (
        select(_OUTBOX.c.route, _OUTBOX.c.channel, _OUTBOX.c.group_key)
        .where(_claimable(now, claim_timeout))
        .group_by(_OUTBOX.c.route, _OUTBOX.c.channel, _OUTBOX.c.group_key)
        .order_by(func.min(_OUTBOX.c.id))
        .limit(limit)
    )
    with db.session(context="find due alerts") as session:
        return [tuple(row) for row in session.execute(query).all()]


def claim_group(
    db: Database, route: str, channel: str, group: str, now: datetime, claim_timeout: float
) -> list[OutboxRow]:
    """Mark the group's claimable rows `sending` (one more attempt each) and return them.

    One UPDATE ... RETURNING: a second worker re-evaluates the WHERE after the first
    commits (PostgreSQL) or waits for the write lock (SQLite), so a row is claimed once.
    """
    statement = (
        update(_OUTBOX)
        .where(
            _OUTBOX.c.route == route,
            _OUTBOX.c.channel == channel,
            _OUTBOX.c.group_key == group,
            _claimable(now, claim_timeout),
        )
        .values(status="sending", claimed_at=now, attempts=_OUTBOX.c.attempts + 1)
        .returning(*_OUTBOX.c)
    )
    with db.session(context=f"claim alerts of {route}/{channel}", write=True) as session:
        rows = [_row(r) for r in session.execute(statement).mappings().all()]
    return sorted(rows, key=lambda r: r.id)


def mark_sent(db: Database, ids: Iterable[int], now: datetime) -> None:
    ids = list(ids)
    with db.session(context="mark alerts sent", write=True) as session:
        session.execute(
            update(_OUTBOX)
            .where(_OUTBOX.c.id.in_(ids))
            .values(status="sent", sent_at=now, open_key=None, last_error=None)
        )


def mark_retry(db: Database, ids: Iterable[int], due: datetime, error: str) -> None:
    with db.session(context="reschedule alerts", write=True) as session:
        session.execute(
            update(_OUTBOX)
            .where(_OUTBOX.c.id.in_(list(ids)))
            .values(status="pending", due_at=due, claimed_at=None, last_error=error[:4000])
        )


def mark_failed(db: Database, ids: Iterable[int], error: str) -> None:
    with db.session(context="mark alerts failed", write=True) as session:
        session.execute(
            update(_OUTBOX)
            .where(_OUTBOX.c.id.in_(list(ids)))
            .values(status="failed", claimed_at=None, open_key=None, last_error=error[:4000])
        )


def requeue(
    db: Database, *, ids: Iterable[int] | None = None, failed: bool = False,
    now: datetime | None = None,
) -> int:
    """Put failed rows (or the given rows, unless already sent) back to pending, attempts 0."""
    now = now or utcnow()
    statement = update(_OUTBOX).values(status="pending", attempts=0, due_at=now, claimed_at=None)
    if ids is not None:
        statement = statement.where(_OUTBOX.c.id.in_(list(ids)), _OUTBOX.c.status != "sent")
    elif failed:
        statement = statement.where(_OUTBOX.c.status == "failed")
    else:
        return 0
    with db.session(context="retry alerts", write=True) as session:
        return session.execute(statement).rowcount or 0


def list_rows(
    db: Database, *, status: str | None = None, limit: int = 100, ids: Iterable[int] | None = None
) -> list[OutboxRow]:
    query = select(_OUTBOX).order_by(_OUTBOX.c.id.desc()).limit(limit)
    if status:
        query = query.where(_OUTBOX.c.status == status)
    if ids is not None:
        query = query.where(_OUTBOX.c.id.in_(list(ids)))
    with db.session(context="list alerts") as session:
        return [_row(r) for r in session.execute(query).mappings().all()]


def status_counts(db: Database) -> dict[str, int]:
    query = select(_OUTBOX.c.status, func.count()).group_by(_OUTBOX.c.status)
    with db.session(context="count alerts") as session:
        return {status: count for status, count in session.execute(query).all()}


def _row(r: Any) -> OutboxRow:
    return OutboxRow(
        id=r["id"],
        route=r["route"],
        channel=r["channel"],
        kind=r["kind"],
        status=r["status"],
        attempts=r["attempts"],
        due_at=r["due_at"],
        sent_at=r["sent_at"],
        last_error=r["last_error"],
        group_key=r["group_key"],
        source_id=r["source_id"],
        payload=r["payload"] or {},
        created_at=r["created_at"],
    )

