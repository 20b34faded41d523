"""Search contract fixtures: every test in tests/search/ runs once per backend.

To add a backend, add its name to BACKENDS and a builder to _BUILDERS; the builder gets
the pytest request and a temporary directory and returns an empty SearchIndex.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from storage.search.base import SearchIndex
from storage.search.fts import Fts5Index
from tests.search.search_corpus import CORPUS


def _fts5(request: pytest.FixtureRequest, tmp_path: Path) -> SearchIndex:
    return Fts5Index(tmp_path / "search.db")


def _elasticsearch(request: pytest.FixtureRequest, tmp_path: Path) -> SearchIndex:
    from storage.search.elasticsearch import ElasticsearchIndex

    es_url = request.getfixturevalue("es_url")
    return ElasticsearchIndex(es_url, index_prefix=f"fwtest-{uuid.uuid4().hex[:12]}")


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
