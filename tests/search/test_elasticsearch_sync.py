"""`fairwatch index sync|rebuild|status` against a real database and the real node.

Documents are stored through the repository (as a crawl stores them) and left with their
index stage pending; the node is "down" by pointing at a closed port.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from elasticsearch import Elasticsearch

from fairwatch.cli import main
from storage import repository
from storage.db import Database
from storage.records import DocumentRecord
from storage.search.elasticsearch import ElasticsearchIndex
from storage.search.fts import Fts5Index

pytestmark = pytest.mark.elasticsearch


def record(n: int, body: str | None = None) -> DocumentRecord:
    return DocumentRecord(
        source_id="gd-gov" if n % 2 else "sz-gov",
        url=f"http://127.0.0.1/policy/{n}.html",
        kind="policy",
        title=f"关于印发第{n}号办法的通知",
        body=body or f"第{n}号：在政府采购中本地企业优先，须使用指定的检测机构。",
        fetched_at=datetime(2024, 3, 1, 8, 0, n % 60, tzinfo=UTC),
        metadata={"published": f"2024-02-{n % 28 + 1:02d}"},
    )


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "fairwatch.db")
    database.upgrade()
    yield database
    database.close()


@pytest.fixture
def stored(db: Database) -> dict[int, int]:
    """Six documents stored, their index stage pending: doc_id -> version_id."""
    results = [repository.store_document(db, record(n)) for n in range(1, 7)]
    return {r.doc_id: r.version_id for r in results}


@pytest.fixture
def cli(tmp_path: Path, prefix: str, db: Database):
    """Run `fairwatch ...` on the test database; search_url given per call."""

    def run(*args: str, search_url: str):
        env = {
            "FAIRWATCH_DATA_DIR": str(tmp_path),
            "FAIRWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'fairwatch.db'}",
            "FAIRWATCH_SEARCH_URL": search_url,
            "FAIRWATCH_ES_INDEX_PREFIX": prefix,
        }
        return CliRunner().invoke(main, list(args), env=env)

    return run


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def index_counts(db: Database) -> dict[str, int]:
    return repository.stage_counts(db)["index"]


def test_sync_with_the_node_down_fails_clearly_and_marks_nothing_done(
    cli, db: Database, stored: dict[int, int]
) -> None:
    url = closed_port_url()
    result = cli("index", "sync", search_url=url)
    assert result.exit_code == 1, result.output
    assert "cannot reach Elasticsearch" in result.output and url.split("//")[1] in result.output
    assert index_counts(db) == {"pending": len(stored), "done": 0, "failed": 0}


def test_sync_with_the_node_up_brings_the_index_to_exactly_the_stored_documents(
    cli, db: Database, stored: dict[int, int], es_index: ElasticsearchIndex, es_url: str
) -> None:
    assert cli("index", "sync", search_url=closed_port_url()).exit_code == 1
    result = cli("index", "sync", search_url=es_url)
    assert result.exit_code == 0, result.output
    assert f"indexed {len(stored)}, deleted 0" in result.output
    assert es_index.indexed_versions() == stored
    assert index_counts(db) == {"pending": 0, "done": len(stored), "failed": 0}
    # A second sync finds nothing to do.
    again = cli("index", "sync", search_url=es_url)
    assert again.exit_code == 0 and "indexed 0, deleted 0, up to date 6" in again.output


def test_sync_repairs_stale_missing_and_orphaned_documents(
    db: Database, stored: dict[int, int], es_index: ElasticsearchIndex
) -> None:
    from fairwatch.cli.index import sync_index

    sync_index(db, es_index)
    docs = sorted(stored)
    # A document changed (new version, stage pending); one vanished from the index behind
    # our back; one is in the index but not in the database; one holds an old version
    # although its stage says done.
    changed = repository.store_document(db, record(1, body="已修订：相关条款删除。"))
    assert (changed.status, changed.doc_id) == ("changed", docs[0])
    es_index.delete([docs[1]])
    (orphan,) = list(repository.indexed_documents(db, doc_ids=[docs[2]]))
    orphan.doc_id = 999
    stale = list(repository.indexed_documents(db, doc_ids=[docs[3]]))[0]
    stale.version_id = -1
    es_index.index([orphan, stale])
    es_index.refresh()

    report = sync_index(db, es_index)
    current = repository.current_versions(db)
    assert es_index.indexed_versions() == current
    assert set(current) == set(stored)
    assert (report.indexed, report.deleted) == (3, 1)


def test_a_node_failing_mid_sync_leaves_the_batch_failed_for_the_next_sync(
    db: Database, stored: dict[int, int], es_url: str, prefix: str
) -> None:
    from fairwatch.cli.index import sync_index
    from storage.errors import IndexUnavailable
    from tests.search.test_elasticsearch import FaultProxy

    # The node answers, then refuses every bulk request (overloaded) until we give up.
    with FaultProxy(es_url, fail_bulk=100, status=503) as proxy:
        failing = ElasticsearchIndex(
            proxy.url, index_prefix=prefix, max_retries=1, initial_backoff=0.01
        )
        with pytest.raises(IndexUnavailable, match="HTTP 503"):
            sync_index(db, failing)
        failing.close()
    assert index_counts(db) == {"pending": 0, "done": 0, "failed": len(stored)}
    up = ElasticsearchIndex(es_url, index_prefix=prefix)
    try:
        report = sync_index(db, up)
        assert report.indexed == len(stored)
        assert up.doc_ids() == set(stored)
        assert index_counts(db) == {"pending": 0, "done": len(stored), "failed": 0}
    finally:
        up.drop()
        up.close()


def test_rebuild_command_replaces_the_index_and_marks_everything_done(
    cli, db: Database, stored: dict[int, int], es_index: ElasticsearchIndex, es_url: str,
    prefix: str,
) -> None:
    es_index.ensure()
    result = cli("index", "rebuild", search_url=es_url)
    assert result.exit_code == 0, result.output
    assert f"{len(stored)} document(s) indexed" in result.output
    client = Elasticsearch([es_url])
    try:
        assert set(client.indices.get_alias(name=prefix)) == {f"{prefix}-v2"}
    finally:
        client.close()
    assert es_index.doc_ids() == set(stored)
    assert index_counts(db)["done"] == len(stored)
    status = cli("index", "status", search_url=es_url)
    assert status.exit_code == 0, status.output
    assert f"index: {len(stored)} document(s)" in status.output and "pending 0" in status.output


def test_sync_works_on_the_embedded_index_too(
    db: Database, stored: dict[int, int], tmp_path: Path
) -> None:
    from fairwatch.cli.index import sync_index

    with Fts5Index(tmp_path / "search.db") as index:
        report = sync_index(db, index)
        assert report.indexed == len(stored)
        assert index.doc_ids() == set(stored)


def test_documents_the_node_refuses_are_marked_failed_and_the_rest_done(
    cli, db: Database, stored: dict[int, int], es_index: ElasticsearchIndex, es_url: str
) -> None:
    # A region longer than Lucene's 32 KB term limit: the node refuses this document only.
    bad = repository.store_document(
        db,
        DocumentRecord(
            source_id="gd-gov",
            url="http://127.0.0.1/policy/huge.html",
            kind="policy",
            title="超长地区",
            body="正文",
            fetched_at=datetime(2024, 3, 1, tzinfo=UTC),
            metadata={"region": "区" * 20000},
        ),
    )
    result = cli("index", "sync", search_url=es_url)
    assert result.exit_code == 1, result.output
    assert f"doc {bad.doc_id}" in result.output and "refused 1" in result.output
    assert es_index.doc_ids() == set(stored)
    assert index_counts(db) == {"pending": 0, "done": len(stored), "failed": 1}
    stages = repository.get_stages(db, bad.version_id)
    assert stages["index"].status == "failed" and "immense" in (stages["index"].error or "")
