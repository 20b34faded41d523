"""Distributed crawling: one `fairwatch worker` against two, same run, same site.

    .venv/bin/python bench/distributed.py [--pages 200] [--latency 1.0] [--per-worker 4]

Serves N generated detail pages from the fixture site in a subprocess, every answer
delayed by --latency seconds (a distant portal), and a source whose politeness allows more
requests at once than one worker makes (--per-worker, FAIRWATCH_WORKER_CONCURRENCY). Then
crawls it twice through Redis into PostgreSQL, each time into a fresh schema and under a
fresh key prefix: with one worker process, then with two. Each crawl is timed by its run
record (from the push of the start page to the last page finished). Prints pages per
second for both and their ratio; the goal is >= 1.8. The latency is long next to the CPU
a page costs (parse, store, analyze), so the figure is about how the workers share the
queue and the domain, not about the cores this machine has free.

Needs the services of scripts/services.sh: FAIRWATCH_TEST_PG_URL and FAIRWATCH_TEST_REDIS_URL
(or --database-url / --redis-url).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import redis
from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from storage.db import Database  # noqa: E402

SOURCE = """\
id: bench-distributed
name: generated pages (bench)
issuer: 示例省人民政府
region: 示例省
kind: policy
verified: true
start_urls:
  - "{{site}}/gen/index.html"
list:
  items: auto
  pagination:
    style: next_link
    selector: auto
    max_pages: 1000
detail: auto
attachments:
  enabled: false
politeness:
  concurrency: {concurrency}
  delay: 0
"""


def start_site(pages: int, latency: float) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.site", "--generate", str(pages), "--latency", str(latency)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    url = proc.stdout.readline().strip()
    if not url.startswith("http://"):
        proc.kill()
        raise SystemExit(f"fixture site did not start (got {url!r})")
    return proc, url


def crawl(args: argparse.Namespace, site: str, sources: Path, workers: int, tmp: Path) -> dict:
    """One distributed crawl with `workers` worker processes; its run's figures."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    prefix = f"fwbench-{uuid.uuid4().hex[:12]}"
    db = Database(args.database_url, schema=schema)
    db.upgrade()
    sep = "&" if "?" in args.database_url else "?"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAIRWATCH_")}
    env.update(
        FAIRWATCH_DATABASE_URL=f"{args.database_url}{sep}options={quote(f'-csearch_path={schema}')}",
        FAIRWATCH_REDIS_URL=args.redis_url,
        FAIRWATCH_REDIS_PREFIX=prefix,
        FAIRWATCH_WORKER_CONCURRENCY=str(args.per_worker),
        FAIRWATCH_DATA_DIR=str(tmp / f"data-{workers}"),
        FAIRWATCH_CRAWL_SOURCES_DIR=str(sources),
        FAIRWATCH_CRAWL_SITE_URL=site,
        FAIRWATCH_CRAWL_PROGRESS_INTERVAL="0",
        FAIRWATCH_ALERTS_DELIVER="false",
        FAIRWATCH_LOG_LEVEL="WARNING",
        PYTHONWARNINGS="ignore::DeprecationWarning",
    )
    client = redis.Redis.from_url(args.redis_url, decode_responses=True)
    procs = []
    try:
        for n in range(workers):
            log = (tmp / f"worker-{workers}-{n}.log").open("wb")
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "fairwatch.cli", "worker", "--name", f"w{n}"],
                    cwd=REPO,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            log.close()
        # Time the crawl, not the start-up: push once every worker is polling.
        deadline = time.monotonic() + 120
        while client.zcard(f"{prefix}:workers") < workers:
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                raise SystemExit(f"workers did not start; see the logs in {tmp}")
            time.sleep(0.1)
        pushed = subprocess.run(
            [sys.executable, "-m", "fairwatch.cli", "crawl", "--distributed", "bench-distributed"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if pushed.returncode:
            raise SystemExit(f"push failed: {pushed.stderr}")
        deadline = time.monotonic() + args.timeout
        while True:
            with db.engine.connect() as conn:
                row = conn.execute(
                    text(
                        "SELECT status, duration_s, pages, items_new FROM crawl_runs "
                        "WHERE finished_at IS NOT NULL"
                    )
                ).first()
            if row is not None:
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"the {workers}-worker crawl did not finish in {args.timeout}s")
            time.sleep(0.2)
        status, duration, pages, stored = row
        return {"status": status, "seconds": duration, "pages": pages, "stored": stored}
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()
        db.close()
        admin = create_engine(args.database_url)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--latency", type=float, default=1.0, help="seconds per answer")
    parser.add_argument("--per-worker", type=int, default=4, help="requests one worker has out")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--database-url", default=os.environ.get("FAIRWATCH_TEST_PG_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("FAIRWATCH_TEST_REDIS_URL", ""))
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql") or not args.redis_url:
        raise SystemExit(
            "needs PostgreSQL and Redis: run `bash scripts/services.sh start` and export "
            "$(bash scripts/services.sh env), or pass --database-url and --redis-url"
        )
    proc, site = start_site(args.pages, args.latency)
    tmp = Path(tempfile.mkdtemp(prefix="fairwatch-bench-distributed-"))
    try:
        sources = tmp / "sources"
        sources.mkdir()
        # The domain allows what two workers make at once: the workers are the limit.
        (sources / "bench-distributed.yaml").write_text(
            SOURCE.format(concurrency=2 * args.per_worker), encoding="utf-8"
        )
        one = crawl(args, site, sources, 1, tmp)
        two = crawl(args, site, sources, 2, tmp)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    expected = args.pages + max(1, -(-args.pages // 100))  # details + list pages
    print(
        f"fixture site: {args.pages} generated pages, {args.latency:g}s latency per answer; "
        f"{args.per_worker} requests in flight per worker, {2 * args.per_worker} per domain"
    )
    rates = []
    for label, result in (("1 worker ", one), ("2 workers", two)):
        rate = result["pages"] / result["seconds"]
        rates.append(rate)
        print(
            f"{label}: {result['pages']:>5} pages in {result['seconds']:7.2f}s = "
            f"{rate:7.2f} pages/s  ({result['stored']} stored, run {result['status']})"
        )
    print(f"ratio 2 workers / 1 worker: {rates[1] / rates[0]:.2f}")
    bad = [r for r in (one, two) if r["pages"] != expected or r["stored"] != args.pages]
    if bad:
        raise SystemExit("not every page was fetched and stored: the figures are not comparable")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
