"""Fixtures of the alert tests: local receivers, a migrated database on SQLite and
PostgreSQL, alerts files written per test."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from alerts import AlertsConfig, load_alerts_config
from storage.db import Database
from tests.alerts.receivers import Receiver


@pytest.fixture
def receiver() -> Iterator[Callable[..., Receiver]]:
    started: list[Receiver] = []

    def make(**options: object) -> Receiver:
        running = Receiver(**options).start()  # type: ignore[arg-type]
        started.append(running)
        return running

    yield make
    for running in started:
        running.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        database = Database(tmp_path / "fairwatch.db")
        database.upgrade()
        yield database
        database.close()
        return
    pg_url = request.getfixturevalue("pg_url")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    database = Database(pg_url, schema=schema)
    database.upgrade()
    try:
        yield database
    finally:
        database.close()
        admin = create_engine(pg_url)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def alerts_file(tmp_path: Path) -> Callable[..., tuple[Path, AlertsConfig]]:
    def write(text_: str, **env: str) -> tuple[Path, AlertsConfig]:
        path = tmp_path / f"alerts-{uuid.uuid4().hex[:6]}.yaml"
        path.write_text(text_, encoding="utf-8")
        return path, load_alerts_config(path, environ=env)

    return write
