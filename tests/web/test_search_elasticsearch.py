"""The search page and its export on Elasticsearch find, count and facet what they find on
the embedded index."""

from __future__ import annotations

import io
import re
import uuid
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from storage.search.elasticsearch import ElasticsearchIndex
from tests.web.conftest import Site, build_site, login

pytestmark = pytest.mark.elasticsearch


@pytest.fixture
def es_site(es_url: str, tmp_path: Path):  # noqa: ANN201
    index = ElasticsearchIndex(es_url, index_prefix=f"fw-console-{uuid.uuid4().hex[:10]}")
    built = build_site(tmp_path / "es", index=index)
    yield built
    index.drop()
    index.close()
    built.db.engine.dispose()


def _page(client: TestClient, params: dict) -> tuple[str, list[str], str]:
    html = client.get("/search", params=params).text
    total = re.search(r'id="total">([^<]+)<', html).group(1)
    ids = re.findall(r'<li class="hit"><a href="/documents/(\d+)"', html)
    facets = html.split('class="facets"', 1)[1].split("</aside>", 1)[0]
    return total, sorted(ids), facets


def test_search_page_agrees_across_backends(site: Site, es_site: Site) -> None:
    assert site.doc_ids == es_site.doc_ids
    queries = ({"q": "本地企业"}, {"kind": "ad"}, {"q": "推荐名录", "region": "乙县"},
               {"standard": "FC-10-2"}, {"flagged": "1", "sort": "-published"})
    with TestClient(site.app) as fts, TestClient(es_site.app) as es:
        login(fts, "monitor")
        login(es, "monitor")
        for params in queries:
            assert _page(fts, params) == _page(es, params), params
        a = openpyxl.load_workbook(io.BytesIO(fts.get("/search.xlsx", params=queries[0]).content))
        b = openpyxl.load_workbook(io.BytesIO(es.get("/search.xlsx", params=queries[0]).content))
        rows_a = sorted(r[:15] for r in list(a.active.iter_rows(values_only=True))[2:])
        rows_b = sorted(r[:15] for r in list(b.active.iter_rows(values_only=True))[2:])
        assert rows_a == rows_b and len(rows_a) == 2
