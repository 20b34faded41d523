"""Session-wide fixtures: paths to the shared fixtures and the real services.

Services are started by `make test` (scripts/services.sh, scripts/elasticsearch.sh), which
exports their URLs. A test that needs one and finds no URL fails with a message saying how
to start it: it never skips, so a green run means the real part was exercised.

`db` is a migrated database holding no rows, on SQLite and on PostgreSQL: a copy of a
SQLite file migrated once per session, or a PostgreSQL schema migrated once per session
and emptied before each test.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from storage.db import Database
from tests.databases import drop_schema, empty_every_table, service_url

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def _service_url(var: str, how: str) -> str:
    url = os.environ.get(var)
    if not url:
        pytest.fail(f"{var} is not set: start the service with `{how}` (make test does this)")
    return url


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"shared fixtures not found at {SHARED}: the checkout must sit beside shared/")
    return SHARED


@pytest.fixture(scope="session")
def pg_url() -> str:
    return _service_url("FAIRWATCH_TEST_PG_URL", "bash scripts/services.sh start")


@pytest.fixture(scope="session")
def redis_url() -> str:
    return _service_url("FAIRWATCH_TEST_REDIS_URL", "bash scripts/services.sh start")


@pytest.fixture(scope="session")
def es_url() -> str:
    return _service_url("FAIRWATCH_TEST_ES_URL", "bash scripts/elasticsearch.sh start")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy (migrating costs more than copying)."""
    path = tmp_path_factory.mktemp("template") / "fairwatch.db"
    with Database(path) as db:
        db.upgrade()
    return path


@pytest.fixture(scope="session")
def pg_migrated(pg_url: str) -> Iterator[Database]:
    """One migrated PostgreSQL schema for the session; tests empty it before use."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    db = Database(pg_url, schema=schema)
    try:
        db.upgrade()
        yield db
    finally:
        db.close()
        drop_schema(pg_url, schema)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated database holding no rows."""
    if request.param == "sqlite":
        path = tmp_path / "fairwatch.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        database = Database(path)
    else:
        shared: Database = request.getfixturevalue("pg_migrated")
        empty_every_table(shared)
        database = Database(shared.url, schema=shared.schema)
    try:
        yield database
    finally:
        database.close()


@pytest.fixture
def pg_schema(pg_url: str) -> Iterator[tuple[str, Database]]:
    """(FAIRWATCH_DATABASE_URL of a fresh PostgreSQL schema, a handle on it), for processes
    of distributed crawls that share one database; dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    db = Database(pg_url, schema=schema)
    db.upgrade()
    try:
        yield service_url(db), db
    finally:
        db.close()
        drop_schema(pg_url, schema)


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A Redis key prefix of one test alone; its keys are deleted afterwards."""
    name = f"fwtest-{uuid.uuid4().hex[:12]}"
    try:
        yield name
    finally:
        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(f"{name}:*"))
        if keys:
            client.delete(*keys)
        client.close()
