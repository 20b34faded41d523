"""Fixtures of the alert tests: local receivers, a migrated database on SQLite and
PostgreSQL, alerts files written per test."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from alerts import AlertsConfig, load_alerts_config
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


@pytest.fixture
def alerts_file(tmp_path: Path) -> Callable[..., tuple[Path, AlertsConfig]]:
    def write(text_: str, **env: str) -> tuple[Path, AlertsConfig]:
        path = tmp_path / f"alerts-{uuid.uuid4().hex[:6]}.yaml"
        path.write_text(text_, encoding="utf-8")
        return path, load_alerts_config(path, environ=env)

    return write
