"""Fixtures of the crawl tests: the fixture site and a fresh SQLite database per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.statscollectors import StatsCollector
from scrapy.utils.test import get_crawler

from storage.db import Database
from tests.site import FixtureSite


@pytest.fixture(scope="session")
def site() -> Iterator[FixtureSite]:
    with FixtureSite() as running:
        yield running


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "fairwatch.db")
    database.upgrade()
    yield database
    database.engine.dispose()


@pytest.fixture
def stats() -> StatsCollector:
    return get_crawler(Spider, {}).stats
