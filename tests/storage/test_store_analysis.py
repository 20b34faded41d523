"""store_document with the analysis folded into its transaction: findings commit with the
document, and an analysis that fails (raises, bad findings, findings the database refuses)
never costs the document itself."""

from __future__ import annotations

import pytest

from storage import repository as repo
from storage.db import Database
from storage.records import FindingRecord
from tests.storage.factories import finding


def test_findings_commit_with_the_new_version(make_record, db: Database) -> None:
    stored = repo.store_document(
        db, make_record(1), analysis=lambda: [finding(), finding("FC-8-3", start=8)]
    )
    assert (stored.status, stored.analysis, stored.analysis_error) == ("new", "done", None)
    version = repo.get_version(db, stored.version_id)
    assert sorted(f.standard for f in version.findings) == ["FC-8-3", "FC-9-3"]
    stages = repo.get_stages(db, stored.version_id)
    assert (stages["analysis"].status, stages["analysis"].attempts) == ("done", 1)
    assert (stages["index"].status, stages["index"].attempts) == ("pending", 0)
    assert repo.pending_versions(db, "analysis") == []


def test_analysis_runs_only_for_new_or_changed_content(make_record, db: Database) -> None:
    calls: list[int] = []

    def analysis() -> list[FindingRecord]:
        calls.append(1)
        return [finding()]

    repo.store_document(db, make_record(1), analysis=analysis)
    again = repo.store_document(db, make_record(1), analysis=analysis)
    assert (again.status, again.analysis) == ("unchanged", None)
    changed = repo.store_document(db, make_record(1, body="新的正文"), analysis=analysis)
    assert (changed.status, changed.analysis, changed.version_number) == ("changed", "done", 2)
    assert len(calls) == 2
    assert len(repo.get_version(db, changed.version_id).findings) == 1


def test_without_analysis_the_stage_stays_pending(make_record, db: Database) -> None:
    stored = repo.store_document(db, make_record(1))
    assert stored.analysis is None
    assert repo.pending_versions(db, "analysis") == [stored.version_id]


def _raises() -> list[FindingRecord]:
    raise RuntimeError("rule pack broken")


@pytest.mark.parametrize(
    ("analysis", "error"),
    [
        (_raises, "RuntimeError: rule pack broken"),
        (lambda: [finding(grade="maybe")], "InvalidRecord"),
        # Accepted by the checks, refused by the database (integer column out of range):
        # the savepoint drops the findings, not the document.
        (lambda: [finding(start=2**70, end=2**70 + 1)], ""),
    ],
    ids=["analyzer-raises", "invalid-finding", "database-refuses"],
)
def test_failed_analysis_keeps_the_document(make_record, db: Database, analysis, error) -> None:
    stored = repo.store_document(db, make_record(1), analysis=analysis)
    assert stored.status == "new" and stored.analysis == "failed"
    assert stored.analysis_error and stored.analysis_error.startswith(error)
    version = repo.get_version(db, stored.version_id)
    assert version.body.startswith("第1号") and version.findings == []
    stages = repo.get_stages(db, stored.version_id)
    assert stages["analysis"].status == "failed"
    assert stages["analysis"].error == stored.analysis_error
    assert stages["analysis"].attempts == 1
    # Retried later like any failed stage, and the next document is unaffected.
    assert repo.pending_versions(db, "analysis") == [stored.version_id]
    ok = repo.store_document(db, make_record(2), analysis=lambda: [finding()])
    assert ok.analysis == "done"
    repo.save_findings(db, stored.version_id, [finding()])
    assert repo.get_stages(db, stored.version_id)["analysis"].status == "done"
