"""Session-wide fixtures: paths to the shared fixtures and the real services.

Services are started by `make test` (scripts/services.sh, scripts/elasticsearch.sh), which
exports their URLs. A test that needs one and finds no URL fails with a message saying how
to start it: it never skips, so a green run means the real part was exercised.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
