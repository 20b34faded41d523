"""Search contract fixtures: every test in tests/search/ runs once per backend.

To add a backend, add its name to BACKENDS and a builder to _BUILDERS; the builder gets
the pytest request and a temporary directory and returns an empty SearchIndex.
The Elasticsearch-only tests share `prefix` (a fresh index prefix per test) and `es_index`
(an ElasticsearchIndex under it, dropped afterwards).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from storage.search.base import SearchIndex
from storage.search.fts import Fts5Index
from tests.search.search_corpus import CORPUS

if TYPE_CHECKING:
    from storage.search.elasticsearch import ElasticsearchIndex


def unique_prefix() -> str:
    """An index prefix no other test uses, so tests on the shared node never collide."""
    return f"fwtest-{uuid.uuid4().hex[:12]}"


def _fts5(request: pytest.FixtureRequest, tmp_path: Path) -> SearchIndex:
    return Fts5Index(tmp_path / "search.db")


def _elasticsearch(request: pytest.FixtureRequest, tmp_path: Path) -> SearchIndex:
    from storage.search.elasticsearch import ElasticsearchIndex

    es_url = request.getfixturevalue("es_url")
    return ElasticsearchIndex(es_url, index_prefix=unique_prefix())


_BUILDERS: dict[str, Callable[[pytest.FixtureRequest, Path], SearchIndex]] = {
    "fts5": _fts5,
    "elasticsearch": _elasticsearch,
}
BACKENDS = ["fts5", "elasticsearch"]


@pytest.fixture(params=BACKENDS)
def empty_index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchIndex]:
    index = _BUILDERS[request.param](request, tmp_path)
    index.ensure()
    try:
        yield index
    finally:
        drop = getattr(index, "drop", None)  # backends with server-side state clean it up
        if callable(drop):
            drop()
        index.close()


@pytest.fixture
def index(empty_index: SearchIndex) -> SearchIndex:
    """An index holding CORPUS."""
    assert empty_index.index(CORPUS) == len(CORPUS)
    empty_index.refresh()
    return empty_index


@pytest.fixture
def prefix() -> str:
    return unique_prefix()


@pytest.fixture
def es_index(es_url: str, prefix: str) -> Iterator[ElasticsearchIndex]:
    from storage.search.elasticsearch import ElasticsearchIndex

    index = ElasticsearchIndex(es_url, index_prefix=prefix)
    try:
        yield index
    finally:
        index.drop()
        index.close()
