"""The review queue, the document page with its highlighted clauses, and review actions
recorded with who, when and what."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from storage import repository
from tests.web.conftest import Site, login


def _queue_titles(html: str) -> list[str]:
    return re.findall(r'class="doc-link" href="/documents/\d+">([^<]+)<', html)


def test_queue_lists_flagged_documents_worst_first(site: Site, client: TestClient) -> None:
    login(client, "viewer")
    html = client.get("/documents").text
    titles = _queue_titles(html)
    assert "乙县关于做好春季植树工作的通知" not in titles  # nothing flagged in it
    assert titles[0] == "甲市政府采购管理办法"  # 明显违反 with the most undecided clauses
    assert len(titles) == 5
    only_b = _queue_titles(client.get("/documents", params={"region": "乙县"}).text)
    assert only_b == ["乙县建筑材料使用管理通知"]
    by_standard = _queue_titles(client.get("/documents", params={"standard": "FC-10-2"}).text)
    assert by_standard == ["甲市促进企业发展若干措施"]
    dated = _queue_titles(client.get("/documents", params={"from": "2024-04-01",
                                                           "to": "2024-04-30"}).text)
    assert sorted(dated) == ["乙县建筑材料使用管理通知", "甲市促进企业发展若干措施"]
    bad = client.get("/documents", params={"from": "yesterday"})
    assert bad.status_code == 400 and "not a date" in bad.text


def test_document_page_highlights_each_clause(site: Site, client: TestClient) -> None:
    login(client, "reviewer")
    doc_id = site.doc("city-a/1.html")
    detail = repository.show_document(site.db, doc_id)
    html = client.get(f"/documents/{doc_id}").text
    for finding in detail.latest.findings:
        assert f'id="finding-{finding.id}"' in html
        assert finding.citation in html
    marks = re.findall(r'<mark id="clause-(\d+)"[^>]*>([^<]+)</mark>', html)
    assert marks, "no clause highlighted"
    body = detail.latest.body
    for fid, text in marks:
        finding = next(f for f in detail.latest.findings if f.id == int(fid))
        assert text == body[finding.start:finding.end]
    assert "甲政发〔2024〕1号" in html and "甲市人民政府" in html
    # Each finding's quote links to a mark on the page that holds its clause.
    by_id = {f.id: f for f in detail.latest.findings}
    shown = {int(fid) for fid, _ in marks}
    for finding in detail.latest.findings:
        target = re.search(rf'id="finding-{finding.id}".*?href="#clause-(\d+)"', html, re.S)
        assert target and int(target.group(1)) in shown, finding.id
        mark = by_id[int(target.group(1))]
        assert mark.start <= finding.start < mark.end  # that mark covers the clause


def test_review_actions_are_recorded_and_shown(site: Site, client: TestClient) -> None:
    csrf = login(client, "reviewer")
    doc_id = site.doc("city-a/1.html")
    findings = repository.show_document(site.db, doc_id).latest.findings
    first, second = findings[0], findings[1]
    for finding, status, note in ((first, "confirmed", "限定本地企业中标"),
                                  (second, "false_alarm", "并非限定"),
                                  (second, "needs_review", "再议")):
        r = client.post(f"/findings/{finding.id}/review",
                        data={"status": status, "note": note, "csrf_token": csrf},
                        follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"] == f"/documents/{doc_id}#finding-{finding.id}"
    after = {f.id: f for f in repository.show_document(site.db, doc_id).latest.findings}
    assert after[first.id].review_status == "confirmed"
    assert after[second.id].review_status == "needs_review"
    assert [r.reviewer for r in after[second.id].reviews] == ["reviewer", "reviewer"]
    history = client.get(f"/documents/{doc_id}").text.split('id="history"', 1)[1]
    rows = re.findall(r"<tr><td>[^<]+</td><td>reviewer</td><td>[^<]+</td><td>([^<]+)</td>"
                      r"<td>([^<]*)</td></tr>", history)
    assert rows == [("确认违规", "限定本地企业中标"), ("误报", "并非限定"), ("需复核", "再议")]
    # The index now carries the review status of that version again (re-indexed).
    assert repository.get_stages(site.db, first.version_id)["index"].status == "done"
    bad = client.post(f"/findings/{first.id}/review",
                      data={"status": "approved", "csrf_token": csrf})
    assert bad.status_code == 400 and "status" in bad.text
    missing = client.post("/findings/999999/review", data={"status": "confirmed",
                                                           "csrf_token": csrf})
    assert missing.status_code == 404


def test_api_review_and_error_shape(site: Site, client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {site.tokens['reviewer']}"}
    doc = client.get(f"/api/documents/{site.doc('city-a/2.html')}", headers=auth).json()
    fid = doc["findings"][0]["id"]
    r = client.post(f"/api/findings/{fid}/reviews", json={"status": "rectified", "note": "已改"},
                    headers=auth)
    assert r.status_code == 201
    assert r.json()["status"] == "rectified" and r.json()["reviews"][0]["reviewer"] == "reviewer"
    for method, path, kwargs, status in (
        ("GET", "/api/documents/424242", {}, 404),
        ("POST", f"/api/findings/{fid}/reviews", {"json": {"status": "maybe"}}, 422),
        ("GET", "/api/search", {"params": {"after": "garbage"}}, 400),
    ):
        r = client.request(method, path, headers=auth, **kwargs)
        assert r.status_code == status, (path, r.text)
        body = r.json()
        assert set(body) == {"error"} and body["error"]["status"] == status
        assert body["error"]["message"]


def test_versions_show_a_diff(site: Site, client: TestClient) -> None:
    from datetime import UTC, datetime

    from fairwatch.pipeline import DocumentPipeline
    from tests.web.corpus import records

    changed = records()[1]
    changed.body += "\n第六条 本措施自发布之日起施行。"
    changed.fetched_at = datetime(2024, 7, 1, tzinfo=UTC)
    DocumentPipeline(site.db, index=site.index).process(changed)
    login(client, "viewer")
    html = client.get(f"/documents/{site.doc('city-a/2.html')}?v=2").text
    assert '<span class="add">+第六条 本措施自发布之日起施行。</span>' in html
    assert client.get(f"/documents/{site.doc('city-a/2.html')}?v=9").status_code == 404
