"""Fixtures for the storage tests: every test runs on SQLite and on PostgreSQL.

`db` (a migrated database with no rows) comes from tests/conftest.py. `empty_db` has no
tables at all (a new file, or a new schema dropped afterwards), for the migration tests.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.db import Database
from storage.records import AttachmentRecord, DocumentRecord
from tests.databases import drop_schema

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database with no tables yet (migrations not run): a new file or a new schema."""
    if request.param == "sqlite":
        db = Database(tmp_path / "fairwatch.db")
        try:
            yield db
        finally:
            db.close()
        return
    pg_url = request.getfixturevalue("pg_url")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    db = Database(pg_url, schema=schema)
    try:
        yield db
    finally:
        db.close()
        drop_schema(pg_url, schema)


@pytest.fixture(name="make_record")
def make_record_fixture() -> object:
    """Build a DocumentRecord: make_record(n, body=..., attachments=..., **fields)."""
    return make_record


def make_record(
    n: int = 1,
    *,
    source_id: str = "gd-gov",
    body: str | None = None,
    attachments: list[AttachmentRecord] | None = None,
    **overrides: object,
) -> DocumentRecord:
    values: dict[str, object] = {
        "source_id": source_id,
        "url": f"http://127.0.0.1/policy/{n}.html",
        "kind": "policy",
        "title": f"关于印发第{n}号办法的通知",
        "body": body if body is not None else f"第{n}号：各有关单位，本地企业优先采购。",
        "fetched_at": datetime(2024, 3, 1, 8, 0, n % 60, tzinfo=UTC),
        "metadata": {"doc_number": f"粤府〔2024〕{n}号", "published": "2024-02-28"},
        "attachments": attachments if attachments is not None else [],
    }
    values.update(overrides)
    return DocumentRecord(**values)  # type: ignore[arg-type]
