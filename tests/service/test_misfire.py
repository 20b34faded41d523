"""Acceptance 4: the service is stopped across scheduled times, then started again.

With the default misfire grace (longer than the outage) the missed times run once,
coalesced; with a grace shorter than the outage they are reported as missed (operator
alert `run_missed`) and nothing runs for them.
"""

from __future__ import annotations

import re
import signal
import time
from datetime import datetime
from pathlib import Path

import pytest

from fairwatch.service.status import scheduled_times
from storage.repository.operator_events import list_operator_events
from tests.service.conftest import open_db, runs_of, wait_until, write_source
from tests.site import FixtureSite

EVERY = 10
SCHEDULED = re.compile(r'Running job "crawl fixture-json .*?\(scheduled at ([^)]+)\)')


def fired(log: str) -> list[float]:
    """Scheduled times (epoch seconds) of the jobs the service ran."""
    return [datetime.fromisoformat(t).timestamp() for t in SCHEDULED.findall(log)]


@pytest.mark.parametrize("grace", ["3600", "1"], ids=["coalesced", "reported"])
def test_missed_runs_are_run_once_or_reported(
    services, data_dir: Path, sources_dir: Path, grace: str
) -> None:
    with FixtureSite() as site:
        write_source(sources_dir, "fixture-json", f"{{every: {EVERY}}}")
        settings = {"FAIRWATCH_SERVICE_MISFIRE_GRACE": grace}
        first = services(site.url, sources_dir, data_dir, "--for", "2", **settings)
        assert first.wait(60) == 0, first.log()[-2000:]
        assert "is now the leader" in first.log()
        db = open_db(data_dir)
        assert runs_of(db, "fixture-json") == []  # stopped before its first scheduled time
        (due,) = scheduled_times(db).values()
        missed = [due.timestamp(), due.timestamp() + EVERY]
        # Down across both of those scheduled times.
        time.sleep(max(0.0, missed[-1] + 1 - time.time()))
        restart = time.time()
        second = services(site.url, sources_dir, data_dir, **settings)
        wait_until(lambda: "is now the leader" in second.log(), 60, "the restart to lead")

        def alerts_for_outage() -> list:
            events = list_operator_events(db, kind="run_missed")
            return [
                e
                for e in events
                if datetime.fromisoformat(e.details["scheduled"]).timestamp() < restart
            ]

        if grace == "3600":
            wait_until(
                lambda: [r for r in runs_of(db, "fixture-json") if r.finished_at],
                90,
                "the missed run to run",
            )
            for_outage = [t for t in fired(second.log()) if t < restart]
            # Once, for the latest of the two missed times: coalesced.
            assert for_outage == [pytest.approx(missed[-1], abs=0.01)], second.log()[-3000:]
            first_run = runs_of(db, "fixture-json")[0]
            assert first_run.status == "succeeded"
            assert first_run.started_at.timestamp() >= restart
            assert alerts_for_outage() == []
        else:
            (event,) = wait_until(alerts_for_outage, 15, "a run_missed alert")
            assert event.source_id == "fixture-json"
            assert "did not run" in event.message and "more than 1s ago" in event.message
            when = datetime.fromisoformat(event.details["scheduled"]).timestamp()
            assert when == pytest.approx(missed[-1], abs=0.01)  # coalesced into one report
            time.sleep(2)
            assert [t for t in fired(second.log()) if t < restart] == []
            assert [
                r
                for r in runs_of(db, "fixture-json")
                if r.started_at.timestamp() < restart + EVERY - 2
            ] == []
        second.signal(signal.SIGTERM)
        assert second.wait(60) == 0, second.log()[-3000:]
        db.close()
