"""Search with facets and highlights, its .xlsx export, and the review form .docx."""

from __future__ import annotations

import io
import re

import docx
import openpyxl
from fastapi.testclient import TestClient

from storage import repository
from tests.web.conftest import Site, login


def test_search_page_filters_facets_highlights(site: Site, client: TestClient) -> None:
    login(client, "monitor")
    html = client.get("/search", params={"q": "本地企业"}).text
    assert "共 2 条结果" in html
    assert "<em>本地企业</em>" in html  # highlight kept, as markup
    facets = html.split('class="facets"', 1)[1].split("</aside>", 1)[0]
    assert "<span>city-a</span></a> <span class=\"count\">2</span>" in facets
    # A facet value is a link that adds its filter to the search.
    link = re.search(r'<a href="(/search\?[^"]*standard=FC-9-1[^"]*)"', facets).group(1)
    narrowed = client.get(link.replace("&amp;", "&")).text
    assert "共 1 条结果" in narrowed and "甲市政府采购管理办法" in narrowed
    ads = client.get("/search", params={"kind": "ad"}).text
    assert "共 1 条结果" in ads and "全网最好的面霜" in ads
    none = client.get("/search", params={"q": "本地企业", "region": "乙县"}).text
    assert "共 0 条结果" in none


def test_search_paginates_with_the_cursor(site: Site, client: TestClient) -> None:
    login(client, "monitor")
    seen, url, pages = [], "/search?sort=published", 0
    from fairwatch.web import pages_search

    pages_search.PAGE_SIZE, old = 2, pages_search.PAGE_SIZE
    try:
        while url and pages < 10:
            html = client.get(url).text
            seen += re.findall(r'<li class="hit"><a href="/documents/(\d+)"', html)
            nxt = re.search(r'<a rel="next" href="([^"]+)"', html)
            url = nxt.group(1).replace("&amp;", "&") if nxt else None
            pages += 1
    finally:
        pages_search.PAGE_SIZE = old
    assert pages == 3 and len(seen) == len(set(seen)) == 6


def test_search_results_export_to_xlsx(site: Site, client: TestClient) -> None:
    login(client, "monitor")
    r = client.get("/search.xlsx", params={"q": "推荐名录"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "检索：推荐名录"
    header, data = rows[1], rows[2:]
    ids = sorted(row[header.index("文件ID")] for row in data)
    assert ids == sorted([site.doc("city-a/1.html"), site.doc("county-b/1.html")])
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in data}
    first = by_id[site.doc("city-a/1.html")]
    detail = repository.show_document(site.db, site.doc("city-a/1.html"))
    assert first["内容SHA-256"] == detail.latest.content_hash
    assert first["最高等级"] == "明显违反" and first["疑似问题条款"] == len(detail.latest.findings)


def test_xlsx_cells_cannot_run_formulas(site: Site, client: TestClient) -> None:
    from fairwatch.web.exports.search_xlsx import _cell

    assert _cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert _cell("正常") == "正常"


def test_review_form_lists_confirmed_and_open_clauses(site: Site, client: TestClient) -> None:
    csrf = login(client, "reviewer")
    doc_id = site.doc("city-a/1.html")
    findings = repository.show_document(site.db, doc_id).latest.findings
    confirmed, false_alarm = findings[0], findings[-1]
    client.post(f"/findings/{confirmed.id}/review",
                data={"status": "confirmed", "note": "确属限定本地", "csrf_token": csrf})
    client.post(f"/findings/{false_alarm.id}/review",
                data={"status": "false_alarm", "note": "误判", "csrf_token": csrf})
    r = client.get(f"/documents/{doc_id}/review-form.docx")
    assert r.status_code == 200
    form = docx.Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in form.paragraphs)
    assert "公平竞争审查表" in text
    facts = {row.cells[0].text: row.cells[1].text for row in form.tables[0].rows}
    assert facts["文号"] == "甲政发〔2024〕1号" and facts["发文机关"] == "甲市人民政府"
    clauses = form.tables[1]
    heads = [c.text for c in clauses.rows[0].cells]
    assert heads[:4] == ["序号", "条款原文", "审查标准", "依据条文"]
    listed = [row.cells for row in clauses.rows[1:]]
    assert len(listed) == len(findings) - 1  # the false alarm is left off
    assert not any("误判" in cells[5].text for cells in listed)
    row = next(cells for cells in listed if "确属限定本地" in cells[5].text)
    assert row[2].text == confirmed.standard and row[3].text == confirmed.citation
    assert "确认违规" in row[4].text and "reviewer" in row[5].text


def test_search_by_sector_and_grade(site: Site, client: TestClient) -> None:
    login(client, "monitor")
    html = client.get("/search").text
    facets = html.split('class="facets"', 1)[1].split("</aside>", 1)[0]
    # Sector facet values are shown by name and link to the sector's filter.
    sector_link = re.search(r'<a href="(/search\?[^"]*sector=cosmetics[^"]*)"><span>化妆品</span>',
                            facets)
    assert sector_link, facets
    cosmetics = client.get(sector_link.group(1).replace("&amp;", "&")).text
    assert "共 1 条结果" in cosmetics and "全网最好的面霜" in cosmetics
    assert "共 0 条结果" in client.get("/search", params={"sector": "drug"}).text
    # A grade filter finds the documents whose strongest grade it is, as stored.
    strongest = {}
    for doc in repository.list_documents(site.db, limit=100).items:
        grades = [f.grade for f in repository.show_document(site.db, doc.id).latest.findings]
        for grade in ("明显违反", "疑似", "提示"):
            if grade in grades:
                strongest[doc.id] = grade
                break
    assert "明显违反" in strongest.values()
    for grade in ("明显违反", "疑似", "提示"):
        page = client.get("/search", params={"grade": grade}).text
        found = {int(d) for d in re.findall(r'<li class="hit"><a href="/documents/(\d+)"', page)}
        assert found == {d for d, g in strongest.items() if g == grade}, grade
    auth = {"Authorization": f"Bearer {site.tokens['viewer']}"}
    api = client.get("/api/search", params={"sector": "cosmetics"}, headers=auth).json()
    assert api["total"] == 1 and api["aggregations"]["sector"] == {"cosmetics": 1}
    sheet = openpyxl.load_workbook(io.BytesIO(
        client.get("/search.xlsx", params={"sector": "cosmetics"}).content)).active
    header, *rows = list(sheet.iter_rows(values_only=True))[1:]
    assert [dict(zip(header, r, strict=True))["行业"] for r in rows] == ["化妆品"]
    wrong = client.get("/api/search", params={"grade": "严重"}, headers=auth)
    assert wrong.status_code == 400 and "grades" in wrong.text and "严重" in wrong.text
