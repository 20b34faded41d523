"""Acceptance 2: `fairwatch demo --no-serve` with the minimal alerts file of the issue,
pointed at a webhook on 127.0.0.1, delivers one message per flagged finding; a second run
delivers nothing new. A route `per: document` delivers one message per flagged document."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import text

from storage.db import Database
from tests.cli.test_demo import SUMMARY
from tests.crawl.runner import fairwatch

MINIMAL = """\
channels:
  hook: {type: webhook, url: "%s/hook"}
routes:
  - {name: every-flag, channels: [hook]}
"""
DELIVERED = re.compile(r"alerts: (\d+) message\(s\) sent for (\d+) alert\(s\), (\d+) to retry")


def _flagged_findings(data_dir: Path) -> int:
    with Database(data_dir / "fairwatch.db") as db, db.engine.connect() as conn:
        return conn.execute(
            text("SELECT count(*) FROM findings WHERE grade IN ('明显违反', '疑似')")
        ).scalar_one()


def test_demo_delivers_each_flagged_finding_once(tmp_path: Path, receiver) -> None:
    hook = receiver()
    alerts = tmp_path / "alerts.yaml"
    alerts.write_text(MINIMAL % hook.url, encoding="utf-8")
    env = {"FAIRWATCH_ALERTS_FILE": str(alerts)}
    data = tmp_path / "data"

    first = fairwatch("demo", "--no-serve", data_dir=data, env=env, timeout=400)
    assert first.returncode == 0, first.stderr[-3000:]
    flagged = _flagged_findings(data)
    assert flagged >= 5
    sent = DELIVERED.search(first.stdout)
    assert sent, first.stdout
    assert int(sent.group(1)) == int(sent.group(2)) == flagged
    assert len(hook.accepted) == flagged
    keys = [r.headers["idempotency-key"] for r in hook.accepted]
    assert len(set(keys)) == flagged
    bodies = [r.json for r in hook.accepted]
    assert all(b["kind"] == "finding" and len(b["findings"]) == 1 for b in bodies)
    assert len({b["findings"][0]["finding_id"] for b in bodies}) == flagged

    second = fairwatch("demo", "--no-serve", data_dir=data, env=env, timeout=400)
    assert second.returncode == 0, second.stderr[-3000:]
    again = DELIVERED.search(second.stdout)
    assert again and again.group(1) == "0" and again.group(2) == "0", second.stdout
    assert len(hook.requests) == flagged  # nothing new reached the receiver


def test_per_document_route_sends_one_message_per_flagged_document(
    tmp_path: Path, receiver
) -> None:
    hook = receiver()
    alerts = tmp_path / "alerts.yaml"
    alerts.write_text(
        MINIMAL.replace("channels: [hook]}", "channels: [hook], per: document}") % hook.url,
        encoding="utf-8",
    )
    data = tmp_path / "data"
    result = fairwatch(
        "demo", "--no-serve", data_dir=data, env={"FAIRWATCH_ALERTS_FILE": str(alerts)},
        timeout=400,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    summary = SUMMARY.search(result.stdout)
    assert summary, result.stdout
    with Database(data / "fairwatch.db") as db, db.engine.connect() as conn:
        versions = conn.execute(
            text(
                "SELECT count(DISTINCT version_id) FROM findings "
                "WHERE grade IN ('明显违反', '疑似')"
            )
        ).scalar_one()
    findings = _flagged_findings(data)
    assert findings > versions >= 5  # some documents have several findings
    assert len(hook.accepted) == versions
    assert sum(len(r.json["findings"]) for r in hook.accepted) == findings
    assert {r.json["kind"] for r in hook.accepted} <= {"finding", "document"}
    # Every flagged document of the demo summary got its message.
    assert versions == int(summary.group(3))
