"""Distributed crawling: real `fairwatch worker` processes, real Redis, real PostgreSQL.

Two workers share one queue in Redis and crawl the fixture site into one PostgreSQL
schema. Every page is fetched once and every document stored once; a worker killed with
SIGKILL while it holds pages loses none of them: the other worker takes them back once the
dead one's heartbeat runs out, and finishes the runs.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import text

from storage.db import Database
from tests.crawl.runner import REPO, SITE_SOURCES, cli_env, fairwatch
from tests.site import FixtureSite

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

HEARTBEAT_S = 2.0


class Workers:
    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str) -> subprocess.Popen[bytes]:
        with (self.logs / f"{name}.log").open("wb") as log:  # the child keeps its own copy
            proc = subprocess.Popen(
                [sys.executable, "-m", "fairwatch.cli", "worker", "--name", name],
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.procs[name] = proc
        return proc

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    holder: list[Workers] = []

    def make(env: dict[str, str]) -> Workers:
        holder.append(Workers(env, tmp_path))
        return holder[0]

    yield make  # type: ignore[misc]
    for w in holder:
        w.stop_all()


def settings_env(site: FixtureSite, tmp_path: Path, db_url: str, redis_url: str, redis_prefix: str):
    return cli_env(
        data_dir=tmp_path / "data",
        site_url=site.url,
        FAIRWATCH_DATABASE_URL=db_url,
        FAIRWATCH_REDIS_URL=redis_url,
        FAIRWATCH_REDIS_PREFIX=redis_prefix,
        FAIRWATCH_REDIS_TTL=str(HEARTBEAT_S),
        FAIRWATCH_REDIS_LEASE_TTL="5",
        FAIRWATCH_ALERTS_DELIVER="false",
    )


def push(env: dict[str, str], tmp_path: Path, *sources: str) -> list[int]:
    extra = {k: v for k, v in env.items() if k.startswith("FAIRWATCH_")}
    done = fairwatch(
        "crawl", "--distributed", *sources, data_dir=tmp_path / "data", env=extra, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return [int(line.split()[1]) for line in done.stdout.splitlines() if line.startswith("run ")]


def finished_runs(db: Database, run_ids: list[int]) -> list[tuple[int, str, int]]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, status, pages FROM crawl_runs WHERE finished_at IS NOT NULL")
        ).all()
    return [r for r in rows if r[0] in run_ids]


def stored(db: Database) -> tuple[dict[str, int], dict[str, int]]:
    """Per source: documents, and versions (one per document when each was stored once)."""
    with db.engine.connect() as conn:
        docs = conn.execute(text("SELECT source_id, count(*) FROM documents GROUP BY 1")).all()
        versions = conn.execute(
            text(
                "SELECT d.source_id, count(*) FROM document_versions v "
                "JOIN documents d ON d.id = v.document_id GROUP BY 1"
            )
        ).all()
    return dict(docs), dict(versions)


def wait_until(check, timeout: float, what: str):  # noqa: ANN001, ANN201
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout:g}s waiting for {what}")


def pages(hits: dict[str, int]) -> dict[str, int]:
    """Site hits of pages and attachments; robots.txt is asked once by each worker."""
    return {p: n for p, n in hits.items() if p != "/robots.txt"}


def test_two_workers_fetch_every_page_once_and_store_every_document_once(
    pg_schema, redis_prefix: str, redis_url: str, workers, tmp_path: Path
) -> None:
    db_url, db = pg_schema
    with FixtureSite(generated=120, latency=0.02) as site:
        env = settings_env(site, tmp_path, db_url, redis_url, redis_prefix)
        pool = workers(env)
        pool.start("w1")
        pool.start("w2")
        runs = push(env, tmp_path, "fixture-gen", "fixture-trs", "fixture-hanweb")
        assert len(runs) == 3
        done = wait_until(
            lambda: len(finished_runs(db, runs)) == 3 and finished_runs(db, runs), 180, "3 runs"
        )
        hits = dict(site.state.requests)
        # The next run of a source asks every page again (conditionally), in the same
        # long-lived workers: duplicates are filtered per run, list pages counted per run.
        (again,) = push(env, tmp_path, "fixture-hanweb")
        wait_until(lambda: finished_runs(db, [again]), 120, "the second hanweb run")
        pool.stop_all()
        second = {p: n - hits.get(p, 0) for p, n in site.state.requests.items()}

    hanweb = {p for p in hits if p.startswith("/hanweb/")}
    assert len(hanweb) == 12
    assert {p: second.get(p) for p in hanweb} == {p: 1 for p in hanweb}
    with db.engine.connect() as conn:
        pages_, skipped, new = conn.execute(
            text("SELECT pages, skipped, items_new FROM crawl_runs WHERE id = :id"), {"id": again}
        ).one()
    assert (pages_, skipped, new) == (2, 10, 0)  # 2 list pages fetched, 10 answered 304
    # Every page and attachment was asked for exactly once across both workers.
    fetched = pages(hits)
    assert sum(1 for p in fetched if p.startswith("/gen/202401/")) == 120
    assert {p: n for p, n in fetched.items() if n != 1} == {}
    assert hits.get("/robots.txt", 0) <= 2
    # Every document stored once: one document and one version per page.
    docs, versions = stored(db)
    assert docs == {"fixture-gen": 120, "fixture-trs": 12, "fixture-hanweb": 10}
    assert versions == docs
    # Each run was closed by the worker that did its last page, with the pages counted.
    assert sorted(status for _, status, _ in done) == ["succeeded"] * 3
    by_run = {run_id: pages_done for run_id, _, pages_done in done}
    assert by_run[runs[0]] == 122  # 2 list pages + 120 detail pages
    # Both workers took part, and between them did every page once.
    done_by = {}
    for name in ("w1", "w2"):
        log = pool.log(name)
        line = next(ln for ln in log.splitlines() if "page(s) done" in ln)
        done_by[name] = int(line.split(" after ")[1].split()[0])
    assert all(n > 0 for n in done_by.values()), done_by
    assert sum(done_by.values()) == 122 + (3 + 12) + 2 * (2 + 10)


def test_a_worker_killed_mid_crawl_loses_nothing(
    pg_schema, redis_prefix: str, redis_url: str, workers, tmp_path: Path
) -> None:
    db_url, db = pg_schema
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    with FixtureSite(generated=80) as site:
        # After 20 detail pages the site holds every request: both workers have pages on
        # the wire when one of them is killed.
        site.state.gen_hold_after = 20
        site.state.gen_hold_seconds = 60
        env = settings_env(site, tmp_path, db_url, redis_url, redis_prefix)
        pool = workers(env)
        victim = pool.start("victim")
        pool.start("survivor")
        (run,) = push(env, tmp_path, "fixture-gen")
        wait_until(
            lambda: site.state.gen_held >= 4 and client.llen(
                f"{redis_prefix}:processing:victim") > 0,
            120,
            "the victim to hold pages the site keeps waiting",
        )
        # One run of a source at a time: a second push while it is open queues nothing.
        assert push(env, tmp_path, "fixture-gen") == [run]
        victim.send_signal(signal.SIGKILL)
        held = client.llen(f"{redis_prefix}:processing:victim")
        victim.wait(timeout=10)
        site.state.gen_release.set()
        wait_until(lambda: finished_runs(db, [run]), 180, "the survivor to finish the run")
        pool.stop_all()
        hits = dict(site.state.requests)

    docs, versions = stored(db)
    assert docs == {"fixture-gen": 80}
    assert versions == {"fixture-gen": 80}
    details = {p: n for p, n in pages(hits).items() if p.startswith("/gen/202401/")}
    assert len(details) == 80  # every page fetched
    # Only pages the victim held at its death were asked again (by the survivor).
    again = sum(n - 1 for n in details.values())
    assert again <= held, (again, held)
    assert "went back to the queue" in pool.log("survivor")
    assert client.llen(f"{redis_prefix}:processing:victim") == 0
    assert client.llen(f"{redis_prefix}:queue") == 0
    ((_, status, pages_fetched),) = finished_runs(db, [run])
    assert status == "succeeded"
    # The run counts fetches: pages the victim parsed but never finished count twice.
    assert 81 <= pages_fetched <= 81 + held
    client.close()


def test_distributed_mode_refuses_sqlite_and_names_an_unreachable_redis(tmp_path: Path) -> None:
    sqlite = fairwatch(
        "worker",
        data_dir=tmp_path / "data",
        env={"FAIRWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"},
    )
    assert sqlite.returncode == 2
    assert "needs a PostgreSQL database_url" in sqlite.stderr
    push = fairwatch(
        "crawl",
        "--distributed",
        "fixture-trs",
        data_dir=tmp_path / "data",
        site_url="http://127.0.0.1:9",
        env={"FAIRWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"},
    )
    assert push.returncode == 2
    assert "needs a PostgreSQL database_url" in push.stderr


def test_unreachable_redis_is_named(pg_schema, tmp_path: Path) -> None:
    db_url, _ = pg_schema
    url = "redis://127.0.0.1:1/0"
    for args in (("worker",), ("crawl", "--distributed", "fixture-trs")):
        done = fairwatch(
            *args,
            data_dir=tmp_path / "data",
            site_url="http://127.0.0.1:9",
            env={"FAIRWATCH_DATABASE_URL": db_url, "FAIRWATCH_REDIS_URL": url},
        )
        assert done.returncode == 1, done.stderr
        assert f"Redis at {url} is unreachable" in done.stderr


def test_politeness_holds_across_workers(
    pg_schema, redis_prefix: str, redis_url: str, workers, tmp_path: Path
) -> None:
    """Two workers that could each have 8 requests out keep to the source's 2 at once and
    0.3 s between starts on the site, together."""
    db_url, db = pg_schema
    sources = tmp_path / "sources"
    sources.mkdir()
    text_ = (SITE_SOURCES / "fixture-gen.yaml").read_text(encoding="utf-8")
    text_ = text_.replace("concurrency: 8\n  delay: 0", "concurrency: 2\n  delay: 0.3")
    assert "delay: 0.3" in text_
    (sources / "fixture-gen.yaml").write_text(text_, encoding="utf-8")
    with FixtureSite(generated=16, latency=0.8) as site:
        env = settings_env(site, tmp_path, db_url, redis_url, redis_prefix)
        env.update(FAIRWATCH_CRAWL_SOURCES_DIR=str(sources), FAIRWATCH_WORKER_CONCURRENCY="8")
        pool = workers(env)
        pool.start("w1")
        pool.start("w2")
        (run,) = push(env, tmp_path, "fixture-gen")
        wait_until(lambda: finished_runs(db, [run]), 120, "the run to finish")
        pool.stop_all()
        state = site.state
        starts = sorted(t for t, path in state.arrivals if path.startswith("/gen/"))

    assert stored(db)[0] == {"fixture-gen": 16}
    assert state.max_in_flight == 2  # robots.txt included: it takes a slot too
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert len(gaps) == 16  # 1 list page + 16 detail pages
    # The delay is kept between lease grants; on the wire a request leaves its worker
    # 10-50 ms after its grant (more on a busy machine), so a gap shrinks by that much.
    assert min(gaps) >= 0.3 - 0.1, sorted(gaps)[:5]
    assert starts[-1] - starts[0] >= 16 * 0.3


def test_limit_and_mode_are_refused_with_distributed(tmp_path: Path) -> None:
    for extra in (("--limit", "3"), ("--mode", "backfill")):
        done = fairwatch(
            "crawl", "--distributed", "fixture-trs", *extra, data_dir=tmp_path / "data"
        )
        assert done.returncode == 2
        assert "cannot be used with --distributed" in done.stderr


def test_a_worker_stopped_with_sigterm_gives_its_pages_back(
    pg_schema, redis_prefix: str, redis_url: str, workers, tmp_path: Path
) -> None:
    db_url, db = pg_schema
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    with FixtureSite(generated=60) as site:
        site.state.gen_hold_after = 10
        site.state.gen_hold_seconds = 60
        env = settings_env(site, tmp_path, db_url, redis_url, redis_prefix)
        env["FAIRWATCH_WORKER_CONCURRENCY"] = "4"
        pool = workers(env)
        first = pool.start("first")
        (run,) = push(env, tmp_path, "fixture-gen")
        wait_until(
            lambda: site.state.gen_held >= 1 and client.llen(
                f"{redis_prefix}:processing:first") > 0,
            120,
            "the worker to hold pages the site keeps waiting",
        )
        first.send_signal(signal.SIGTERM)
        site.state.gen_release.set()  # its pages on the wire come back; it finishes them
        assert first.wait(timeout=60) == 0
        assert client.llen(f"{redis_prefix}:processing:first") == 0
        assert client.zscore(f"{redis_prefix}:workers", "first") is None
        # Every page of the run not done yet is back in the queue: none stranded with it.
        left = client.llen(f"{redis_prefix}:queue")
        assert left > 0
        assert int(client.get(f"{redis_prefix}:run:{run}:pending")) == left
        assert not finished_runs(db, [run])
        pool.start("second")
        wait_until(lambda: finished_runs(db, [run]), 120, "the second worker to finish the run")
        pool.stop_all()

    assert stored(db) == ({"fixture-gen": 60}, {"fixture-gen": 60})
    assert "page(s) done" in pool.log("first")
    client.close()
