"""SIGHUP reloads sources without duplicating jobs; SIGTERM stops cleanly (exit 0) after a
grace period; a crawl past its time limit is killed and recorded as timed out."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

from sqlalchemy import text

from storage import repository
from storage.repository.operator_events import list_operator_events
from tests.service.conftest import open_db, runs_of, wait_until, write_source
from tests.service.site import ChangingSite
from tests.site import FixtureSite


def jobs(db) -> dict[str, dict]:
    """job id -> its kwargs' schedule fingerprint, read from the job store table."""
    import pickle

    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, job_state FROM apscheduler_jobs")).all()
    return {row[0]: json.loads(pickle.loads(row[1])["kwargs"]["schedule"]) for row in rows}


def test_sighup_reloads_sources_without_duplicating_jobs(
    services, data_dir: Path, sources_dir: Path
) -> None:
    with FixtureSite() as site:
        write_source(sources_dir, "fixture-json", '"0 3 * * *"')
        service = services(site.url, sources_dir, data_dir)
        wait_until(lambda: "scheduled 1 source(s)" in service.log(), 60, "the first schedule")
        db = open_db(data_dir)
        assert set(jobs(db)) == {"crawl:fixture-json"}

        write_source(sources_dir, "fixture-json", '{cron: "30 4 * * 1-5", jitter: 60}')
        write_source(sources_dir, "fixture-trs", '"0 5 * * *"')
        (sources_dir / "broken.yaml").write_text("id: Broken!\n", encoding="utf-8")
        service.signal(signal.SIGHUP)
        wait_until(lambda: "scheduled 2 source(s)" in service.log(), 30, "the reload")
        now = jobs(db)
        assert set(now) == {"crawl:fixture-json", "crawl:fixture-trs"}
        assert now["crawl:fixture-json"]["cron"] == "30 4 * * 1-5"
        assert now["crawl:fixture-json"]["jitter"] == 60
        assert now["crawl:fixture-json"]["timezone"] == "Asia/Shanghai"
        # The broken file is reported to the operator, the others keep their jobs.
        problems = [e for e in list_operator_events(db) if e.kind == "source_config_error"]
        assert problems and all("broken.yaml" in e.message for e in problems)

        (sources_dir / "fixture-trs.yaml").unlink()
        service.signal(signal.SIGHUP)
        wait_until(lambda: "1 kept, 0 new or changed, 1 removed" in service.log(), 30, "reload")
        service.signal(signal.SIGHUP)  # nothing changed: the job is kept as it is
        wait_until(lambda: "1 kept, 0 new or changed, 0 removed" in service.log(), 30, "reload")
        assert set(jobs(db)) == {"crawl:fixture-json"}
        service.signal(signal.SIGTERM)
        assert service.wait(30) == 0, service.log()[-3000:]
        db.close()


def test_sigterm_gives_running_crawls_a_grace_period_then_stops_them(
    services, data_dir: Path, sources_dir: Path
) -> None:
    with ChangingSite(generated=20) as site:
        site.state.gen_hold_after = 3
        site.state.gen_hold_seconds = 120
        write_source(sources_dir, "fixture-gen", "{every: 2}")
        service = services(site.url, sources_dir, data_dir, FAIRWATCH_SERVICE_STOP_GRACE="3")
        db = open_db(data_dir)
        wait_until(lambda: site.state.gen_held > 0, 90, "a crawl held mid-way")
        (run,) = runs_of(db, "fixture-gen")
        stopped_at = time.monotonic()
        service.signal(signal.SIGTERM)
        assert service.wait(60) == 0, service.log()[-3000:]
        took = time.monotonic() - stopped_at
        assert 3 <= took < 25, took  # waited the grace period, then stopped the crawl
        assert "grace period over" in service.log()
        stopped = repository.get_run(db, run.id)
        assert stopped.status == "interrupted"
        assert "shut down" in (stopped.reason or "")
        assert len(runs_of(db, "fixture-gen")) == 1  # nothing started while stopping
        db.close()


def test_a_crawl_past_its_time_limit_is_killed_and_recorded_timed_out(
    services, data_dir: Path, sources_dir: Path
) -> None:
    with ChangingSite(generated=20) as site:
        site.state.gen_hold_after = 3
        site.state.gen_hold_seconds = 120
        write_source(sources_dir, "fixture-gen", '"*/5 * * * * *"')
        service = services(site.url, sources_dir, data_dir, FAIRWATCH_SERVICE_CRAWL_TIMEOUT="12")
        wait_until(lambda: "is now the leader" in service.log(), 60, "the service to lead")
        db = open_db(data_dir)
        wait_until(
            lambda: [r for r in runs_of(db, "fixture-gen") if r.status == "timed_out"],
            90,
            "the run to time out",
        )
        (run,) = runs_of(db, "fixture-gen")
        assert "time limit of 12s" in (run.reason or "")
        (event,) = wait_until(
            lambda: list_operator_events(db, kind="run_timed_out"), 10, "the timeout alert"
        )
        assert event.source_id == "fixture-gen"
        service.signal(signal.SIGTERM)
        assert service.wait(30) == 0, service.log()[-3000:]
        db.close()
