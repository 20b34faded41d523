"""Each unit of work is one transaction: a failure halfway leaves earlier rows intact and
stores nothing of the failed work."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage import repository as repo
from storage.db import Database
from storage.errors import IntegrityViolation
from storage.models import Attachment, Document, DocumentVersion, Finding, Source, StageState
from storage.records import AttachmentRecord, FindingRecord

TABLES = (Source, Document, DocumentVersion, Attachment, Finding, StageState)


def row_counts(db: Database) -> dict[str, int]:
    with db.session() as session:
        return {
            t.__tablename__: session.scalar(select(func.count()).select_from(t)) for t in TABLES
        }


def bad_attachment() -> AttachmentRecord:
    # Passes the record checks but violates the CHECK constraint on attachments.size, so the
    # failure happens in the database after the document and version rows were written.
    return AttachmentRecord(
        url="http://127.0.0.1/x.pdf", filename="x.pdf", file_type="pdf", size=-1, text="x"
    )


def test_failed_new_document_stores_nothing(make_record, db: Database) -> None:
    kept = repo.store_document(db, make_record(1))
    before = row_counts(db)
    good = AttachmentRecord(
        url="http://127.0.0.1/ok.pdf", filename="ok.pdf", file_type="pdf", text="正文"
    )
    with pytest.raises(IntegrityViolation) as err:
        repo.store_document(
            db, make_record(2, source_id="new-source", attachments=[good, bad_attachment()])
        )
    assert "ck_attachments_size" in (err.value.constraint or "")
    assert "http://127.0.0.1/policy/2.html" in str(err.value)  # the context names the document
    assert row_counts(db) == before  # not even the new source row
    assert repo.known_document(db, "new-source", make_record(2).url) is None
    assert repo.show_document(db, kept.doc_id).latest.body == make_record(1).body


def test_failed_new_version_leaves_the_current_one(make_record, db: Database) -> None:
    first = repo.store_document(db, make_record(1))
    before = row_counts(db)
    seen_before = repo.show_document(db, first.doc_id).last_seen_at
    with pytest.raises(IntegrityViolation):
        repo.store_document(db, make_record(1, body="改过的正文", attachments=[bad_attachment()]))
    assert row_counts(db) == before
    detail = repo.show_document(db, first.doc_id)
    assert [v.id for v in detail.versions] == [first.version_id]
    assert detail.last_seen_at == seen_before
    # The same page stored again afterwards works: the failure left nothing half-done.
    assert repo.store_document(db, make_record(1, body="改过的正文")).status == "changed"


def test_exception_inside_a_session_rolls_everything_back(make_record, db: Database) -> None:
    repo.store_document(db, make_record(1))
    before = row_counts(db)
    with pytest.raises(RuntimeError, match="crash"), db.session() as session:
        session.add(Source(id="half-done", name="half"))
        session.flush()
        raise RuntimeError("crash between two writes")
    assert row_counts(db) == before


def test_failed_findings_keep_the_earlier_analysis(make_record, db: Database) -> None:
    stored = repo.store_document(db, make_record(1))
    good = FindingRecord(
        standard="FC-9-3",
        rule="local-first",
        grade="疑似",
        start=0,
        end=4,
        quote="本地企业",
        citation="条例第九条",
        explanation="本地优先",
    )
    repo.save_findings(db, stored.version_id, [good])
    before = row_counts(db)
    broken = FindingRecord(
        standard="FC-8-3",
        rule="designated",
        grade="疑似",
        start=0,
        end=2,
        quote=None,
        citation="c",
        explanation="e",
    )  # type: ignore[arg-type]
    with pytest.raises(IntegrityViolation):
        repo.save_findings(db, stored.version_id, [good, broken])
    assert row_counts(db) == before
    version = repo.get_version(db, stored.version_id)
    assert [f.standard for f in version.findings] == ["FC-9-3"]
    assert version.stages["index"].status == "pending"
