"""Operator events: every alert meant for the operator, recorded once per dedup key."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.db import Database
from storage.models import OperatorEvent, utcnow
from storage.repository._common import check_json, check_text

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class OperatorEventView:
    id: int
    kind: str
    source_id: str | None
    message: str
    details: dict[str, Any]
    dedup_key: str | None
    created_at: datetime


def record_operator_event(
    db: Database,
    *,
    kind: str,
    message: str,
    source_id: str | None = None,
    dedup_key: str | None = None,
    details: dict[str, Any] | None = None,
) -> bool:
    """Store the event; False (nothing stored) when one with the same dedup_key exists."""
    check_text(kind, field="kind")
    check_text(message, field="message")
    details = check_json(details or {}, field="details")
    with db.session(context=f"record operator event {kind}", write=True) as session:
        insert = pg_insert if db.dialect == "postgresql" else sqlite_insert
        stmt = insert(OperatorEvent.__table__).values(
            kind=kind,
            source_id=source_id,
            message=message,
            details=details,
            dedup_key=dedup_key,
            created_at=utcnow(),
        )
        if dedup_key is not None:
            stmt = stmt.on_conflict_do_nothing(index_elements=["dedup_key"])
        # RETURNING, not rowcount: PostgreSQL's driver reports -1 for an INSERT that
        # returns the new id, and a skipped conflict returns no row at all.
        stmt = stmt.returning(OperatorEvent.__table__.c.id)
        return session.connection().execute(stmt).first() is not None


def list_operator_events(
    db: Database, *, kind: str | None = None, source_id: str | None = None, limit: int = 100
) -> list[OperatorEventView]:
    """Most recent first."""
    stmt = select(OperatorEvent).order_by(OperatorEvent.id.desc()).limit(limit)
    if kind is not None:
        stmt = stmt.where(OperatorEvent.kind == kind)
    if source_id is not None:
        stmt = stmt.where(OperatorEvent.source_id == source_id)
    with db.session(context="list operator events") as session:
        return [
            OperatorEventView(
                id=e.id,
                kind=e.kind,
                source_id=e.source_id,
                message=e.message,
                details=dict(e.details or {}),
                dedup_key=e.dedup_key,
                created_at=e.created_at,
            )
            for e in session.scalars(stmt)
        ]
