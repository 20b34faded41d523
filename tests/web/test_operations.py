"""The operations page (sources, runs, operator alerts, the alert outbox) and the rules page
with each rule's precision from reviewer decisions."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from alerts.config import empty_config
from fairwatch.operator import notify_operator
from storage import repository
from tests.web.conftest import Site, login


def test_operations_shows_sources_events_and_outbox(site: Site, client: TestClient) -> None:
    run = repository.start_run(site.db, "city-a")
    repository.finish_run(site.db, run, "failed", counts={}, errors=["HTTP 500 on list page"],
                          reason="list page answered 500")
    notify_operator(site.db, kind="source_failing", message="city-a 连续失败 3 次",
                    source_id="city-a", dedup_key="t-1", config=empty_config())
    login(client, "viewer")
    html = client.get("/operations").text
    sources = html.split('id="sources"', 1)[1].split("</table>", 1)[0]
    assert "fixture-trs" in sources  # the configured sources, with health
    runs = html.split('id="runs"', 1)[1].split("</table>", 1)[0]
    assert f"<td>{run}</td><td>city-a</td>" in runs and "list page answered 500" in runs
    assert "HTTP 500 on list page" in html
    events = html.split('id="operator-events"', 1)[1].split("</table>", 1)[0]
    assert "city-a 连续失败 3 次" in events
    outbox = html.split('id="outbox"', 1)[1].split("</table>", 1)[0]
    from alerts import outbox as alerts_outbox

    rows = alerts_outbox.list_rows(site.db)
    assert rows, "the operator alert was queued"
    for row in rows:
        assert f"<td>{row.id}</td><td>{row.route}</td>" in outbox and row.status in outbox


def test_rules_page_precision_from_reviews(site: Site, client: TestClient) -> None:
    findings = repository.show_document(site.db, site.doc("city-a/1.html")).latest.findings
    rule = findings[0].rule
    same_rule = [f for f in findings if f.rule == rule]
    repository.add_review(site.db, same_rule[0].id, "false_alarm", "reviewer")
    repository.add_review(site.db, same_rule[0].id, "confirmed", "reviewer")  # latest counts
    others = [f for f in repository.show_document(site.db, site.doc("county-b/1.html"))
              .latest.findings if f.rule == rule]
    for f in others:
        repository.add_review(site.db, f.id, "false_alarm", "reviewer")
    login(client, "viewer")
    html = client.get("/rules").text
    row = re.search(rf"<tr><td>{re.escape(rule)}</td>(.*?)</tr>", html).group(1)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
    with site.db.session() as session:
        from storage.models import Finding

        total = session.query(Finding).filter(Finding.rule == rule).count()
    confirmed, false_alarms = 1, len(others)
    assert cells[1:5] == [str(total), str(confirmed), str(false_alarms),
                          str(total - confirmed - false_alarms)]
    assert cells[5] == f"{confirmed / (confirmed + false_alarms) * 100:.1f}%"
