"""The service's parts on their own: schedules, the lease, dead runs, operator events."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from crawlers.sources import SourceConfigError, load_source_file
from crawlers.sources.schedule import Schedule, cron_fields, in_window
from fairwatch.operator import notify_operator
from fairwatch.service.liveness import is_alive
from fairwatch.service.triggers import build_trigger, fingerprint
from storage import repository
from storage.db import Database
from storage.repository import lease
from storage.repository.operator_events import list_operator_events
from storage.repository.runs import close_orphaned_runs

GOOD = "id: a-source\nname: n\nissuer: i\nregion: r\nstart_urls: [https://www.example.gov.cn/]\n"


def test_crontab_weekdays_become_names_because_apscheduler_counts_from_monday() -> None:
    assert cron_fields("0 8 * * 1-5")["day_of_week"] == "mon,tue,wed,thu,fri"
    assert cron_fields("0 8 * * 0,6")["day_of_week"] == "sun,sat"
    assert cron_fields("0 8 * * 7")["day_of_week"] == "sun"
    fields = cron_fields("*/20 * * * * *")
    assert fields["second"] == "*/20" and fields["minute"] == "*"
    trigger = build_trigger(Schedule(cron="0 8 * * 1"), "Asia/Shanghai")
    # 2026-12-05 is a Saturday: the next Monday 08:00 in Shanghai is 2026-12-07 00:00 UTC.
    after = datetime(2026, 12, 5, 12, tzinfo=UTC)
    assert trigger.get_next_fire_time(None, after) == datetime(2026, 12, 7, 0, tzinfo=UTC)


def test_interval_jitter_window_and_zone_are_read_and_fingerprinted() -> None:
    schedule = Schedule(every="6h", jitter=120, window="22:00-06:00", timezone="Asia/Urumqi")
    assert schedule.every == 6 * 3600
    assert schedule.describe() == "every 21600s ±120s 22:00-06:00 Asia/Urumqi"
    assert in_window("22:00-06:00", datetime(2026, 1, 1, 23, 30).time())
    assert not in_window("22:00-06:00", datetime(2026, 1, 1, 12, 0).time())
    assert fingerprint(schedule, "Asia/Shanghai") != fingerprint(
        Schedule(every="6h", jitter=120, window="22:00-06:00"), "Asia/Shanghai"
    )


def test_schedule_errors_name_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        GOOD + "schedule:\n  cron: '61 * * * *'\n  every: 10m\n  window: 25:00-26:00\n"
        "  timezone: Mars/Base\n  jitterr: 5\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceConfigError) as info:
        load_source_file(path)
    by_field = {p.field: p for p in info.value.problems}
    assert set(by_field) == {
        "schedule.cron",
        "schedule.window",
        "schedule.timezone",
        "schedule.jitterr",
    }
    assert by_field["schedule.cron"].line == 7
    assert "values must be 0-59" in by_field["schedule.cron"].message
    assert "unknown time zone 'Mars/Base'" in by_field["schedule.timezone"].message
    assert by_field["schedule.jitterr"].line == 11
    both = tmp_path / "both.yaml"
    both.write_text(GOOD + "schedule: {cron: '0 6 * * *', every: 60}\n", encoding="utf-8")
    with pytest.raises(SourceConfigError, match="exactly one of cron or every"):
        load_source_file(both)


def test_the_lease_has_one_holder_and_passes_on_only_when_expired(db: Database) -> None:
    assert lease.try_acquire(db, "scheduler", "a", seconds=30)
    assert not lease.try_acquire(db, "scheduler", "b", seconds=30)
    assert lease.try_acquire(db, "scheduler", "a", seconds=30)  # renewal
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE service_leases SET expires_at = :t"), {"t": datetime(2000, 1, 1)})
    assert lease.try_acquire(db, "scheduler", "b", seconds=30)
    assert not lease.try_acquire(db, "scheduler", "a", seconds=30)
    assert lease.get_lease(db, "scheduler").holder == "b"


def test_contenders_racing_for_a_new_lease_get_exactly_one_winner(db: Database) -> None:
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def contend(name: str) -> None:
        other = Database(db.url, schema=db.schema)
        try:
            barrier.wait()
            results.append(lease.try_acquire(other, "race", name, seconds=30))
        finally:
            other.close()

    threads = [threading.Thread(target=contend, args=(f"h{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == [False] * 7 + [True]


def test_runs_of_dead_processes_are_marked_interrupted_live_ones_left(db: Database) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    host = "this-host"
    gone = repository.start_run(db, "s", host=host, pid=dead.pid)
    alive = repository.start_run(db, "s", host=host, pid=os.getpid())
    elsewhere = repository.start_run(db, "s", host="other-host", pid=dead.pid)
    # A pid reused by a process that started after the run is not its runner.
    reused = repository.start_run(
        db, "s", host=host, pid=os.getpid(), started_at=datetime.now(UTC) - timedelta(days=400)
    )
    closed = close_orphaned_runs(db, host=host, is_alive=is_alive)
    assert {r.id for r in closed} == {gone, reused}
    assert repository.get_run(db, gone).status == "interrupted"
    assert repository.get_run(db, alive).status == "running"
    assert repository.get_run(db, elsewhere).status == "running"


def test_notify_operator_records_once_per_dedup_key(db: Database) -> None:
    assert notify_operator(db, kind="source_failing", message="m", source_id="s", dedup_key="k")
    assert not notify_operator(db, kind="source_failing", message="m2", dedup_key="k")
    assert notify_operator(db, kind="leader_lost", message="no key", details={"n": 1})
    events = list_operator_events(db)
    assert [(e.kind, e.message) for e in events] == [
        ("leader_lost", "no key"),
        ("source_failing", "m"),
    ]
    assert events[0].details == {"n": 1}
