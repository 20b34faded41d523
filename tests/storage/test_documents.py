"""Storing documents: new, unchanged and changed pages, versions and attachments."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storage import repository as repo
from storage.db import Database
from storage.errors import InvalidRecord
from storage.records import AttachmentRecord


def test_new_then_unchanged_then_changed(make_record, db: Database) -> None:
    run = repo.start_run(db, "gd-gov")
    first = repo.store_document(db, make_record(1), run)
    assert first.status == "new" and first.version_number == 1

    again = repo.store_document(db, make_record(1, etag='"v2"'), run)
    assert again.status == "unchanged"
    assert (again.doc_id, again.version_id) == (first.doc_id, first.version_id)
    known = repo.known_document(db, "gd-gov", make_record(1).url)
    assert known is not None and known.etag == '"v2"'  # refreshed for the next conditional GET

    changed = repo.store_document(db, make_record(1, body="修改后的正文。"), run)
    assert changed.status == "changed"
    assert changed.doc_id == first.doc_id and changed.version_id != first.version_id
    assert changed.version_number == 2

    detail = repo.show_document(db, first.doc_id)
    assert [v.number for v in detail.versions] == [1, 2]
    assert detail.latest.body == "修改后的正文。"
    assert detail.versions[0].body.startswith("第1号")


def test_known_document_carries_hash_and_headers(make_record, db: Database) -> None:
    assert repo.known_document(db, "gd-gov", "http://127.0.0.1/none.html") is None
    record = make_record(3, etag='"abc"', last_modified="Wed, 21 Oct 2015 07:28:00 GMT")
    stored = repo.store_document(db, record)
    known = repo.known_document(db, "gd-gov", record.url)
    assert known is not None
    assert known.doc_id == stored.doc_id
    assert known.content_hash == record.content_hash
    assert known.last_modified == "Wed, 21 Oct 2015 07:28:00 GMT"
    assert known.fetched_at == record.fetched_at


def test_same_url_in_two_sources_are_two_documents(make_record, db: Database) -> None:
    a = repo.store_document(db, make_record(1, source_id="a"))
    b = repo.store_document(db, make_record(1, source_id="b"))
    assert a.doc_id != b.doc_id and a.status == b.status == "new"


def test_attachments_and_failure_reasons_are_stored(make_record, db: Database) -> None:
    record = make_record(
        5,
        attachments=[
            AttachmentRecord(
                url="http://127.0.0.1/a.pdf",
                filename="a.pdf",
                file_type="PDF",
                size=10,
                sha256="0" * 64,
                text="附件正文",
            ),
            AttachmentRecord(
                url="http://127.0.0.1/b.doc",
                filename="b.doc",
                file_type="doc",
                size=3,
                error="corrupt OLE header",
            ),
        ],
    )
    stored = repo.store_document(db, record)
    version = repo.get_version(db, stored.version_id)
    assert [(a.file_type, a.status, a.text, a.error) for a in version.attachments] == [
        ("pdf", "ok", "附件正文", None),
        ("doc", "failed", None, "corrupt OLE header"),
    ]


def test_metadata_columns_and_evidence(make_record, db: Database) -> None:
    record = make_record(
        7,
        html_sha256="f" * 64,
        screenshot_png=b"\x89PNG\r\n",
        metadata={
            "doc_number": "粤府〔2023〕67号",
            "issuer": "广东省人民政府",
            "published": "2023-12-01",
            "platform": "douyin",
        },
    )
    stored = repo.store_document(db, record)
    v = repo.get_version(db, stored.version_id)
    assert (v.doc_number, v.issuer, str(v.published)) == (
        "粤府〔2023〕67号",
        "广东省人民政府",
        "2023-12-01",
    )
    assert v.html_sha256 == "f" * 64 and v.has_screenshot
    assert repo.get_screenshot(db, stored.version_id) == b"\x89PNG\r\n"
    other = repo.store_document(db, make_record(70))
    assert not repo.get_version(db, other.version_id).has_screenshot
    assert repo.get_screenshot(db, other.version_id) is None
    assert v.platform == "douyin"
    assert v.fetched_at == record.fetched_at and v.fetched_at.tzinfo is not None


def test_nul_characters_from_hostile_pages_are_dropped(make_record, db: Database) -> None:
    stored = repo.store_document(db, make_record(8, body="正文\x00含有空字符"))
    assert repo.get_version(db, stored.version_id).body == "正文含有空字符"


def test_unparsable_published_date_is_kept_only_in_metadata(make_record, db: Database) -> None:
    stored = repo.store_document(db, make_record(9, metadata={"published": "二〇二四年"}))
    v = repo.get_version(db, stored.version_id)
    assert v.published is None and v.metadata["published"] == "二〇二四年"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "poster"}, "kind"),
        ({"url": ""}, "url"),
        ({"source_id": " "}, "source_id"),
        ({"fetched_at": "2024-01-01"}, "fetched_at"),
        ({"metadata": {"published": datetime(2024, 1, 1, tzinfo=UTC)}}, "metadata"),
        (
            {"attachments": [AttachmentRecord(url="u", filename="f", file_type="pdf")]},
            "attachments[0]",
        ),
    ],
)
def test_bad_records_are_rejected_with_the_field_named(
    make_record, db: Database, overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidRecord) as err:
        repo.store_document(db, make_record(1, **overrides))
    assert err.value.field == field
    assert field in str(err.value)
    assert repo.list_documents(db).total == 0


def test_store_documents_is_one_transaction_with_a_result_per_record(
    make_record, db: Database
) -> None:
    run = repo.start_run(db, "gd-gov")
    repo.store_document(db, make_record(1), run)
    bad = make_record(3, title=None)  # not a string: refused before the transaction
    records = [make_record(1), make_record(2), bad, make_record(1, body="新")]
    results = repo.store_documents(db, [(record, None) for record in records], run)
    assert [getattr(r, "status", None) for r in results] == ["unchanged", "new", None, "changed"]
    assert isinstance(results[2], InvalidRecord) and "title" in str(results[2])
    assert results[3].version_number == 2 and results[3].doc_id == results[0].doc_id
    assert repo.known_document(db, "gd-gov", make_record(2).url) is not None
    assert repo.known_document(db, "gd-gov", bad.url) is None


def test_store_documents_stores_none_when_one_fails_in_the_database(
    make_record, db: Database
) -> None:
    # Metadata that cannot be stored as JSON fails inside the transaction: nothing commits.
    broken = make_record(2, metadata={"when": object()})
    with pytest.raises(InvalidRecord, match="metadata"):
        repo.store_documents(db, [(make_record(1), None), (broken, None)])
    assert repo.known_document(db, "gd-gov", make_record(1).url) is None
    assert repo.store_documents(db, []) == []
