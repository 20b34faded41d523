"""Fault test: the Elasticsearch node stops in the middle of a crawl.

A second node, started by scripts/elasticsearch.sh with its own state dir and ports for this
module only (the shared node other tests use is never touched), is the crawl's index. The
fixture site serves N generated pages and holds every request after the first K at a gate;
once the index holds those K documents the node is stopped and the gate opened, so the rest
of the crawl runs against a dead index. Nothing may be lost: the crawl finishes, every page
is stored, the rest is marked failed in the index stage, and after a restart
`fairwatch index sync` brings the index to exactly the stored documents.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_exc

from storage import repository
from storage.db import Database
from storage.search.elasticsearch import ElasticsearchIndex
from tests.crawl.runner import REPO, cli_env, fairwatch
from tests.search.es_nodes import EsNodes, wait_for
from tests.site import FixtureSite

pytestmark = [pytest.mark.elasticsearch, pytest.mark.timeout(900)]
logger = logging.getLogger(__name__)

PAGES = 250  # generated detail pages the site serves (three list pages)
BEFORE_STOP = 100  # pages served before the gate closes; a multiple of INDEX_BATCH
INDEX_BATCH = 10  # FAIRWATCH_CRAWL_INDEX_BATCH: the crawl indexes every 10 documents
SOURCE = "fixture-gen"


@pytest.fixture(scope="module")
def es_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EsNodes]:
    node = EsNodes(tmp_path_factory.mktemp("es-node"))
    try:
        node.start()
        yield node
    finally:
        node.stop()  # a no-op when the test already stopped it


@pytest.fixture
def site() -> Iterator[FixtureSite]:
    with FixtureSite(generated=PAGES) as running:
        running.state.gen_hold_after = BEFORE_STOP
        yield running
        running.state.gen_release.set()  # never leave handler threads waiting


def _count(client: Elasticsearch, alias: str) -> int:
    try:
        client.indices.refresh(index=alias)
        return int(client.count(index=alias)["count"])
    except es_exc.NotFoundError:
        return 0  # the crawl has not created the index yet
    except es_exc.ConnectionError:
        return -1


def test_node_stopped_mid_crawl_loses_nothing_and_sync_catches_up(
    es_node: EsNodes, site: FixtureSite, tmp_path: Path
) -> None:
    prefix = f"fwtest-{uuid.uuid4().hex[:12]}"
    settings = {
        "FAIRWATCH_SEARCH_URL": es_node.url,
        "FAIRWATCH_ES_INDEX_PREFIX": prefix,
        "FAIRWATCH_CRAWL_INDEX_BATCH": str(INDEX_BATCH),
    }
    site_env = {"data_dir": tmp_path, "site_url": site.url}
    # No index exists yet (the node refuses to auto-create one): the crawl creates it.
    log = tmp_path / "crawl.log"
    started = time.monotonic()
    with log.open("w") as out:
        crawl = subprocess.Popen(
            [sys.executable, "-m", "fairwatch.cli", "crawl", SOURCE],
            cwd=REPO,
            env=cli_env(**site_env, **settings),
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    client = Elasticsearch([es_node.url])
    try:
        # The first BEFORE_STOP pages reach the index; the gate holds the rest meanwhile.
        t_indexed = wait_for(
            f"{BEFORE_STOP} documents in the index",
            lambda: crawl.poll() is not None or _count(client, prefix) >= BEFORE_STOP,
            timeout=400,
        )
        assert crawl.poll() is None, (
            f"the crawl ended before the node was stopped:\n{log.read_text()}"
        )
        assert _count(client, prefix) == BEFORE_STOP
        assert site.state.gen_served == BEFORE_STOP
    finally:
        client.close()
    t_stop = es_node.stop()
    site.state.gen_release.set()
    try:
        crawl.wait(timeout=400)
    finally:
        if crawl.poll() is None:
            crawl.kill()
    t_crawl = time.monotonic() - started
    output = log.read_text()

    # The crawl finished despite the outage: exit 0, recorded partial (a stage failed).
    assert crawl.returncode == 0, output
    assert f"{SOURCE}: partial; {PAGES} documents crawled ({PAGES} new" in output, output
    assert site.state.gen_served == PAGES

    db = Database(tmp_path / "fairwatch.db")
    try:
        current = repository.current_versions(db)
        stored = repository.list_documents(db, source_id=SOURCE, limit=PAGES + 50)
        assert len(current) == PAGES
        expected = {f"{site.url}/gen/202401/t20240101_{i}.html" for i in range(PAGES)}
        assert {d.url for d in stored.items} == expected
        counts = repository.stage_counts(db)["index"]
        # Indexed before the stop: done; written while the node was down: failed, retryable.
        assert counts == {"pending": 0, "done": BEFORE_STOP, "failed": PAGES - BEFORE_STOP}
        failed_before_sync = counts["failed"]

        t_restart = es_node.start()
        index = ElasticsearchIndex(es_node.url, index_prefix=prefix)
        try:
            index.refresh()
            # The node kept exactly what the database says was indexed, nothing more.
            unindexed = set(repository.pending_versions(db, "index", include_failed=True))
            assert index.doc_ids() == {d for d, v in current.items() if v not in unindexed}

            sync_started = time.monotonic()
            sync = fairwatch("index", "sync", **site_env, env=settings)
            t_sync = time.monotonic() - sync_started
            assert sync.returncode == 0, sync.stdout + sync.stderr
            assert (
                f"indexed {PAGES - BEFORE_STOP}, deleted 0, up to date {BEFORE_STOP}" in sync.stdout
            ), sync.stdout
            index.refresh()
            assert index.doc_ids() == set(current)
            assert index.indexed_versions() == current
            assert repository.stage_counts(db)["index"] == {
                "pending": 0,
                "done": PAGES,
                "failed": 0,
            }
            status = fairwatch("index", "status", **site_env, env=settings)
            assert status.returncode == 0, status.stderr
            assert (
                f"index: {PAGES} document(s)" in status.stdout
                and f"versions done {PAGES}, pending 0, failed 0" in status.stdout
            ), status.stdout
        finally:
            index.drop()
            index.close()
    finally:
        db.close()
    logger.info(
        "fault test: %d pages stored, %d failed in the index stage when the node came back; "
        "first %d indexed after %.1fs, node stop %.1fs, crawl %.1fs, restart %.1fs, sync %.1fs; "
        "%d request(s) held at the gate, %d wait(s) expired",
        PAGES,
        failed_before_sync,
        BEFORE_STOP,
        t_indexed,
        t_stop,
        t_crawl,
        t_restart,
        t_sync,
        site.state.gen_held,
        site.state.gen_hold_expired,
    )
