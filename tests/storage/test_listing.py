"""Listing and showing documents (what `fairwatch documents list|show` prints)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from storage import repository as repo
from storage.db import Database
from storage.errors import DocumentNotFound, InvalidRecord
from storage.records import AttachmentRecord
from tests.storage.factories import finding


def flag(db: Database, version_id: int, standard: str, grade: str) -> None:
    values = {"rule": "r", "end": 2, "quote": "本地", "citation": "c", "explanation": "e"}
    repo.save_findings(db, version_id, [finding(standard, grade, **values)])


@pytest.fixture
def stored(make_record, db: Database) -> dict[str, int]:
    """Four documents: two policies of gd-gov, one of sz-gov, one ad on douyin."""
    docs = {
        "gd1": make_record(1, metadata={"published": "2024-01-10"}),
        "gd2": make_record(2, metadata={"published": "2024-03-01"}),
        "sz": make_record(3, source_id="sz-gov", metadata={}),
        "ad": make_record(4, source_id="ads", kind="ad", metadata={"platform": "douyin"}),
    }
    out = {}
    for n, (name, record) in enumerate(docs.items()):
        record.fetched_at = datetime(2024, 4, 1 + n, tzinfo=UTC)
        out[name] = repo.store_document(db, record).doc_id
    versions = {name: repo.show_document(db, doc_id).latest.id for name, doc_id in out.items()}
    flag(db, versions["gd1"], "FC-9-3", "明显违反")
    flag(db, versions["ad"], "AD-9-3", "提示")
    return out


def listed(page: repo.DocumentPage) -> list[int]:
    return [item.id for item in page.items]


def test_default_order_is_newest_fetch_first(db: Database, stored: dict[str, int]) -> None:
    page = repo.list_documents(db)
    assert page.total == 4
    assert listed(page) == [stored["ad"], stored["sz"], stored["gd2"], stored["gd1"]]


@pytest.mark.parametrize(
    ("filters", "names"),
    [
        ({"source_id": "gd-gov"}, ["gd2", "gd1"]),
        ({"kind": "ad"}, ["ad"]),
        ({"platform": "douyin"}, ["ad"]),
        ({"flagged": True}, ["gd1"]),
        ({"flagged": False}, ["ad", "sz", "gd2"]),
        ({"standard": "AD-9-3"}, ["ad"]),
        ({"published_from": date(2024, 2, 1)}, ["gd2"]),
        ({"published_to": date(2024, 2, 1), "source_id": "gd-gov"}, ["gd1"]),
    ],
)
def test_filters(db: Database, stored: dict[str, int], filters: dict, names: list[str]) -> None:
    page = repo.list_documents(db, **filters)
    assert listed(page) == [stored[n] for n in names] and page.total == len(names)


def test_summary_fields(db: Database, stored: dict[str, int]) -> None:
    (item,) = repo.list_documents(db, flagged=True).items
    assert (item.grade, item.findings, item.versions, item.flagged) == ("明显违反", 1, 1, True)
    assert item.doc_number is None and item.published == date(2024, 1, 10)
    (ad,) = repo.list_documents(db, kind="ad").items
    assert (ad.grade, ad.flagged, ad.platform) == ("提示", False, "douyin")


def test_paging_and_orders(db: Database, stored: dict[str, int]) -> None:
    first = repo.list_documents(db, order="id", limit=3)
    second = repo.list_documents(db, order="id", limit=3, offset=3)
    assert first.total == second.total == 4
    assert listed(first) + listed(second) == sorted(stored.values())
    by_date = repo.list_documents(db, order="-published")
    assert listed(by_date)[:2] == [stored["gd2"], stored["gd1"]]  # undated last


def test_bad_arguments(db: Database) -> None:
    with pytest.raises(InvalidRecord, match="order"):
        repo.list_documents(db, order="title")
    with pytest.raises(InvalidRecord, match="limit"):
        repo.list_documents(db, limit=0)


def test_show_document_with_versions_attachments_and_findings(make_record, db: Database) -> None:
    att = AttachmentRecord(
        url="http://127.0.0.1/a.docx",
        filename="a.docx",
        file_type="docx",
        size=2048,
        text="附件内容",
    )
    first = repo.store_document(db, make_record(1, attachments=[att]))
    second = repo.store_document(db, make_record(1, body="第二版", attachments=[att]))
    flag(db, second.version_id, "FC-9-3", "疑似")
    detail = repo.show_document(db, first.doc_id)
    assert (detail.source_id, detail.kind, detail.url) == ("gd-gov", "policy", make_record(1).url)
    assert [v.number for v in detail.versions] == [1, 2]
    assert detail.latest.id == second.version_id
    assert [a.filename for v in detail.versions for a in v.attachments] == ["a.docx", "a.docx"]
    assert [f.standard for f in detail.latest.findings] == ["FC-9-3"]
    assert detail.versions[0].findings == []
    assert detail.latest.stages["analysis"].status == "done"


def test_show_unknown_document(db: Database) -> None:
    with pytest.raises(DocumentNotFound, match="document 41 does not exist"):
        repo.show_document(db, 41)
