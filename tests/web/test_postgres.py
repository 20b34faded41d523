"""The console on PostgreSQL: accounts and sessions, the queue, reviews, precision and the
evaluation give what they give on SQLite for the same documents and decisions."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from storage import repository
from storage.repository import reviews
from storage.repository.statistics import evaluation
from tests.web.conftest import Site, login

pytestmark = pytest.mark.postgres


def _decide(site: Site) -> None:
    a1 = repository.show_document(site.db, site.doc("city-a/1.html")).latest.findings
    a2 = repository.show_document(site.db, site.doc("city-a/2.html")).latest.findings
    repository.add_review(site.db, a1[0].id, "confirmed", "reviewer")
    repository.add_review(site.db, a1[1].id, "false_alarm", "reviewer")
    repository.add_review(site.db, a2[0].id, "rectified", "reviewer",
                          at=datetime(2024, 6, 10, tzinfo=UTC))


def test_console_on_postgres_matches_sqlite(site: Site, pg_site: Site) -> None:
    assert pg_site.db.dialect == "postgresql" and site.db.dialect == "sqlite"
    for s in (site, pg_site):
        _decide(s)
    queue = [reviews.review_queue(s.db) for s in (site, pg_site)]
    assert [(i.title, i.grade, i.open, i.findings) for i in queue[0].items] == \
        [(i.title, i.grade, i.open, i.findings) for i in queue[1].items]
    precision = [[(r.rule, r.findings, r.confirmed, r.false_alarms)
                  for r in reviews.rule_precision(s.db)] for s in (site, pg_site)]
    assert precision[0] == precision[1]
    figures = [evaluation(s.db) for s in (site, pg_site)]
    assert figures[0].totals == figures[1].totals
    assert figures[0].totals.confirmed == 2 and figures[0].totals.rectified == 1
    assert figures[0].by_region == figures[1].by_region
    assert figures[0].by_standard == figures[1].by_standard
    assert figures[0].rectification_days == figures[1].rectification_days


def test_login_review_and_history_on_postgres(pg_site: Site) -> None:
    with TestClient(pg_site.app) as client:
        csrf = login(client, "reviewer")
        doc_id = pg_site.doc("county-b/1.html")
        finding = repository.show_document(pg_site.db, doc_id).latest.findings[0]
        r = client.post(f"/findings/{finding.id}/review",
                        data={"status": "needs_review", "note": "请法规科复核",
                              "csrf_token": csrf}, follow_redirects=False)
        assert r.status_code == 303
        history = client.get(f"/documents/{doc_id}").text.split('id="history"', 1)[1]
        assert re.search(r"<td>reviewer</td>.*<td>需复核</td><td>请法规科复核</td>", history)
        for _ in range(5):
            client.post("/login", data={"name": "viewer", "password": "wrong password"})
        assert client.post("/login", data={"name": "viewer", "password": "x" * 12}).status_code \
            == 429
