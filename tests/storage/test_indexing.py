"""From the database to the index: indexed_documents, and index failures that lose nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import repository as repo
from storage.db import Database
from storage.errors import IndexUnavailable
from storage.records import AttachmentRecord
from storage.search.base import SearchQuery
from storage.search.fts import Fts5Index
from tests.storage.factories import finding


def test_indexed_documents_carry_the_current_version(make_record, db: Database) -> None:
    repo.ensure_source(db, "gd-gov", name="广东", region="广东", issuer="广东省人民政府")
    atts = [
        AttachmentRecord(url="u1", filename="1.pdf", file_type="pdf", text="第一个附件"),
        AttachmentRecord(url="u2", filename="2.doc", file_type="doc", error="corrupt"),
        AttachmentRecord(url="u3", filename="3.pdf", file_type="pdf", text="第三个附件"),
    ]
    repo.store_document(db, make_record(1, body="旧版"))
    current = repo.store_document(db, make_record(1, body="新版", attachments=atts))
    repo.save_findings(
        db,
        current.version_id,
        [
            finding(s, g, rule="r", end=1, quote="新", citation="c", explanation="e")
            for s, g in (("FC-9-3", "提示"), ("FC-8-3", "疑似"), ("FC-9-3", "疑似"))
        ],
    )
    (doc,) = repo.indexed_documents(db)
    assert (doc.doc_id, doc.version_id, doc.body) == (current.doc_id, current.version_id, "新版")
    assert doc.attachments_text == "第一个附件\n\n第三个附件"
    assert doc.standards == ["FC-8-3", "FC-9-3"] and doc.grade == "疑似" and doc.flagged
    assert (doc.region, doc.issuer, doc.doc_number) == ("广东", "广东省人民政府", "粤府〔2024〕1号")
    assert str(doc.published) == "2024-02-28" and str(doc.fetched_at) == "2024-03-01"


def test_selection_and_batches(make_record, db: Database) -> None:
    stored = [repo.store_document(db, make_record(n)) for n in range(1, 8)]
    assert [d.doc_id for d in repo.indexed_documents(db, batch_size=3)] == [
        s.doc_id for s in stored
    ]
    chosen = [stored[1].doc_id, stored[5].doc_id]
    assert [d.doc_id for d in repo.indexed_documents(db, doc_ids=chosen, batch_size=1)] == chosen
    repo.stage_done(db, [s.version_id for s in stored[:5]], "index")
    pending = repo.indexed_documents(db, index_status="pending", batch_size=2)
    assert [d.doc_id for d in pending] == [s.doc_id for s in stored[5:]]


def sync(db: Database, index: Fts5Index) -> int:
    """What `fairwatch index sync` does: index pending versions, record the outcome."""
    pending = repo.pending_versions(db, "index")
    docs = list(repo.indexed_documents(db, version_ids=pending))
    try:
        index.index(docs)
    except IndexUnavailable as exc:
        repo.stage_failed(db, pending, "index", str(exc))
        raise
    repo.stage_done(db, pending, "index")
    return len(docs)


def test_index_down_loses_nothing_and_sync_catches_up(
    make_record, db: Database, tmp_path: Path
) -> None:
    stored = [repo.store_document(db, make_record(n)) for n in (1, 2, 3)]
    (tmp_path / "blocked").write_text("a file where the index directory should be")
    broken = Fts5Index(tmp_path / "blocked" / "search.db")
    with pytest.raises(IndexUnavailable):
        sync(db, broken)
    broken.close()
    assert repo.stage_counts(db)["index"] == {"pending": 0, "done": 0, "failed": 3}
    assert repo.list_documents(db).total == 3  # the documents are untouched

    index = Fts5Index(tmp_path / "search.db")
    try:
        assert sync(db, index) == 3
        assert index.doc_ids() == {s.doc_id for s in stored}
        assert repo.pending_versions(db, "index") == []
        result = index.search(SearchQuery(text="本地企业"))
        assert {h.doc_id for h in result.hits} == {s.doc_id for s in stored}
    finally:
        index.close()


def test_current_versions_is_what_the_index_should_hold(make_record, db: Database) -> None:
    a = repo.store_document(db, make_record(1))
    repo.store_document(db, make_record(2))
    a2 = repo.store_document(db, make_record(1, body="新版"))
    versions = repo.current_versions(db)
    assert versions[a.doc_id] == a2.version_id and len(versions) == 2
    assert set(versions) == {d.doc_id for d in repo.indexed_documents(db)}
