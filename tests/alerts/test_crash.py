"""Acceptance 4: `fairwatch crawl` is killed with SIGKILL after its findings are committed
and before any alert was delivered (and, in the second test, halfway through delivering).
After a restart each alert goes out exactly once: rows marked sent are never sent again,
and a row whose send was cut off is sent again once its claim has expired."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import Database
from tests.crawl.runner import REPO, SITE_SOURCES, cli_env, fairwatch
from tests.site import FixtureSite

SOURCE = "fixture-trs"  # TRS portal pages with planted breaches: six flagged documents


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureSite]:
    with FixtureSite() as running:
        yield running


def _env(tmp_path: Path, site: FixtureSite, hook_url: str) -> dict[str, str]:
    alerts = tmp_path / "alerts.yaml"
    alerts.write_text(
        f'channels:\n  hook: {{type: webhook, url: "{hook_url}/hook", timeout: 60}}\n'
        "routes:\n  - {name: every-flag, channels: [hook]}\n",
        encoding="utf-8",
    )
    return cli_env(
        data_dir=tmp_path / "data",
        site_url=site.url,
        sources_dir=SITE_SOURCES,
        FAIRWATCH_ALERTS_FILE=str(alerts),
        FAIRWATCH_ALERTS_CLAIM_TIMEOUT="1",
        FAIRWATCH_ALERTS_BACKOFF_BASE="0.05",
    )


def _outbox(tmp_path: Path) -> Counter[str]:
    with Database(tmp_path / "data" / "fairwatch.db") as db, db.engine.connect() as conn:
        rows = conn.execute(text("SELECT status FROM alert_outbox")).scalars().all()
    return Counter(rows)


def _crawl_and_kill_on_request(tmp_path: Path, site: FixtureSite, hook) -> None:  # noqa: ANN001
    """Run the crawl in a subprocess; SIGKILL it when the receiver holds the chosen request."""
    log = tmp_path / "crawl.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "fairwatch.cli", "crawl", SOURCE],
            cwd=REPO, env=_env(tmp_path, site, hook.url), stdout=output, stderr=output,
        )
        try:
            deadline = time.monotonic() + 240
            while not hook.held.wait(0.2):
                if process.poll() is not None or time.monotonic() > deadline:
                    tail = log.read_text("utf-8", errors="replace")[-3000:]
                    pytest.fail(f"the crawl ended without delivering: {tail}")
            os.kill(process.pid, signal.SIGKILL)
            process.wait(30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(30)
            hook.release.set()  # the held request now gets a 503: it was never acknowledged
    assert process.returncode == -signal.SIGKILL


def test_killed_before_sending_then_each_alert_once(tmp_path: Path, site, receiver) -> None:
    hook = receiver(hold_on=1)
    _crawl_and_kill_on_request(tmp_path, site, hook)
    before = _outbox(tmp_path)
    total = sum(before.values())
    assert total >= 3, before
    assert before == {"pending": total - 1, "sending": 1}  # findings and alerts committed
    assert hook.accepted == []

    time.sleep(1.2)  # the dead process's claim expires (alerts_claim_timeout=1)
    restart = fairwatch(
        "alerts", "deliver", data_dir=tmp_path / "data", site_url=site.url,
        env=_env(tmp_path, site, hook.url),
    )
    assert restart.returncode == 0, restart.stderr[-2000:]
    assert f"alerts: {total} message(s) sent for {total} alert(s)" in restart.stdout
    keys = Counter(r.headers["idempotency-key"] for r in hook.accepted)
    assert len(keys) == total and set(keys.values()) == {1}
    assert _outbox(tmp_path) == {"sent": total}

    again = fairwatch("alerts", "deliver", data_dir=tmp_path / "data",
                      env=_env(tmp_path, site, hook.url))
    assert "alerts: 0 message(s) sent" in again.stdout
    assert len(hook.accepted) == total


def test_killed_while_delivering_sent_rows_are_not_sent_again(
    tmp_path: Path, site, receiver
) -> None:
    hook = receiver(hold_on=3)
    _crawl_and_kill_on_request(tmp_path, site, hook)
    before = _outbox(tmp_path)
    total = sum(before.values())
    assert before == {"sent": 2, "sending": 1, "pending": total - 3}
    first_two = {r.headers["idempotency-key"] for r in hook.accepted}
    assert len(first_two) == 2
    cut_off = hook.requests[2].headers["idempotency-key"]

    time.sleep(1.2)
    restart = fairwatch("alerts", "deliver", data_dir=tmp_path / "data",
                        env=_env(tmp_path, site, hook.url))
    assert restart.returncode == 0, restart.stderr[-2000:]
    accepted = Counter(r.headers["idempotency-key"] for r in hook.accepted)
    assert len(accepted) == total and set(accepted.values()) == {1}  # each exactly once
    sent_to_receiver = Counter(r.headers["idempotency-key"] for r in hook.requests)
    assert all(sent_to_receiver[k] == 1 for k in first_two)  # marked sent: never resent
    assert sent_to_receiver[cut_off] == 2  # cut off mid-send: sent again (at least once)
    assert _outbox(tmp_path) == {"sent": total}
