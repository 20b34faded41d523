"""Fixtures for the storage tests: every test runs on SQLite and on PostgreSQL.

`db` is a migrated database with no rows: a copy of a SQLite file migrated once per
session, or a PostgreSQL schema migrated once per session and truncated before each test.
`empty_db` has no tables at all (a new file, or a new schema dropped afterwards), for the
migration tests.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from storage.db import Database
from storage.models import Base
from storage.records import AttachmentRecord, DocumentRecord

BACKENDS = ["sqlite", "postgresql"]


def _drop_schema(pg_url: str, schema: str) -> None:
    admin = create_engine(pg_url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        admin.dispose()


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
        _drop_schema(pg_url, schema)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy (migrating costs more than copying)."""
    path = tmp_path_factory.mktemp("template") / "fairwatch.db"
    with Database(path) as db:
        db.upgrade()
    return path


@pytest.fixture(scope="session")
def pg_migrated(request: pytest.FixtureRequest) -> Iterator[Database]:
    """One migrated PostgreSQL schema for the session; tests empty it before use."""
    pg_url = request.getfixturevalue("pg_url")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    db = Database(pg_url, schema=schema)
    try:
        db.upgrade()
        yield db
    finally:
        db.close()
        _drop_schema(pg_url, schema)


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated database holding no rows."""
    if request.param == "sqlite":
        path = tmp_path / "fairwatch.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        database = Database(path)
        try:
            yield database
        finally:
            database.close()
        return
    shared: Database = request.getfixturevalue("pg_migrated")
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with shared.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    database = Database(shared.url, schema=shared.schema)
    try:
        yield database
    finally:
        database.close()


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
