"""Per-version stage state: a failed later step leaves the document stored and queued."""

from __future__ import annotations

import pytest

from storage import repository as repo
from storage.db import Database
from storage.errors import InvalidRecord, VersionNotFound


def test_new_versions_start_pending(make_record, db: Database) -> None:
    a = repo.store_document(db, make_record(1))
    b = repo.store_document(db, make_record(2))
    assert repo.pending_versions(db, "analysis") == [a.version_id, b.version_id]
    assert repo.pending_versions(db, "index") == [a.version_id, b.version_id]
    assert repo.stage_counts(db) == {
        "analysis": {"pending": 2, "done": 0, "failed": 0},
        "index": {"pending": 2, "done": 0, "failed": 0},
        # Nothing to read from images or video in these: done as stored.
        "media": {"pending": 0, "done": 2, "failed": 0},
    }


def test_failed_step_keeps_the_document_and_queues_a_retry(make_record, db: Database) -> None:
    stored = repo.store_document(db, make_record(1))
    try:
        raise TimeoutError("analyzer timed out after 30 s")
    except TimeoutError as exc:
        repo.stage_failed(db, stored.version_id, "analysis", f"{type(exc).__name__}: {exc}")
    detail = repo.show_document(db, stored.doc_id)
    assert detail.latest.body == make_record(1).body
    state = detail.latest.stages["analysis"]
    assert (state.status, state.attempts) == ("failed", 1)
    assert state.error == "TimeoutError: analyzer timed out after 30 s"
    assert repo.pending_versions(db, "analysis") == [stored.version_id]
    assert repo.pending_versions(db, "analysis", include_failed=False) == []
    assert repo.pending_versions(db, "analysis", max_attempts=1) == []
    repo.save_findings(db, stored.version_id, [])  # the retry succeeds
    state = repo.get_stages(db, stored.version_id)["analysis"]
    assert (state.status, state.attempts, state.error) == ("done", 2, None)
    assert repo.pending_versions(db, "analysis") == []


def test_superseded_versions_are_not_retried(make_record, db: Database) -> None:
    old = repo.store_document(db, make_record(1))
    new = repo.store_document(db, make_record(1, body="新版本正文"))
    assert repo.pending_versions(db, "index") == [new.version_id]
    assert old.version_id not in repo.pending_versions(db, "analysis")


def test_bulk_marking_and_filters(make_record, db: Database) -> None:
    ids = [
        repo.store_document(db, make_record(n, source_id=s)).version_id
        for n, s in ((1, "a"), (2, "a"), (3, "b"))
    ]
    repo.mark_stage(db, ids[:2], "index", "done")
    assert repo.pending_versions(db, "index") == [ids[2]]
    assert repo.pending_versions(db, "analysis", source_id="a", limit=1) == [ids[0]]
    repo.mark_stage(db, ids[0], "index", "pending")
    assert repo.pending_versions(db, "index") == [ids[0], ids[2]]


def test_unknown_version_and_bad_names(make_record, db: Database) -> None:
    stored = repo.store_document(db, make_record(1))
    with pytest.raises(VersionNotFound):
        repo.mark_stage(db, [stored.version_id, 12345], "index", "done")
    assert repo.get_stages(db, stored.version_id)["index"].status == "pending"  # none marked
    with pytest.raises(InvalidRecord, match="analysis, index"):
        repo.mark_stage(db, stored.version_id, "alerts", "done")
    with pytest.raises(InvalidRecord, match="pending, done, failed"):
        repo.mark_stage(db, stored.version_id, "index", "skipped")
