"""Acceptance 5: 50 findings within one window give one digest per route, grouped by
source and standard with counts; nothing goes out before the window closes, and a finding
queued after it waits for the next window."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import jsonschema

from alerts import deliver_due
from alerts.config import AlertsConfig
from alerts.outbox import enqueue_version
from storage.db import Database
from tests.alerts.factories import finding, store
from tests.alerts.test_channels import SCHEMA

STANDARDS = ["FC-8-3", "FC-9-1", "FC-10-2", "FC-8-1", "FC-11-1"]
SOURCES = ["gd-gov", "zj-gov", "samr-policy"]
# 09:10 in Shanghai: inside the daily window that closes at 08:30 tomorrow and the hourly
# window that closes at 09:30 today.
NOW = datetime(2026, 12, 3, 1, 10, tzinfo=UTC)
NO_ROUTES = AlertsConfig(None, "Asia/Shanghai", {}, [])


def test_fifty_findings_one_digest_per_route(db: Database, receiver, alerts_file) -> None:
    daily, hourly = receiver(), receiver()
    _, config = alerts_file(
        "channels:\n"
        f'  daily: {{type: webhook, url: "{daily.url}/d"}}\n'
        f'  hourly: {{type: webhook, url: "{hourly.url}/h"}}\n'
        "routes:\n"
        '  - {name: daily, channels: [daily], mode: digest, digest: {every: daily, at: "08:30"}}\n'
        "  - {name: fc8-hourly, channels: [hourly], mode: digest,\n"
        '     digest: {every: hourly, at: "00:30"}, match: {standard: [FC-8]}}\n'
    )
    expected: Counter[tuple[str, str]] = Counter()
    for doc in range(10):
        source = SOURCES[doc % 3]
        findings = [finding(n, standard=STANDARDS[(doc + n) % 5], grade="疑似") for n in range(5)]
        expected.update((source, f.standard) for f in findings)
        version = store(db, NO_ROUTES, source=source, url=f"https://{source}.example/{doc}.html",
                        findings=findings)
        with db.engine.begin() as conn:
            enqueue_version(conn, version, config, now=NOW + timedelta(minutes=doc))
    assert sum(expected.values()) == 50

    assert deliver_due(db, config, now=NOW + timedelta(minutes=15)).messages == 0  # window open
    report = deliver_due(db, config, now=datetime(2026, 12, 4, 0, 31, tzinfo=UTC))
    assert report.messages == 2 and report.sent == 50 + sum(
        n for (_, s), n in expected.items() if s.startswith("FC-8-")
    )
    (day,) = daily.accepted
    body = day.json
    jsonschema.validate(body, SCHEMA)
    assert body["kind"] == "digest" and body["total"] == 50
    assert {(g["source_id"], g["standard"]): g["count"] for g in body["groups"]} == expected
    assert body["title"] == "fairwatch 汇总：50 条疑似问题，涉及 10 份文件"
    for source in SOURCES:
        total = sum(n for (s, _), n in expected.items() if s == source)
        assert f"**{source}**（{total} 条）" in body["markdown"]

    (hour,) = hourly.accepted
    fc8 = {k: n for k, n in expected.items() if k[1].startswith("FC-8-")}
    assert {(g["source_id"], g["standard"]): g["count"] for g in hour.json["groups"]} == fc8
    assert hour.json["total"] == sum(fc8.values())

    # Nothing is sent twice, and a later finding waits for its own window.
    late = store(db, NO_ROUTES, url="https://gd-gov.example/late.html",
                 findings=[finding(1, standard="FC-8-3")])
    later = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)
    with db.engine.begin() as conn:
        enqueue_version(conn, late, config, now=later)
    assert deliver_due(db, config, now=later).messages == 0
    assert deliver_due(db, config, now=later + timedelta(minutes=31)).messages == 1  # hourly
    assert len(daily.requests) == 1 and len(hourly.requests) == 2
