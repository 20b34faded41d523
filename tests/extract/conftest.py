"""Paths to the real fixture pages used by the extraction tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def real_dir(shared_dir: Path) -> Path:
    path = shared_dir / "fixtures" / "real"
    if not path.is_dir():
        pytest.fail(f"real fixtures missing at {path}")
    return path


@pytest.fixture(scope="session")
def pages_dir(real_dir: Path) -> Path:
    return real_dir / "pages"

