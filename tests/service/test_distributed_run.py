"""`fairwatch run` with crawl_distributed: scheduled crawls go to the workers through Redis."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.crawl.runner import REPO, cli_env
from tests.service.conftest import wait_until, write_source
from tests.site import FixtureSite

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def test_scheduled_crawls_are_pushed_to_a_worker_one_open_run_at_a_time(
    services, pg_schema, redis_prefix: str, redis_url: str, data_dir: Path, sources_dir: Path,
    tmp_path: Path,
) -> None:
    db_url, db = pg_schema
    settings = {
        "FAIRWATCH_DATABASE_URL": db_url,
        "FAIRWATCH_REDIS_URL": redis_url,
        "FAIRWATCH_REDIS_PREFIX": redis_prefix,
        "FAIRWATCH_CRAWL_DISTRIBUTED": "true",
        "FAIRWATCH_ALERTS_DELIVER": "false",
    }
    with FixtureSite(latency=0.3) as site:
        write_source(sources_dir, "fixture-json", "{every: 2}")
        service = services(site.url, sources_dir, data_dir, **settings)
        env = cli_env(data_dir=data_dir, site_url=site.url, sources_dir=sources_dir, **settings)
        with (tmp_path / "worker.log").open("wb") as log:
            worker = subprocess.Popen(
                [sys.executable, "-m", "fairwatch.cli", "worker", "--name", "w1"],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:

            def runs() -> list[tuple]:
                with db.engine.connect() as conn:
                    return conn.execute(
                        text(
                            "SELECT id, status, items_new, items_unchanged, skipped, host "
                            "FROM crawl_runs ORDER BY id"
                        )
                    ).all()

            wait_until(lambda: len([r for r in runs() if r[1] != "running"]) >= 2, 150, "2 runs")
        finally:
            service.signal(2)
            service.wait(timeout=60)
            worker.terminate()
            worker.wait(timeout=30)

    done = [r for r in runs() if r[1] != "running"]
    assert [r[1] for r in done[:2]] == ["succeeded", "succeeded"]
    assert (done[0][2], done[1][2]) == (8, 0)  # the first stores the 8 documents
    assert done[1][4] == 8  # the next finds them unchanged (304)
    assert all(r[5] is None for r in runs())  # runs belong to the workers, not to a process
    log = service.log()
    assert "crawl of fixture-json ended (exit 0)" in log
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM documents")).scalar() == 8
