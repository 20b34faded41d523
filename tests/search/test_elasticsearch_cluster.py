"""Fault test: a 2-node cluster loses one node, then the other, while indexing and searching.

scripts/elasticsearch.sh starts a private cluster for this module (FAIRWATCH_ES_NODES=2:
node 1 master-eligible and data, node 2 data only); the index has one replica, so each node
holds a full copy. Documents are stored in the database first and indexed in batches the way
the crawl pipeline does it (a batch that fails is marked failed and stays for `index sync`),
while another thread searches without pause for documents indexed beforehand.

1. Node 2 is killed (SIGKILL) mid-indexing: the writes move to node 1, every search answers
   in full; node 2 comes back and catches up from its peer.
2. Node 1, the only master, is killed mid-indexing: writes fail (no master), searches are
   answered by node 2 from its copy; node 1 comes back and `sync_index` writes what failed.
   Its return re-forms the cluster, and searches may fail for those seconds: the test
   reports how many and how long.

Nothing may be lost: the index ends equal to the stored versions, on both copies.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from fairwatch.cli.index import sync_index
from storage import repository
from storage.db import Database
from storage.errors import SearchError
from storage.records import DocumentRecord
from storage.search.base import SearchQuery
from storage.search.elasticsearch import ElasticsearchIndex
from tests.search.conftest import unique_prefix
from tests.search.es_nodes import EsNodes, wait_for

pytestmark = [pytest.mark.elasticsearch, pytest.mark.timeout(600)]
logger = logging.getLogger(__name__)

SEEDED = 40  # indexed before the faults: what the searcher must find every time
PHASE = 300  # documents indexed while each node is down
BATCH = 20  # documents per index request, like FAIRWATCH_CRAWL_INDEX_BATCH
KILL_AFTER = 3  # batches written before the node is killed
NEEDLE = "种子样本"  # only the seeded documents contain it


def record(n: int, *, seeded: bool) -> DocumentRecord:
    extra = f"本件为{NEEDLE}。" if seeded else ""
    return DocumentRecord(
        source_id="gd-gov",
        url=f"http://127.0.0.1/policy/{n}.html",
        kind="policy",
        title=f"关于印发第{n}号办法的通知",
        body=f"第{n}号：在政府采购中本地企业优先，须使用指定的检测机构。{extra}",
        fetched_at=datetime(2024, 3, 1, 8, 0, n % 60, tzinfo=UTC),
        metadata={"published": f"2024-02-{n % 28 + 1:02d}"},
    )


@dataclass
class Searcher:
    """Searches for the seeded documents without pause until stopped; counts every answer."""

    index: ElasticsearchIndex
    answered: list[tuple[float, int]] = field(default_factory=list)  # (when, total)
    errors: list[tuple[float, str]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                total = self.index.search(SearchQuery(text=NEEDLE, size=5)).total
                self.answered.append((time.monotonic(), total))
            except SearchError as exc:
                self.errors.append((time.monotonic(), str(exc)))
            time.sleep(0.02)

    def between(self, start: float, end: float) -> list[int]:
        return [total for when, total in self.answered if start <= when <= end]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EsNodes]:
    nodes = EsNodes(tmp_path_factory.mktemp("es-cluster"), nodes=2)
    try:
        nodes.start()
        yield nodes
    finally:
        nodes.stop()


def index_batches(
    db: Database, index: ElasticsearchIndex, versions: list[int], kill: Callable[[], None] | None
) -> int:
    """Index `versions` in batches as the pipeline does; `kill` runs after KILL_AFTER batches.

    Returns how many batches failed (and were marked failed for `index sync`).
    """
    failed = 0
    killer = threading.Thread(target=kill or (lambda: None), name="killer")
    for number, start in enumerate(range(0, len(versions), BATCH)):
        if number == KILL_AFTER:
            killer.start()  # runs alongside, so the kill lands during one of the next requests
        batch = versions[start : start + BATCH]
        try:
            index.index(list(repository.indexed_documents(db, version_ids=batch)))
        except SearchError as exc:
            logger.info("batch %d failed: %s", number, exc)
            repository.stage_failed(db, batch, "index", f"{type(exc).__name__}: {exc}")
            failed += 1
            continue
        repository.stage_done(db, batch, "index")
    if killer.ident is not None:
        killer.join()
    return failed


def copy_counts(cluster: EsNodes, alias: str) -> list[int]:
    """Documents in the copy each node holds (searched locally on each node)."""
    counts = []
    for url in cluster.urls:
        client = Elasticsearch([url], request_timeout=30)
        try:
            client.indices.refresh(index=alias)
            found = client.search(
                index=alias, preference="_only_local", size=0, track_total_hits=True
            )
            counts.append(int(found["hits"]["total"]["value"]))
        finally:
            client.close()
    return counts


def green(index: ElasticsearchIndex, alias: str) -> dict:
    """Cluster health once the index is green (every copy started), or after 60s."""
    client = index.client.options(request_timeout=90)
    return dict(client.cluster.health(index=alias, wait_for_status="green", timeout="60s"))


def make_writer(cluster: EsNodes, prefix: str) -> ElasticsearchIndex:
    # Short timeout, one retry: a write that cannot land fails in seconds and is left for the
    # sync, as in a crawl (the defaults would wait out the node's own 1-minute timeout).
    return ElasticsearchIndex(
        cluster.url,
        index_prefix=prefix,
        replicas=1,
        timeout=5,
        max_retries=1,
        initial_backoff=0.2,
    )


def test_a_node_dies_while_indexing_and_searching_and_nothing_is_lost(
    cluster: EsNodes, tmp_path: Path
) -> None:
    db = Database(tmp_path / "fairwatch.db")
    db.upgrade()
    prefix = unique_prefix()
    writer = make_writer(cluster, prefix)
    reader = ElasticsearchIndex(cluster.url, index_prefix=prefix, timeout=10)
    searcher = Searcher(reader)
    thread = threading.Thread(target=searcher.run, name="searcher", daemon=True)
    try:
        seeded = [repository.store_document(db, record(n, seeded=True)) for n in range(SEEDED)]
        first = [
            repository.store_document(db, record(n, seeded=False)) for n in range(100, 100 + PHASE)
        ]
        second = [
            repository.store_document(db, record(n, seeded=False))
            for n in range(1000, 1000 + PHASE)
        ]
        writer.ensure()
        index_batches(db, writer, [r.version_id for r in seeded], None)
        writer.refresh()
        health = green(writer, prefix)
        assert health["status"] == "green" and health["number_of_nodes"] == 2, health
        thread.start()
        wait_for("the first searches", lambda: len(searcher.answered) >= 5, timeout=30)

        # 1. The data node dies mid-indexing: writes go on through node 1.
        t1 = time.monotonic()
        failed_1 = index_batches(
            db,
            writer,
            [r.version_id for r in first],
            lambda: cluster.kill(2),
        )
        t1_end = time.monotonic()
        restart_2 = cluster.start()
        during_1 = searcher.between(t1, t1_end)
        # Node 2 has its copy back only once recovered from node 1: until green, node 1 holds
        # the only copy, and losing it would lose the index (as on any cluster).
        health = green(writer, prefix)
        assert health["status"] == "green", health

        # 2. The master dies mid-indexing: writes fail, node 2 answers the searches.
        writer.close()
        writer = make_writer(cluster, prefix)  # no cool-down left from phase 1
        t2 = time.monotonic()
        failed_2 = index_batches(
            db,
            writer,
            [r.version_id for r in second],
            lambda: cluster.kill(1),
        )
        t2_end = time.monotonic()
        during_2 = searcher.between(t2, t2_end)
        restart_1 = cluster.start()
        searcher.stop.set()
        thread.join(timeout=30)

        # Searches never failed while a node was down (nor while node 2 came back).
        lost = [(f"{when - t1:.1f}s after the first kill", e) for when, e in searcher.errors]
        assert not [e for when, e in searcher.errors if when <= t2_end], lost[:5]
        # The master's return re-forms the cluster (its shard copies are allocated anew), so
        # searches may fail for those seconds: measured and reported, not hidden.
        returning = [when for when, _ in searcher.errors if when > t2_end]
        outage = (max(returning) - min(returning)) if returning else 0.0
        assert len(during_1) >= 10 and len(during_2) >= 10, (len(during_1), len(during_2))
        # Every answer was complete: a lost shard copy never meant missing documents.
        assert set(during_1) == set(during_2) == {SEEDED}, (set(during_1), set(during_2))
        assert failed_2 > 0, "no write failed while the only master was down"

        # The sync writes what failed, and the index equals the database on both copies.
        stored = repository.current_versions(db)
        unindexed = set(repository.pending_versions(db, "index", include_failed=True))
        syncer = ElasticsearchIndex(cluster.url, index_prefix=prefix, timeout=30)
        try:
            report = sync_index(db, syncer)
            assert report.indexed == len(unindexed) and report.deleted == 0, report
            assert syncer.indexed_versions() == stored
            assert syncer.count() == SEEDED + 2 * PHASE
        finally:
            syncer.close()
        assert repository.stage_counts(db)["index"] == {
            "pending": 0,
            "done": SEEDED + 2 * PHASE,
            "failed": 0,
        }
        health = green(writer, prefix)
        assert health["status"] == "green", health
        assert reader.search(SearchQuery(text=NEEDLE)).total == SEEDED
        assert copy_counts(cluster, prefix) == [SEEDED + 2 * PHASE] * 2
        logger.info(
            "cluster test: data node down: %d searches during %.1fs of indexing, %d batch(es) "
            "failed, restart %.1fs; master down: %d searches during %.1fs, %d batch(es) failed, "
            "restart %.1fs (%d searches failed over %.1fs while it rejoined); sync wrote %d",
            len(during_1),
            t1_end - t1,
            failed_1,
            restart_2,
            len(during_2),
            t2_end - t2,
            failed_2,
            restart_1,
            len(returning),
            outage,
            report.indexed,
        )
    finally:
        searcher.stop.set()
        writer.drop()
        writer.close()
        reader.close()
        db.close()
