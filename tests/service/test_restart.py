"""Acceptance 1: SIGKILL mid-crawl, restart, nothing lost and nothing twice.

`fairwatch run` crawls fixture-json every 3 s and fixture-gen (30 pages) every 4 s. The
site holds fixture-gen's detail pages after the 10th (its fault gate), so that crawl is
caught in the middle while fixture-json runs several times. The service is SIGKILLed:
its crawl children die with it. Started again, it marks the run interrupted, the next
run of fixture-gen resumes the pages left in the frontier and completes, and the stored
documents are exactly the site's.
"""

from __future__ import annotations

import signal
from pathlib import Path

from storage import repository
from tests.service.conftest import open_db, runs_of, wait_until, write_source
from tests.service.site import ChangingSite
from tests.site.content import document
from tests.site.server import JSON_DOCS

GENERATED = 30
HELD_AFTER = 10


def stored_documents(db, source_id: str) -> dict[str, list]:
    """url -> versions of every stored document of the source."""
    page = repository.list_documents(db, source_id=source_id, limit=1000)
    return {d.url: repository.show_document(db, d.id).versions for d in page.items}


def test_sigkill_mid_crawl_then_restart_loses_and_duplicates_nothing(
    services, data_dir: Path, sources_dir: Path
) -> None:
    with ChangingSite(generated=GENERATED) as site:
        site.state.gen_hold_after = HELD_AFTER
        site.state.gen_hold_seconds = 120  # held until the test releases it
        write_source(sources_dir, "fixture-json", "{every: 3}")
        write_source(sources_dir, "fixture-gen", "{every: 4}")
        first = services(site.url, sources_dir, data_dir)
        wait_until(lambda: "is now the leader" in first.log(), 60, "the service to lead")
        db = open_db(data_dir)

        def caught_mid_crawl() -> bool:
            gen = runs_of(db, "fixture-gen")
            json_done = [r for r in runs_of(db, "fixture-json") if r.status == "succeeded"]
            stored = len(stored_documents(db, "fixture-gen"))
            return (
                len(json_done) >= 2
                and bool(gen)
                and gen[-1].status == "running"
                and site.state.gen_held > 0
                and stored >= HELD_AFTER - 2
            )

        wait_until(caught_mid_crawl, 90, "fixture-gen held mid-crawl after 2 fixture-json runs")
        killed_run = runs_of(db, "fixture-gen")[-1]
        before_kill = len(stored_documents(db, "fixture-gen"))
        assert 0 < before_kill < GENERATED
        first.signal(signal.SIGKILL)
        assert first.wait(10) == -signal.SIGKILL
        # The crawl child died with its parent (PR_SET_PDEATHSIG): its run is left running.
        assert repository.get_run(db, killed_run.id).status == "running"
        site.state.gen_release.set()

        second = services(site.url, sources_dir, data_dir)
        wait_until(
            lambda: repository.get_run(db, killed_run.id).status == "interrupted",
            30,
            "the killed run to be marked interrupted",
        )
        interrupted = repository.get_run(db, killed_run.id)
        assert interrupted.pid is not None and interrupted.finished_at is not None
        assert "died" in (interrupted.reason or "")

        def completed_after_kill() -> list:
            later = [r for r in runs_of(db, "fixture-gen") if r.id > killed_run.id]
            return [r for r in later if r.status == "succeeded"]

        wait_until(completed_after_kill, 90, "a gen run completing after the restart")
        done = completed_after_kill()
        second.signal(signal.SIGTERM)
        assert second.wait(60) == 0, second.log()[-3000:]

        resumed = done[0]
        # The next run started from what the killed one left, not blind.
        assert resumed.counts.get("fairwatch/frontier_resumed/detail", 0) >= (
            GENERATED - before_kill - 8
        ), resumed.counts
        assert resumed.items_new == GENERATED - before_kill
        assert repository.list_runs(db, source_id="fixture-gen", status="running") == []

        gen = stored_documents(db, "fixture-gen")
        expected = {f"{site.url}/gen/202401/t20240101_{i}.html" for i in range(GENERATED)}
        assert set(gen) == expected
        assert all(len(versions) == 1 for versions in gen.values())
        titles = {versions[0].title for versions in gen.values()}
        assert titles == {document(i).title for i in range(GENERATED)}
        json_docs = stored_documents(db, "fixture-json")
        assert set(json_docs) == {f"{site.url}/json/content/post_{i}.html" for i in JSON_DOCS}
        assert all(len(versions) == 1 for versions in json_docs.values())
        assert len([r for r in runs_of(db, "fixture-json") if r.status == "succeeded"]) >= 3
        db.close()
