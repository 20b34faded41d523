"""`fairwatch alerts list|retry|test|deliver` and the operator alert of a failed crawl, run
as the operator runs them: the CLI in a subprocess against a real database and receivers."""

from __future__ import annotations

import re
from pathlib import Path

from alerts import load_alerts_config
from storage.db import Database
from storage.repository.operator_events import list_operator_events
from tests.alerts.factories import finding, store
from tests.crawl.runner import fairwatch

ROUTES = """\
channels:
  hook: {type: webhook, url: "%s/hook", headers: {Authorization: "Bearer ${HOOK_TOKEN}"}}
  ops: {type: webhook, url: "%s/ops"}
routes:
  - {name: every-flag, channels: [hook]}
  - {name: operators, channels: [ops], operator: true}
"""
TOKEN = "hook-bearer-Q7f2"


def _setup(tmp_path: Path, hook_url: str, ops_url: str) -> tuple[dict[str, str], Path]:
    path = tmp_path / "alerts.yaml"
    path.write_text(ROUTES % (hook_url, ops_url), encoding="utf-8")
    env = {
        "FAIRWATCH_ALERTS_FILE": str(path),
        "HOOK_TOKEN": TOKEN,
        "FAIRWATCH_ALERTS_MAX_ATTEMPTS": "1",
    }
    return env, tmp_path / "data"


def test_list_retry_and_test_commands(tmp_path: Path, receiver) -> None:
    hook, ops = receiver(refuse_always=True), receiver()
    env, data = _setup(tmp_path, hook.url, ops.url)
    config = load_alerts_config(Path(env["FAIRWATCH_ALERTS_FILE"]), environ=env)
    db = Database(data / "fairwatch.db")
    db.upgrade()
    store(db, config, findings=[finding(1), finding(2, standard="FC-9-1", grade="疑似")])
    db.close()

    listed = fairwatch("alerts", "list", "--status", "pending", data_dir=data, env=env)
    assert listed.returncode == 0, listed.stderr
    assert len(re.findall(r"pending +every-flag/hook attempts=0", listed.stdout)) == 2
    assert "outbox: 2 pending, 0 sending, 0 sent, 0 failed" in listed.stdout

    delivered = fairwatch("alerts", "deliver", data_dir=data, env=env)
    assert delivered.returncode == 1  # both gave up after the one attempt allowed
    assert "2 alert(s) failed" in delivered.stderr
    failed = fairwatch("alerts", "list", "--status", "failed", data_dir=data, env=env)
    assert len(re.findall(r"failed +every-flag/hook attempts=1", failed.stdout)) == 2
    assert "last error: channel hook:" in failed.stdout and "HTTP 503" in failed.stdout
    sent = fairwatch("alerts", "list", "--status", "sent", data_dir=data, env=env)
    assert re.search(r"sent +operators/ops attempts=1 .* operator: 告警通道 hook", sent.stdout)
    assert len(ops.accepted) == 1  # the give-up reached the operators
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in hook.requests)

    hook.refuse_always = False  # the receiver is back
    first_id = re.search(r"^ +(\d+) failed", failed.stdout, re.M).group(1)
    one = fairwatch("alerts", "retry", first_id, data_dir=data, env=env)
    assert one.returncode == 0, one.stderr
    assert "1 alert(s) queued again" in one.stdout
    assert "alerts: 1 message(s) sent for 1 alert(s)" in one.stdout
    rest = fairwatch("alerts", "retry", "--failed", data_dir=data, env=env)
    assert "1 alert(s) queued again" in rest.stdout
    assert "alerts: 1 message(s) sent for 1 alert(s)" in rest.stdout
    assert len(hook.accepted) == 2
    assert len({r.headers["idempotency-key"] for r in hook.accepted}) == 2

    usage = fairwatch("alerts", "retry", data_dir=data, env=env)
    assert usage.returncode == 2 and "give alert IDs or --failed" in usage.stderr

    tested = fairwatch("alerts", "test", "every-flag", data_dir=data, env=env)
    assert tested.returncode == 0, tested.stderr
    assert "ok   hook: sample message accepted" in tested.stdout
    assert hook.accepted[-1].json["kind"] == "test"
    hook.refuse_always = True
    broken = fairwatch("alerts", "test", "every-flag", data_dir=data, env=env)
    assert broken.returncode == 1 and "FAIL hook:" in broken.stderr
    unknown = fairwatch("alerts", "test", "nope", data_dir=data, env=env)
    assert unknown.returncode == 1 and "no route named 'nope'" in unknown.stderr
    for result in (listed, delivered, failed, one, rest, tested, broken):
        assert TOKEN not in result.stdout + result.stderr


def test_failed_crawl_raises_an_operator_alert(tmp_path: Path, receiver) -> None:
    hook, ops = receiver(), receiver()
    env, data = _setup(tmp_path, hook.url, ops.url)
    result = fairwatch("crawl", "fixture-trs", data_dir=data, site_url="http://127.0.0.1:9",
                       env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "alerts: 1 message(s) sent for 1 alert(s)" in result.stdout
    (alert,) = ops.accepted
    (item,) = alert.json["operator"]
    assert item["kind"] == "crawl_failed" and item["source_id"] == "fixture-trs"
    assert item["details"]["run_id"] == 1
    assert "fixture-trs" in item["message"] and "失败" in item["message"]
    assert alert.json["title"] == "fairwatch 运维告警：采集失败（fixture-trs）"
    assert hook.requests == []


def test_failing_crawls_alert_once_per_episode(tmp_path: Path, receiver) -> None:
    from tests.site import FixtureSite

    hook, ops = receiver(), receiver()
    env, data = _setup(tmp_path, hook.url, ops.url)
    down = "http://127.0.0.1:9"
    for _ in range(2):
        failed = fairwatch("crawl", "fixture-trs", data_dir=data, site_url=down, env=env)
        assert failed.returncode == 1, failed.stdout + failed.stderr
    assert len(ops.accepted) == 1  # the second failure belongs to the episode already reported
    with FixtureSite() as site:
        good = fairwatch("crawl", "fixture-trs", "--limit", "2", data_dir=data,
                         site_url=site.url, env=env)
    assert good.returncode == 0, good.stdout + good.stderr
    again = fairwatch("crawl", "fixture-trs", data_dir=data, site_url=down, env=env)
    assert again.returncode == 1
    assert [a.json["operator"][0]["details"]["run_id"] for a in ops.accepted] == [1, 4]
    db = Database(data / "fairwatch.db")
    events = list_operator_events(db, source_id="fixture-trs")
    db.close()
    assert sorted(e.dedup_key for e in events if e.kind == "crawl_failed") == [
        "crawl_failed:fixture-trs:after:3",
        "crawl_failed:fixture-trs:after:start",
    ]
