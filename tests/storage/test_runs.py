"""Sources and crawl-run bookkeeping."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storage import repository as repo
from storage.db import Database
from storage.errors import InvalidRecord, RunNotFound


def test_run_lifecycle(db: Database) -> None:
    run_id = repo.start_run(db, "gd-gov", started_at=datetime(2024, 5, 1, 8, tzinfo=UTC))
    running = repo.get_run(db, run_id)
    assert (running.status, running.finished_at, running.counts) == ("running", None, {})
    info = repo.finish_run(
        db,
        run_id,
        "partial",
        counts={"pages_fetched": 12, "pages_skipped": 30, "fairwatch/items_new": 3},
        errors=[{"url": "http://127.0.0.1/500.html", "error": "HTTP 500"}],
        reason="1 page failed",
    )
    assert info == repo.get_run(db, run_id)
    assert info.status == "partial" and info.counts["pages_skipped"] == 30
    assert info.errors == [{"url": "http://127.0.0.1/500.html", "error": "HTTP 500"}]
    assert info.finished_at is not None and info.finished_at >= info.started_at
    assert info.started_at == datetime(2024, 5, 1, 8, tzinfo=UTC)


def test_failed_run_records_its_reason(db: Database) -> None:
    run_id = repo.start_run(db, "down-site")
    info = repo.finish_run(db, run_id, "failed", reason="connection refused: http://127.0.0.1:9/")
    assert info.status == "failed" and "connection refused" in (info.reason or "")


def test_list_runs_newest_first(db: Database) -> None:
    ids = [repo.start_run(db, "a"), repo.start_run(db, "b"), repo.start_run(db, "a")]
    assert [r.id for r in repo.list_runs(db)] == ids[::-1]
    assert [r.id for r in repo.list_runs(db, source_id="a", limit=1)] == [ids[2]]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"status": "ok"}, "status"),
        ({"status": "running"}, "status"),
        ({"status": "failed", "counts": {"when": datetime(2024, 1, 1)}}, "counts"),
    ],
)
def test_bad_finish_is_rejected(db: Database, kwargs: dict, field: str) -> None:
    run_id = repo.start_run(db, "gd-gov")
    with pytest.raises(InvalidRecord) as err:
        repo.finish_run(db, run_id, **kwargs)
    assert err.value.field == field
    assert repo.get_run(db, run_id).status == "running"


def test_unknown_run(db: Database) -> None:
    with pytest.raises(RunNotFound, match="crawl run 404 does not exist"):
        repo.finish_run(db, 404, "succeeded")


def test_ensure_source_registers_and_updates(make_record, db: Database) -> None:
    repo.ensure_source(db, "gd-gov", name="广东省人民政府", issuer="广东省人民政府", region="广东")
    repo.ensure_source(db, "gd-gov", region="广东省")  # None leaves the other fields alone
    stored = repo.store_document(db, make_record(1))
    (doc,) = repo.indexed_documents(db, doc_ids=[stored.doc_id])
    assert (doc.region, doc.issuer) == ("广东省", "广东省人民政府")
