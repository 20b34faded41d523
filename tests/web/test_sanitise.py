"""Crawled text and index highlights as HTML: only the console's own markup survives."""

from __future__ import annotations

from dataclasses import dataclass

import lxml.html
from fastapi.testclient import TestClient

from fairwatch.web.highlight import clean, highlight
from tests.web.conftest import Site, login
from tests.web.corpus import HOSTILE_BODY


@dataclass
class _F:
    id: int
    start: int
    end: int
    grade: str = "疑似"
    standard: str = "FC-9-3"


def test_highlight_escapes_everything_but_its_marks() -> None:
    html = str(highlight(HOSTILE_BODY, [_F(7, HOSTILE_BODY.index("本地企业"),
                                            HOSTILE_BODY.index("本地企业") + 4)]))
    mark = '<mark id="clause-7" class="clause g-suspect" title="FC-9-3 疑似">本地企业</mark>'
    assert mark in html
    assert "&lt;script&gt;" in html and "<script" not in html
    assert "<img" not in html and "<a " not in html and "<svg" not in html
    # A span that straddles a payload is still escaped inside the mark.
    start = HOSTILE_BODY.index("<img")
    marked = str(highlight(HOSTILE_BODY, [_F(8, start, start + 30, "明显违反")]))
    assert '<mark id="clause-8" class="clause g-clear"' in marked and "<img" not in marked


def test_clean_keeps_only_the_allow_list() -> None:
    dirty = ('<em onclick="x()">本地</em><a href="javascript:alert(1)">x</a>'
             '<mark style="color:red" id="clause-1">y</mark><iframe src="//e"></iframe>')
    out = str(clean(dirty))
    assert out == '<em>本地</em>x<mark id="clause-1">y</mark>'


def test_every_page_with_the_hostile_document_escapes_it(site: Site, client: TestClient) -> None:
    login(client, "admin")
    doc = site.doc("city-a/3.html")
    for path in (f"/documents/{doc}", "/documents", "/search?q=采购管理"):
        tree = lxml.html.fromstring(client.get(path).text)
        assert tree.xpath("//script/@src") == ["/static/console.js"], path
        assert tree.xpath("//script[not(@src)]") == [], path
        assert tree.xpath("//img[@onerror] | //svg | //iframe") == [], path
        handlers = [(el.tag, name) for el in tree.iter() if isinstance(el.tag, str)
                    for name in el.attrib if name.startswith("on")]
        assert handlers == [], path
        assert [h for h in tree.xpath("//@href | //@src")
                if h.strip().lower().startswith("javascript:")] == [], path
        assert "script-ran" in tree.text_content() or path == "/documents", path


def test_ad_evidence_is_shown(site: Site, client: TestClient) -> None:
    from storage import repository

    login(client, "monitor")
    doc = repository.show_document(site.db, site.doc("ads/1"))
    html = client.get(f"/documents/{doc.id}").text
    version = doc.latest
    assert f'src="/versions/{version.id}/screenshot.png"' in html
    assert version.content_hash in html and "ab" * 32 in html
    png = client.get(f"/versions/{version.id}/screenshot.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert png.headers["content-type"] == "image/png"
    policy = repository.show_document(site.db, site.doc("city-a/1.html")).latest
    assert client.get(f"/versions/{policy.id}/screenshot.png").status_code == 404
