"""Whole archive, then increments (全时域), and the life of documents after they were stored.

A source's first run fetches every list page (backfill); later runs stop at the first
list page with nothing new. `fairwatch sources backfill` asks for the whole archive again:
that run records documents revised, repealed (本文件已废止) or removed from the site (no
longer listed, and a 404 when asked), with the date seen, and marks their findings.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from storage import repository
from storage.repository.crawl_state import backfill_state
from storage.repository.lifecycle import document_events, document_state
from tests.crawl.runner import fairwatch
from tests.service.conftest import live_source, open_db, runs_of
from tests.service.site import ChangingSite

REPEAL, REMOVE, REVISE = 1, 4, 7  # each carries a planted breach, so each has findings


def findings_by_version(db, doc_id: int) -> dict[int, list[str | None]]:
    """version number -> the obsolete mark of each of its findings."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT v.number, f.obsolete FROM findings f JOIN document_versions v "
                "ON v.id = f.version_id WHERE v.document_id = :d ORDER BY v.number, f.id"
            ),
            {"d": doc_id},
        ).all()
    out: dict[int, list[str | None]] = {}
    for number, obsolete in rows:
        out.setdefault(number, []).append(obsolete)
    return out


def test_backfill_then_increments_and_documents_revised_repealed_removed(
    tmp_path: Path, sources_dir: Path, data_dir: Path
) -> None:
    live_source(sources_dir, "archive", '"0 3 * * *"')
    with ChangingSite(sections=("archive",)) as site:
        section = site.live("archive")
        section.published = 12  # three list pages of five

        def crawl(*args: str):
            done = fairwatch(
                "crawl",
                "live-archive",
                *args,
                data_dir=data_dir,
                site_url=site.url,
                sources_dir=sources_dir,
            )
            assert done.returncode == 0, done.stderr[-3000:]
            return done

        crawl("--mode", "auto")
        db = open_db(data_dir)
        first = runs_of(db, "live-archive")[-1]
        assert first.mode == "backfill" and first.items_new == 12
        assert first.counts["fairwatch/list_pages_fetched"] == 3
        assert backfill_state(db, "live-archive").backfill == "done"

        section.published = 14  # two new documents, on the first list page
        crawl("--mode", "auto")
        second = runs_of(db, "live-archive")[-1]
        assert second.mode == "incremental" and second.items_new == 2
        assert second.counts["fairwatch/list_pages_fetched"] == 2  # stopped at nothing new
        assert second.counts["fairwatch/incremental_stop"] == 1

        urls = {n: f"{site.url}/live/archive/art/{n}.html" for n in (REPEAL, REMOVE, REVISE)}
        docs = {n: repository.known_document(db, "live-archive", u).doc_id for n, u in urls.items()}
        assert all(findings_by_version(db, d)[1] for d in docs.values())  # flagged at first

        section.repealed.add(REPEAL)
        section.removed.add(REMOVE)
        section.revised.add(REVISE)
        asked = fairwatch(
            "sources",
            "backfill",
            "live-archive",
            data_dir=data_dir,
            site_url=site.url,
            sources_dir=sources_dir,
        )
        assert asked.returncode == 0 and "backfill requested" in asked.stdout
        assert backfill_state(db, "live-archive").backfill == "pending"
        crawl("--mode", "auto")
        third = runs_of(db, "live-archive")[-1]
        assert third.mode == "backfill" and third.counts["fairwatch/list_pages_fetched"] == 3
        assert third.counts["fairwatch/recheck_scheduled"] == 1
        assert third.counts["fairwatch/documents/removed"] == 1
        assert third.counts["fairwatch/documents/repealed"] == 1
        assert third.counts["fairwatch/documents/revised"] == 2  # the repealed one changed too

        state, seen = document_state(db, docs[REPEAL])
        assert state == "repealed" and seen is not None
        (revised, repealed) = document_events(db, docs[REPEAL])
        assert (revised.kind, repealed.kind) == ("revised", "repealed")
        assert "本文件已废止" in repealed.detail and repealed.run_id == third.id
        marks = findings_by_version(db, docs[REPEAL])
        assert set(marks[1]) == {"revised"} and set(marks[2]) == {"repealed"}

        shown = repository.show_document(db, docs[REPEAL])
        assert shown.state == "repealed" and shown.latest.findings[0].obsolete == "repealed"
        show = fairwatch(
            "documents",
            "show",
            str(docs[REPEAL]),
            data_dir=data_dir,
            site_url=site.url,
            sources_dir=sources_dir,
        )
        assert "state      repealed (seen " in show.stdout and "[obsolete: repealed]" in show.stdout

        assert document_state(db, docs[REMOVE])[0] == "removed"
        (removed,) = document_events(db, docs[REMOVE])
        assert removed.kind == "removed" and "http_404" in removed.detail
        assert set(findings_by_version(db, docs[REMOVE])[1]) == {"removed"}

        assert document_state(db, docs[REVISE])[0] == "current"
        assert [e.kind for e in document_events(db, docs[REVISE])] == ["revised"]
        marks = findings_by_version(db, docs[REVISE])
        assert set(marks[1]) == {"revised"} and set(marks[2]) == {None}  # the new text stands

        # Nothing else changed state, and nothing was stored twice.
        page = repository.list_documents(db, source_id="live-archive", limit=100)
        assert len(page.items) == 14
        db.close()
