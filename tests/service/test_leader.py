"""Acceptance 2: two `fairwatch run` on one database; each scheduled run fires once.

The leader lease is a row taken by compare-and-set; the standby keeps trying and takes
over once the leader stops renewing. Run on SQLite (one file) and on PostgreSQL (one
schema), each with two real service processes.
"""

from __future__ import annotations

import re
import signal
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest

from storage.db import Database
from storage.repository.lease import get_lease
from tests.service.conftest import runs_of, wait_until, write_source
from tests.site import FixtureSite

SCHEDULED = re.compile(r'Running job "crawl fixture-json .*?\(scheduled at ([^)]+)\)')
LEASE_S = 3.0


@pytest.fixture
def database(db: Database) -> tuple[str, Database]:
    """(FAIRWATCH_DATABASE_URL, a handle on it): a fresh SQLite file or PostgreSQL schema."""
    if db.schema is None:
        return db.url, db
    sep = "&" if "?" in db.url else "?"
    return f"{db.url}{sep}options={quote(f'-csearch_path={db.schema}')}", db


def holder_pid(db: Database) -> int | None:
    lease = get_lease(db, "scheduler")
    if lease is None or lease.expires_at.timestamp() < time.time():
        return None
    return int(lease.holder.split(":")[1])


def test_one_leader_fires_each_run_once_and_the_standby_takes_over(
    services, database, data_dir: Path, sources_dir: Path
) -> None:
    url, db = database
    with FixtureSite() as site:
        write_source(sources_dir, "fixture-json", "{every: 3}")
        settings = {"FAIRWATCH_DATABASE_URL": url, "FAIRWATCH_SERVICE_LEASE_SECONDS": str(LEASE_S)}
        leader = services(site.url, sources_dir, data_dir, **settings)
        wait_until(lambda: holder_pid(db) == leader.pid, 60, "the first service to lead")
        standby = services(site.url, sources_dir, data_dir, **settings)
        wait_until(lambda: "enabled source(s)" in standby.log(), 60, "the standby to start")
        wait_until(
            lambda: len([r for r in runs_of(db, "fixture-json") if r.finished_at]) >= 3,
            150,
            "three runs fired by the leader",
        )
        assert holder_pid(db) == leader.pid
        assert "is now the leader" not in standby.log()
        assert not SCHEDULED.search(standby.log()), "the standby fired a job"

        leader.signal(signal.SIGKILL)
        killed_at = time.monotonic()
        leader.wait(10)
        wait_until(lambda: holder_pid(db) == standby.pid, 3 * LEASE_S, "the standby to lead")
        takeover_s = time.monotonic() - killed_at
        print(f"standby took over {takeover_s:.2f}s after the leader was killed")
        assert takeover_s <= LEASE_S + 1.5
        runs_before = len(runs_of(db, "fixture-json"))
        wait_until(
            lambda: (
                len([r for r in runs_of(db, "fixture-json") if r.finished_at]) >= runs_before + 2
            ),
            60,
            "two runs fired by the new leader",
        )
        standby.signal(signal.SIGTERM)
        assert standby.wait(60) == 0, standby.log()[-3000:]

    fired = SCHEDULED.findall(leader.log()) + SCHEDULED.findall(standby.log())
    twice = [when for when, n in Counter(fired).items() if n > 1]
    assert twice == [], f"scheduled runs fired more than once: {twice}"
    assert SCHEDULED.findall(standby.log()), "the new leader fired nothing"
    runs = runs_of(db, "fixture-json")
    # One crawl run per fired job: none started twice, none started by the standby alone.
    assert len(runs) == len(fired), (len(runs), fired)
    # A crawl the killed leader had going is found dead and marked, never left running.
    assert all(r.status in ("succeeded", "interrupted") for r in runs), [r.status for r in runs]
    intervals = [b.started_at - a.started_at for a, b in zip(runs, runs[1:], strict=False)]
    assert all(i.total_seconds() > 0 for i in intervals)
