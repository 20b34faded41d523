"""Acceptance 3: each health detector, through `fairwatch run`, as the fixture site changes.

One service crawls four live sections of the site every few seconds. While they behave
(each run finds new documents) no alert is raised. Then the site changes: `quiet` stops
publishing, `relayout` renders its list without links, `blank` serves detail pages with
no text in the HTML, `failing` answers 500. Each change must produce its operator alert,
once, and reach the operator: the service's leader delivers them to a real webhook
receiver on the operator route. The missed-run detector is tested in test_misfire.py.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

from storage.repository.operator_events import list_operator_events
from tests.alerts.receivers import Receiver
from tests.crawl.runner import REPO, cli_env
from tests.service.conftest import FAST, ServiceProcess, live_source, open_db, runs_of, wait_until
from tests.service.site import ChangingSite

SECTIONS = {"quiet": 2, "relayout": 1, "failing": 1, "blank": 3}  # new documents per run
GOOD = ("succeeded", "partial")


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Run the service through a healthy phase and a changed one; yields what it saw."""
    root = tmp_path_factory.mktemp("health")
    sources, data = root / "sources", root / "data"
    sources.mkdir()
    for name in SECTIONS:
        live_source(sources, name, "{every: 4}")
    receiver = Receiver().start()
    alerts_file = root / "alerts.yaml"
    alerts_file.write_text(
        f"channels:\n  ops: {{type: webhook, url: \"{receiver.url}/ops\"}}\n"
        "routes:\n  - {name: operators, channels: [ops], operator: true}\n",
        encoding="utf-8",
    )
    with ChangingSite(sections=tuple(SECTIONS)) as site:
        for name, per_visit in SECTIONS.items():
            site.live(name).publish_per_visit = per_visit
        env = cli_env(data_dir=data, site_url=site.url, sources_dir=sources, **FAST)
        env.update(
            FAIRWATCH_SERVICE_MAX_CRAWLS="4",
            FAIRWATCH_SERVICE_HEALTH_FAILURES="2",
            FAIRWATCH_SERVICE_HEALTH_QUIET_RUNS="2",
            FAIRWATCH_SERVICE_HEALTH_MIN_EXPECTED="2",
            FAIRWATCH_SERVICE_ALERTS_INTERVAL="1",
            FAIRWATCH_ALERTS_FILE=str(alerts_file),
        )
        service = ServiceProcess([], env, root / "service.log")
        try:
            wait_until(lambda: "is now the leader" in service.log(), 60, "the service to lead")
            db = open_db(data)

            def healthy_history() -> bool:
                # A backfill, then at least one incremental run that found new documents.
                for name in SECTIONS:
                    good = [r for r in runs_of(db, f"live-{name}") if r.status in GOOD]
                    if not any(r.mode == "incremental" and r.items_new for r in good):
                        return False
                return True

            wait_until(healthy_history, 120, "every section to run healthily twice")
            before = list_operator_events(db)
            site.live("quiet").publish_per_visit = 0
            site.live("relayout").mode = "no_links"
            site.live("blank").mode = "empty_body"
            site.live("failing").mode = "error"
            kinds = {"source_quiet", "layout_changed", "source_failing"}

            def all_alerts() -> bool:
                events = list_operator_events(db)
                seen = {(e.kind, e.source_id) for e in events}
                return {
                    ("source_quiet", "live-quiet"),
                    ("layout_changed", "live-relayout"),
                    ("layout_changed", "live-blank"),
                    ("source_failing", "live-failing"),
                } <= seen

            wait_until(all_alerts, 120, "an alert for every changed section")
            # One more round of runs: alerts of the same episode are not repeated.
            counts = {name: len(runs_of(db, f"live-{name}")) for name in SECTIONS}
            wait_until(
                lambda: all(len(runs_of(db, f"live-{n}")) > counts[n] for n in SECTIONS),
                90,
                "one more run of every section",
            )
            status = subprocess.run(
                [sys.executable, "-m", "fairwatch.cli", "sources", "status", "--json"],
                cwd=REPO,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            service.signal(signal.SIGTERM)
            assert service.wait(60) == 0, service.log()[-3000:]
            yield {
                "before": before,
                "events": [e for e in list_operator_events(db) if e.kind in kinds],
                "runs": {name: runs_of(db, f"live-{name}") for name in SECTIONS},
                "status": status,
                "delivered": [r.json for r in receiver.accepted],
            }
            db.close()
        finally:
            service.stop()
            receiver.stop()


def alerts(changed: dict, kind: str, source: str) -> list:
    return [e for e in changed["events"] if e.kind == kind and e.source_id == source]


def test_no_alert_while_the_sources_behave(changed: dict) -> None:
    assert [e for e in changed["before"] if e.kind != "run_missed"] == []


def test_a_source_that_stops_yielding_raises_source_quiet(changed: dict) -> None:
    (event,) = alerts(changed, "source_quiet", "live-quiet")
    assert "no new item in the last" in event.message
    assert event.details["usual_new_per_run"] >= 2
    assert alerts(changed, "layout_changed", "live-quiet") == []


def test_a_list_page_without_links_raises_layout_changed(changed: dict) -> None:
    (event,) = alerts(changed, "layout_changed", "live-relayout")
    assert "list pages yield no detail links" in event.message
    last = changed["runs"]["relayout"][-1]
    assert last.counts["fairwatch/list_pages_empty"] == last.counts["fairwatch/list_pages_fetched"]


def test_detail_pages_without_text_raise_layout_changed(changed: dict) -> None:
    (event,) = alerts(changed, "layout_changed", "live-blank")
    assert "empty extracted body" in event.message
    assert any(r.counts.get("fairwatch/drop_reason/empty_body") for r in changed["runs"]["blank"])


def test_a_crawl_that_keeps_failing_raises_source_failing(changed: dict) -> None:
    (event,) = alerts(changed, "source_failing", "live-failing")
    assert "runs failed" in event.message and "500" in event.message
    failed = [r for r in changed["runs"]["failing"] if r.status == "failed"]
    assert len(failed) >= 3  # alerted once although it kept failing
    assert changed["runs"]["failing"][-1].status == "failed"


def test_sources_status_shows_each_sources_health(changed: dict) -> None:
    status = changed["status"]
    assert status.returncode == 0, status.stderr[-2000:]
    rows = {row["source"]: row for row in json.loads(status.stdout)["sources"]}
    assert rows["live-quiet"]["health"] == "source_quiet"
    assert "layout_changed" in rows["live-relayout"]["health"].split(", ")
    # It yields nothing new any more either: both problems are named.
    assert "layout_changed" in rows["live-blank"]["health"].split(", ")
    assert rows["live-failing"]["health"] == "source_failing"
    assert rows["live-failing"]["error_rate"] > 0
    assert rows["live-quiet"]["new_7d"] > 0 and rows["live-quiet"]["next_run"]
    assert all(row["schedule"] == "every 4s" for row in rows.values())


def test_the_operator_receives_each_health_alert_once(changed: dict) -> None:
    delivered = [
        (item["kind"], item["source_id"], item["message"])
        for message in changed["delivered"]
        for item in message["operator"]
    ]
    recorded = {(e.kind, e.source_id, e.message) for e in changed["events"]}
    assert recorded <= set(delivered), recorded - set(delivered)
    assert len(delivered) == len(set(delivered)), "an operator alert was delivered twice"
    titles = {m["title"] for m in changed["delivered"] if m["kind"] == "operator"}
    assert "fairwatch 运维告警：页面结构疑似改版（live-relayout）" in titles
