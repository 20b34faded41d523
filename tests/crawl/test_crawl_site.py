"""Whole crawls of the fixture site through the CLI, asserting on what was stored and the stats."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

from storage import repository
from storage.db import Database
from tests.crawl.runner import SITE_SOURCES, fairwatch
from tests.site.content import document
from tests.site.server import GBK_DOCS, HANWEB_DOCS, TRS_DOCS


def open_db(data_dir: Path) -> Database:
    return Database(data_dir / "fairwatch.db")


def last_run(db: Database, source_id: str):
    (run,) = repository.list_runs(db, source_id=source_id, limit=1)
    return run


def docs_by_title(db: Database, source_id: str) -> dict:
    page = repository.list_documents(db, source_id=source_id, limit=500)
    return {d.title: d for d in page.items}


def test_trs_crawl_stores_metadata_attachments_and_recrawl_skips(site, tmp_path: Path) -> None:
    done = fairwatch("crawl", "fixture-trs", data_dir=tmp_path, site_url=site.url)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "12 new" in done.stdout
    db = open_db(tmp_path)
    stored = docs_by_title(db, "fixture-trs")
    assert len(stored) == len(TRS_DOCS) == 12
    first = stored[document(4).title]
    assert first.doc_number == document(4).doc_number
    assert first.published.isoformat() == document(4).published
    detail = repository.show_document(db, first.id).latest
    assert "本办法" in detail.body or "各区县人民政府" in detail.body
    assert "版权所有" not in detail.body  # footer dropped
    kinds = {a.file_type: a for a in detail.attachments}
    assert set(kinds) == {"doc", "pdf"}
    assert all(a.text and not a.error for a in kinds.values())
    run = last_run(db, "fixture-trs")
    assert run.status == "succeeded"
    assert run.counts["fairwatch/items_new"] == 12
    assert (
        run.counts["fairwatch/list_pages_fetched"] == 3
    )  # index.html + index_1 + index_2 via createPageHTML
    assert run.counts["fairwatch/attachments/ok/pdf"] == 2
    assert run.counts["fairwatch/items_flagged"] >= 3

    again = fairwatch("crawl", "fixture-trs", data_dir=tmp_path, site_url=site.url)
    assert again.returncode == 0, again.stderr[-3000:]
    run = last_run(db, "fixture-trs")
    assert run.counts.get("fairwatch/items_new", 0) == 0
    assert run.counts["fairwatch/pages_skipped/not_modified"] == 12
    assert run.counts["fairwatch/list_pages_fetched"] == 3
    assert "12 skipped (12 unchanged)" in again.stdout
    assert repository.list_documents(db, source_id="fixture-trs").total == 12


def test_hostile_pages_are_bounded_and_the_crawl_goes_on(site, tmp_path: Path) -> None:
    done = fairwatch("crawl", "fixture-hostile", data_dir=tmp_path, site_url=site.url)
    assert done.returncode == 0, done.stderr[-3000:]
    db = open_db(tmp_path)
    run = last_run(db, "fixture-hostile")
    counts = run.counts
    assert run.status == "partial"
    # 50 MB page: cancelled at the size cap, skipped with its reason, nothing stored for it.
    assert counts["fairwatch/pages_skipped/too_large"] == 1
    assert "larger than download max size" in done.stderr
    assert counts["fairwatch/pages_skipped/http_500"] == 1
    assert counts["fairwatch/pages_skipped/robots"] == 1
    assert counts["retry/count"] >= 2  # the 500 page was retried before giving up
    # slow, broken HTML, corrupt attachment and changing pages were stored regardless.
    stored = docs_by_title(db, "fixture-hostile")
    assert {document(i).title for i in (401, 402, 403)} <= set(stored)
    assert len(stored) == 4
    assert not any("huge" in d.url or "private" in d.url for d in stored.values())
    corrupt = repository.show_document(db, stored[document(403).title].id).latest
    (attachment,) = corrupt.attachments
    assert attachment.file_type == "pdf" and attachment.text is None
    assert "corrupt" in attachment.error or "unreadable" in attachment.error
    assert counts["fairwatch/attachments/failed/pdf"] == 1
    assert {"kind": "attachments/failed/pdf", "count": 1} in run.errors
    broken = repository.show_document(db, stored[document(402).title].id).latest
    assert document(402).paragraphs[1][:20] in broken.body

    # The changing page gets a new version after it changed; the rest answer 304.
    site.bump()
    again = fairwatch("crawl", "fixture-hostile", data_dir=tmp_path, site_url=site.url)
    assert again.returncode == 0, again.stderr[-3000:]
    run = last_run(db, "fixture-hostile")
    assert run.counts["fairwatch/items_changed"] == 1
    assert run.counts["fairwatch/pages_skipped/not_modified"] == 3
    changing = [
        d for d in docs_by_title(db, "fixture-hostile").values() if d.url.endswith("changing.html")
    ]
    assert changing[0].versions == 2
    detail = repository.show_document(db, changing[0].id)
    assert "当前为第1版" in detail.latest.body and "当前为第0版" in detail.versions[0].body


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_site_fails_the_run_with_its_reason(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    port = _closed_port()
    (sources / "gone.yaml").write_text(
        "id: gone\nname: 关闭的站点\nissuer: 某市\nregion: 某市\n"
        f"start_urls: ['http://127.0.0.1:{port}/index.html']\n"
        "politeness: {concurrency: 1, delay: 0}\n",
        encoding="utf-8",
    )
    done = fairwatch("crawl", "gone", data_dir=tmp_path, sources_dir=sources)
    assert done.returncode == 1, done.stderr[-3000:]
    assert "crawl of gone failed" in done.stderr
    assert "unreachable" in done.stderr
    run = last_run(open_db(tmp_path), "gone")
    assert run.status == "failed"
    assert "unreachable" in run.reason and f"127.0.0.1:{port}" in run.reason
    assert run.finished_at is not None


def test_malformed_source_file_does_not_stop_the_others(site, tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(SITE_SOURCES / "fixture-gbk.yaml", sources)
    (sources / "broken.yaml").write_text(
        "id: broken\nname: 坏文件\nissuer: 某市\nregion: 某市\nstart_urls: ['{site}/x']\n"
        "politeness:\n  concurrency: many\n",
        encoding="utf-8",
    )
    check = fairwatch("config", "check", data_dir=tmp_path, sources_dir=sources)
    assert check.returncode == 2
    assert f"{sources / 'broken.yaml'}:7: politeness.concurrency:" in check.stderr
    assert "'many'" in check.stderr
    assert "ok   fixture-gbk.yaml" in check.stdout

    good = fairwatch(
        "crawl", "fixture-gbk", data_dir=tmp_path, site_url=site.url, sources_dir=sources
    )
    assert good.returncode == 0, good.stderr[-3000:]
    titles = set(docs_by_title(open_db(tmp_path), "fixture-gbk"))
    # GBK pages, and the one whose declared charset lies, decode to the right titles.
    assert titles == {document(i).title for i in GBK_DOCS}

    bad = fairwatch("crawl", "broken", data_dir=tmp_path, site_url=site.url, sources_dir=sources)
    assert bad.returncode == 2
    assert "broken.yaml" in bad.stderr and "config check" in bad.stderr


def test_limit_stops_after_n_detail_pages(site, tmp_path: Path) -> None:
    done = fairwatch(
        "crawl", "fixture-hanweb", "--limit", "3", data_dir=tmp_path, site_url=site.url
    )
    assert done.returncode == 0, done.stderr[-3000:]
    run = last_run(open_db(tmp_path), "fixture-hanweb")
    assert run.counts["fairwatch/items_new"] == 3
    assert run.counts["fairwatch/list_pages_fetched"] == 1  # the limit stops paging too


def test_each_list_style_reaches_every_document(site, tmp_path: Path) -> None:
    # One process, four sources in turn (one reactor): each gets its own run.
    expected = {
        "fixture-hanweb": len(HANWEB_DOCS),  # 下一页 links
        "fixture-template": len(TRS_DOCS),  # index_{n}.html template, LinkRule
        "fixture-json": 8,  # JSON list endpoint
        "fixture-real": 3,  # real saved TRS and Hanweb pages
    }
    done = fairwatch("crawl", *expected, data_dir=tmp_path, site_url=site.url)
    assert done.returncode == 0, done.stderr[-3000:]
    db = open_db(tmp_path)
    for source_id, count in expected.items():
        run = last_run(db, source_id)
        assert run.status == "succeeded", (source_id, run.reason)
        assert run.counts["fairwatch/items_new"] == count, source_id
    assert len({last_run(db, s).id for s in expected}) == 4

    stored = {
        d.url.rsplit("/", 1)[1]: d
        for d in repository.list_documents(db, source_id="fixture-real").items
    }
    trs = stored["gov_detail_trs_shanxi.html"]
    assert trs.title == "山西品牌丝路行（南美站）正式启动"
    assert trs.published.isoformat() == "2019-09-18"
    hanweb = stored["gov_detail_hanweb_zj_fgw.html"]
    assert hanweb.title == "1-10月德清县固定资产投资结构趋稳趋优"
    assert hanweb.published.isoformat() == "2016-11-22"
