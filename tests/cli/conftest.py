"""CLI tests: settings pointed at a fresh data folder through FAIRWATCH_* variables."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in [k for k in __import__("os").environ if k.startswith("FAIRWATCH_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("FAIRWATCH_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"
