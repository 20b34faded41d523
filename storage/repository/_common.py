"""Helpers shared by the repository modules: input checks and value clean-up."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.errors import InvalidRecord
from storage.models import DocumentVersion, Source, utcnow

logger = logging.getLogger(__name__)


def check_choice(value: Any, choices: tuple[str, ...], *, field: str) -> str:
    if value not in choices:
        raise InvalidRecord(f"must be one of {', '.join(choices)}", field=field, value=value)
    return str(value)


def check_text(value: Any, *, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidRecord("must be a non-empty string", field=field, value=value)
    return value


def check_json(value: Any, *, field: str) -> Any:
    """Values stored as JSON must round-trip through JSON; say which field does not."""
    try:
        json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise InvalidRecord(f"not JSON-serialisable: {exc}", field=field, value=value) from exc
    return strip_nul(value)


def strip_nul(value: Any) -> Any:
    """Remove NUL characters, which PostgreSQL text cannot hold (crawled pages contain them)."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {strip_nul(k): strip_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strip_nul(v) for v in value]
    return value


def parse_date(value: Any) -> date | None:
    """An ISO date (or datetime) from metadata, or None when absent or unparsable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        logger.debug("ignoring unparsable date %r", value)
        return None


def ensure_source_row(session: Session, source_id: str, *, kind: str = "policy") -> Source:
    """The source row, created with its id as name if the crawler never registered it."""
    source = session.get(Source, source_id)
    if source is None:
        # Two workers may meet a new source at once: the loser's insert does nothing and
        # it reads the winner's row (PostgreSQL waits for the winner to commit first).
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        now = utcnow()
        session.execute(
            insert(Source)
            .values(id=source_id, name=source_id, kind=kind, created_at=now, updated_at=now)
            .on_conflict_do_nothing(index_elements=["id"])
        )
        source = session.get(Source, source_id)
        if source is None:  # pragma: no cover - only if the row vanished in between
            raise InvalidRecord(
                "source row could not be created", field="source_id", value=source_id
            )
    return source


def latest_version_ids() -> Any:
    """Subquery (document_id, version_id) of each document's current version."""
    return (
        select(
            DocumentVersion.document_id.label("document_id"),
            func.max(DocumentVersion.id).label("version_id"),
        )
        .group_by(DocumentVersion.document_id)
        .subquery("latest")
    )
