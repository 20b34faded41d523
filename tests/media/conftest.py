"""Fixtures of the media tests: a fresh migrated database (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.db import Database
from tests.storage.conftest import _drop_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        database = Database(tmp_path / "fairwatch.db")
        database.upgrade()
        try:
            yield database
        finally:
            database.close()
        return
    pg_url = request.getfixturevalue("pg_url")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    database = Database(pg_url, schema=schema)
    try:
        database.upgrade()
        yield database
    finally:
        database.close()
        _drop_schema(pg_url, schema)
