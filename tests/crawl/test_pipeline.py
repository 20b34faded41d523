"""The document pipeline: store first, then analyze and index; later failures keep the document."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from analyzers.registry import get_analyzer
from fairwatch.pipeline import DocumentPipeline
from storage import repository
from storage.records import AttachmentRecord, DocumentRecord
from storage.search.base import SearchQuery
from storage.search.fts import Fts5Index
from tests.site.content import document


def record(i: int = 3) -> DocumentRecord:
    doc = document(i)
    return DocumentRecord(
        source_id="s",
        url=f"http://x.gov.cn/t2024_{i}.html",
        kind="policy",
        title=doc.title,
        body=doc.text,
        fetched_at=datetime.now(UTC),
        metadata={"doc_number": doc.doc_number},
        attachments=[
            AttachmentRecord(
                url="http://x.gov.cn/a.pdf",
                filename="a.pdf",
                file_type="pdf",
                text="第五条 外地企业须在本市注册设立具有独立法人资格的子公司，"
                "方可参与本地工程项目投标。",
            )
        ],
    )


def test_new_document_is_stored_analyzed_and_indexed(db, tmp_path: Path) -> None:
    index = Fts5Index(tmp_path / "search.db")
    result = DocumentPipeline(db, index=index, analyzer_for=get_analyzer).process(record())
    assert result.status == "new" and result.flagged and result.stage_errors == {}
    version = repository.show_document(db, result.doc_id).latest
    assert {s.stage: s.status for s in version.stages.values()} == {
        "analysis": "done",
        "index": "done",
        "media": "done",  # a policy page has no media to read
    }
    assert {f.field for f in version.findings} == {"body", "attachment:0"}
    hits = index.search(SearchQuery(text="建材"))
    assert [h.doc_id for h in hits.hits] == [result.doc_id]
    index.close()


def test_index_failure_keeps_the_document_and_marks_it_for_retry(db, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the index folder should be")
    broken = Fts5Index(blocker / "search.db")  # cannot be created: a real failure, no fake
    result = DocumentPipeline(db, index=broken, analyzer_for=get_analyzer).process(record())
    assert result.status == "new" and "index" in result.stage_errors
    version = repository.show_document(db, result.doc_id).latest
    assert version.title == document(3).title  # stored intact
    assert version.stages["analysis"].status == "done"
    assert version.stages["index"].status == "failed" and version.stages["index"].error
    assert repository.pending_versions(db, "index") == [version.id]

    working = Fts5Index(tmp_path / "search.db")
    done = DocumentPipeline(db, index=working, analyzer_for=get_analyzer).retry_pending()
    assert done == {"analysis": 0, "index": 1}
    assert repository.pending_versions(db, "index") == []
    assert working.search(SearchQuery(text="建材")).total == 1
    working.close()


def test_analyzer_failure_keeps_the_document_and_indexing_goes_on(db, tmp_path: Path) -> None:
    def no_analyzer(kind: str):
        return get_analyzer("no-such-kind")  # raises UnknownAnalyzerError

    index = Fts5Index(tmp_path / "search.db")
    result = DocumentPipeline(db, index=index, analyzer_for=no_analyzer).process(record())
    assert "analysis" in result.stage_errors and "no-such-kind" in result.stage_errors["analysis"]
    version = repository.show_document(db, result.doc_id).latest
    assert version.stages["analysis"].status == "failed"
    assert version.stages["index"].status == "done"
    retried = DocumentPipeline(db, index=index, analyzer_for=get_analyzer).retry_pending()
    assert retried["analysis"] == 1
    assert repository.show_document(db, result.doc_id).latest.findings
    index.close()


def test_unchanged_document_is_not_analyzed_again(db) -> None:
    pipeline = DocumentPipeline(db, analyzer_for=get_analyzer)
    first = pipeline.process(record())
    again = pipeline.process(record())
    assert (first.status, again.status) == ("new", "unchanged")
    assert again.doc_id == first.doc_id


def test_store_failure_raises_and_stores_nothing(db) -> None:
    bad = record()
    bad.kind = "leaflet"  # type: ignore[assignment]
    with pytest.raises(Exception, match="kind"):
        DocumentPipeline(db, analyzer_for=get_analyzer).process(bad)
    assert repository.list_documents(db).total == 0
