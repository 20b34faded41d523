"""Acceptance 3: a receiver that refuses the first attempts gets every alert once it comes
back, none lost and none twice; a channel that never recovers ends in failed rows and one
operator alert on the operator route. Backoff comes from the policy (settings), small here."""

from __future__ import annotations

import time
from collections import Counter

from alerts import DeliveryPolicy, deliver_due, list_rows, status_counts
from storage.db import Database
from tests.alerts.factories import finding, store

FAST = DeliveryPolicy(max_attempts=6, backoff_base=0.05, backoff_max=0.4, jitter=0.5)


def _config(alerts_file, hook_url: str, ops_url: str):  # noqa: ANN202
    _, config = alerts_file(
        "channels:\n"
        f'  hook: {{type: webhook, url: "{hook_url}/hook"}}\n'
        f'  ops: {{type: webhook, url: "{ops_url}/ops"}}\n'
        "routes:\n"
        "  - {name: every-flag, channels: [hook]}\n"
        "  - {name: operators, channels: [ops], operator: true}\n"
    )
    return config


def _deliver_until_settled(db: Database, config, policy: DeliveryPolicy) -> list:  # noqa: ANN001
    reports = []
    for _ in range(200):  # bounded: 200 passes of at most 0.05 s
        reports.append(deliver_due(db, config, policy=policy))
        counts = status_counts(db)
        if not counts.get("pending") and not counts.get("sending"):
            break
        time.sleep(0.05)
    return reports


def test_receiver_down_then_back_gets_everything_once(db: Database, receiver, alerts_file):
    hook, ops = receiver(refuse_first=7), receiver()
    config = _config(alerts_file, hook.url, ops.url)
    for doc in range(5):
        store(db, config, url=f"https://www.gd.gov.cn/zwgk/{doc}.html",
              findings=[finding(1), finding(2, standard="FC-9-1", grade="疑似")])
    reports = _deliver_until_settled(db, config, FAST)

    assert status_counts(db) == {"sent": 10}
    assert len(hook.requests) == 10 + 7  # ten alerts, seven refused attempts
    keys = Counter(r.headers["idempotency-key"] for r in hook.accepted)
    assert len(keys) == 10 and set(keys.values()) == {1}  # none lost, none twice
    assert sum(r.retried for r in reports) == 7
    assert all(r.failed == 0 for r in reports)
    assert ops.requests == []  # recovered within the attempts: no operator alert
    retried = [row for row in list_rows(db) if row.attempts > 1]
    assert retried and all(row.last_error is None for row in retried)  # cleared once sent


def test_receiver_that_never_recovers_raises_one_operator_alert(
    db: Database, receiver, alerts_file
) -> None:
    hook, ops = receiver(refuse_always=True), receiver()
    config = _config(alerts_file, hook.url, ops.url)
    store(db, config, findings=[finding(1), finding(2, standard="FC-9-1", grade="疑似")])
    policy = DeliveryPolicy(max_attempts=3, backoff_base=0.05, backoff_max=0.1, jitter=0)
    reports = _deliver_until_settled(db, config, policy)

    finding_rows = [r for r in list_rows(db) if r.kind == "finding"]
    assert [r.status for r in finding_rows] == ["failed", "failed"]
    assert all(r.attempts == 3 for r in finding_rows)
    assert all("answered HTTP 503" in r.last_error for r in finding_rows)
    assert len(hook.requests) == 2 * 3
    assert sum(r.failed for r in reports) == 2
    # Both rows failed on the same channel: one operator alert (de-duplicated while open).
    assert sum(r.operator_alerts for r in reports) == 1
    (alert,) = ops.accepted
    body = alert.json
    assert body["kind"] == "operator"
    (item,) = body["operator"]
    assert item["kind"] == "channel_failed"
    assert item["details"]["channel"] == "hook" and item["details"]["route"] == "every-flag"
    assert "hook" in item["message"] and "3 次尝试" in item["message"]
    assert body["title"] == "fairwatch 运维告警：告警通道持续失败"


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    policy = DeliveryPolicy(backoff_base=10, backoff_max=60, jitter=0.5)
    for attempt, full in ((1, 10), (2, 20), (3, 40), (4, 60), (9, 60)):
        delays = [policy.backoff(attempt) for _ in range(200)]
        assert all(full * 0.5 <= d <= full for d in delays)
        assert max(delays) - min(delays) > full * 0.2  # jittered, not one fixed value


def test_long_delivery_logs_progress(db: Database, receiver, alerts_file, caplog) -> None:  # noqa: ANN001
    hook, ops = receiver(refuse_first=1), receiver()
    config = _config(alerts_file, hook.url, ops.url)
    store(db, config, findings=[finding(n) for n in range(3)])
    policy = DeliveryPolicy(backoff_base=60, progress_interval=0)
    with caplog.at_level("INFO", logger="alerts"):
        deliver_due(db, config, policy=policy)
    lines = [r.getMessage() for r in caplog.records if "delivering alerts:" in r.getMessage()]
    assert len(lines) == 3  # one per message group at interval 0
    assert lines[-1].startswith("delivering alerts: 2 sent, 1 to retry, 0 failed")
