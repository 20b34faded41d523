"""Findings from the analyzers and reviewers' decisions."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from storage import repository as repo
from storage.db import Database
from storage.errors import FindingNotFound, InvalidRecord, VersionNotFound
from tests.storage.factories import finding


@dataclass
class AnalyzerFinding:
    """Shaped like analyzers.findings.Finding: no `field` attribute."""

    standard: str
    rule: str
    grade: str
    start: int
    end: int
    quote: str
    citation: str
    explanation: str
    exception: str | None
    sector: str | None


def test_findings_are_stored_with_every_field(make_record, db: Database) -> None:
    stored = repo.store_document(db, make_record(1))
    ids = repo.save_findings(
        db,
        stored.version_id,
        [
            finding(exception="FC-12 (二) 节能环保", field="title"),
            AnalyzerFinding(
                "AD-17",
                "medical",
                "提示",
                3,
                5,
                "消炎",
                "广告法 第十七条",
                "医疗用语",
                None,
                "cosmetics",
            ),
        ],
    )
    assert len(ids) == 2
    first, second = repo.get_version(db, stored.version_id).findings
    assert (first.standard, first.field, first.exception, first.citation) == (
        "FC-9-3",
        "title",
        "FC-12 (二) 节能环保",
        "公平竞争审查条例 第九条（三）",
    )
    assert (second.standard, second.field, second.sector, second.start, second.end) == (
        "AD-17",
        "body",
        "cosmetics",
        3,
        5,
    )
    stages = repo.get_stages(db, stored.version_id)
    assert stages["analysis"].status == "done" and stages["analysis"].attempts == 1


def test_reanalysis_keeps_reviewed_findings(make_record, db: Database) -> None:
    stored = repo.store_document(db, make_record(1))
    reviewed_id, dropped_id = repo.save_findings(
        db, stored.version_id, [finding("FC-9-3"), finding("FC-8-3", start=10)]
    )
    repo.add_review(db, reviewed_id, "confirmed", "张审查", "确属限定本地企业")
    ids = repo.save_findings(
        db, stored.version_id, [finding("FC-9-3"), finding("FC-9-2", start=20)]
    )
    assert ids[0] == reviewed_id and dropped_id not in ids
    findings = repo.get_version(db, stored.version_id).findings
    assert sorted(f.standard for f in findings) == ["FC-9-2", "FC-9-3"]
    kept = next(f for f in findings if f.id == reviewed_id)
    assert kept.review_status == "confirmed" and kept.reviews[0].reviewer == "张审查"


def test_review_puts_the_version_back_in_the_index_queue(make_record, db: Database) -> None:
    stored = repo.store_document(db, make_record(1))
    (fid,) = repo.save_findings(db, stored.version_id, [finding()])
    repo.stage_done(db, stored.version_id, "index")
    repo.add_review(db, fid, "false_alarm", "李四")
    repo.add_review(db, fid, "rectified", "王五", "已修改")
    assert repo.pending_versions(db, "index") == [stored.version_id]
    (doc,) = repo.indexed_documents(db)
    assert doc.review_status == "rectified"
    statuses = [r.status for r in repo.get_version(db, stored.version_id).findings[0].reviews]
    assert statuses == ["false_alarm", "rectified"]


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (finding(grade="严重"), "findings[1].grade"),
        (finding(start=5, end=2), "findings[1].start"),
        (finding(standard=""), "findings[1].standard"),
    ],
)
def test_bad_findings_name_their_position(make_record, db: Database, bad, field: str) -> None:
    stored = repo.store_document(db, make_record(1))
    with pytest.raises(InvalidRecord) as err:
        repo.save_findings(db, stored.version_id, [finding(), bad])
    assert err.value.field == field
    assert repo.get_version(db, stored.version_id).findings == []


def test_unknown_targets(db: Database) -> None:
    with pytest.raises(VersionNotFound):
        repo.save_findings(db, 999, [finding()])
    with pytest.raises(FindingNotFound):
        repo.add_review(db, 999, "confirmed", "张三")


def test_bad_review_status(make_record, db: Database) -> None:
    stored = repo.store_document(db, make_record(1))
    (fid,) = repo.save_findings(db, stored.version_id, [finding()])
    with pytest.raises(InvalidRecord, match="confirmed, false_alarm, rectified"):
        repo.add_review(db, fid, "approved", "张三")
