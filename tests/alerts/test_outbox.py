"""The outbox: rows commit with their findings, once per finding identity and route,
whatever the number of re-crawls, versions, deliveries or retries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from alerts import deliver_due, list_rows, notify_operator, status_counts
from alerts.config import AlertsConfig
from storage import repository
from storage.db import Database
from tests.alerts.factories import finding, store

TWO_ROUTES = """\
channels:
  hook: {type: webhook, url: "%s/hook"}
  other: {type: webhook, url: "%s/other"}
routes:
  - {name: every-flag, channels: [hook]}
  - {name: fc8, channels: [hook, other], match: {standard: [FC-8], grade: [明显违反]}}
"""


def _count(db: Database, table: str) -> int:
    with db.engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_rows_once_per_finding_route_and_channel_across_versions(
    db: Database, receiver, alerts_file
) -> None:
    hook = receiver()
    _, config = alerts_file(TWO_ROUTES % (hook.url, hook.url))
    first = [finding(1), finding(2, standard="FC-9-1", grade="疑似"), finding(3, grade="提示")]
    store(db, config, findings=first)
    # 2 flagged findings to every-flag; the FC-8 明显违反 one to fc8's two channels; 提示 none.
    assert _count(db, "alert_outbox") == 2 + 2

    # Re-crawl, unchanged: nothing analysed, nothing queued.
    store(db, config, findings=first)
    # A new version (body changed) with the same findings: still nothing new.
    store(db, config, findings=first, body="正文（修订）")
    assert _count(db, "findings") == 6
    assert _count(db, "alert_outbox") == 4
    # A third version adds one flagged finding: only it is queued.
    store(db, config, findings=[*first, finding(4, standard="FC-10-2", grade="疑似")],
          body="正文（再次修订）")
    assert _count(db, "alert_outbox") == 5

    report = deliver_due(db, config)
    assert (report.sent, report.messages, report.failed) == (5, 5, 0)
    assert len(hook.accepted) == 5
    again = deliver_due(db, config)
    assert (again.sent, again.messages) == (0, 0)
    assert len(hook.requests) == 5
    assert status_counts(db) == {"sent": 5}


def test_failing_hook_rolls_back_findings_with_their_alerts(db: Database, alerts_file) -> None:
    _, config = alerts_file(TWO_ROUTES % ("http://127.0.0.1:9", "http://127.0.0.1:9"))
    stored = repository.store_document(
        db,
        _record(),
        analysis=lambda: [finding(1)],
        after_findings=_boom,
    )
    assert stored.status == "new"  # the document itself is kept
    assert stored.analysis == "failed" and "outbox unavailable" in stored.analysis_error
    assert _count(db, "findings") == 0  # no finding without its alerts
    assert _count(db, "alert_outbox") == 0
    stages = repository.get_stages(db, stored.version_id)
    assert stages["analysis"].status == "failed"  # retry_pending will analyse and queue again


def _boom(conn, version_id: int) -> None:  # noqa: ANN001
    raise RuntimeError("outbox unavailable")


def _record():  # noqa: ANN202
    from tests.alerts.factories import DocumentRecord

    return DocumentRecord(
        source_id="gd-gov", url="https://www.gd.gov.cn/x.html", kind="policy", title="通知",
        body="正文", fetched_at=datetime(2026, 12, 1, tzinfo=UTC),
    )


def test_notify_operator_queues_once_while_unsent(db: Database, receiver, alerts_file) -> None:
    ops = receiver()
    _, config = alerts_file(
        f'channels:\n  ops: {{type: webhook, url: "{ops.url}/ops"}}\n'
        "routes:\n  - {name: ops, channels: [ops], operator: true}\n"
    )
    args = {"kind": "crawl_failed", "message": "采集失败", "source_id": "gd-gov",
            "dedup_key": "crawl_failed:gd-gov", "config": config}
    assert notify_operator(db, **args) is True
    assert notify_operator(db, **args) is False  # same problem, first alert still unsent
    assert notify_operator(db, **{**args, "dedup_key": "crawl_failed:other"}) is True
    report = deliver_due(db, config)
    assert report.messages == 2
    assert notify_operator(db, **args) is True  # the first went out: a new one may be queued
    body = ops.accepted[0].json
    assert body["kind"] == "operator" and body["operator"][0]["source_id"] == "gd-gov"
    assert body["title"].startswith("fairwatch 运维告警：采集失败")


def test_without_operator_route_operator_alerts_go_to_the_log(
    db: Database, alerts_file, caplog: pytest.LogCaptureFixture
) -> None:
    _, config = alerts_file("routes: []\n")
    assert notify_operator(db, kind="run_missed", message="计划运行未执行", config=config)
    with caplog.at_level("WARNING", logger="alerts"):
        report = deliver_due(db, config)
    assert report.messages == 1
    assert "计划运行未执行" in caplog.text
    assert [r.status for r in list_rows(db)] == ["sent"]


def test_quiet_hours_hold_immediate_alerts(db: Database, receiver, alerts_file) -> None:
    hook = receiver()
    _, config = alerts_file(
        f'channels:\n  hook: {{type: webhook, url: "{hook.url}/h"}}\n'
        'routes:\n  - {name: night, channels: [hook], quiet_hours: "22:00-07:00"}\n'
    )
    from alerts.outbox import enqueue_version

    version = store(db, AlertsConfig(None, "Asia/Shanghai", {}, []), findings=[finding(1)])
    night = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    with db.engine.begin() as conn:
        enqueue_version(conn, version, config, now=night)
    (row,) = list_rows(db)
    assert row.due_at == datetime(2026, 12, 3, 23, 0, tzinfo=UTC)  # 07:00 the next morning
    assert deliver_due(db, config, now=night + timedelta(hours=7)).messages == 0
    assert deliver_due(db, config, now=night + timedelta(hours=8)).messages == 1
