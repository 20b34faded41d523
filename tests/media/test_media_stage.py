"""The media stage after a crawl has stored ad documents: OCR and video text stored as
media parts with their lines, findings with image box or time range, corrupt and truncated
files recorded with their reasons while everything else is read; bounded workers,
progress lines and the per-document time limit."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from analyzers.registry import get_analyzer
from fairwatch.media_stage import MediaStage
from fairwatch.pipeline import DocumentPipeline
from media import get_engine
from storage import repository
from storage.records import DocumentRecord, MediaRecord
from tests.media.render import illegal_claims, make_video, render


def _claim(word: str) -> str:
    return next(c["text"] for c in illegal_claims() if word in c["text"])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    """A real HTTP server for the images the crawler saw but did not download."""
    root = tmp_path_factory.mktemp("www")
    (root / "poster.png").write_bytes(render(_claim("最安全"), size=32, condition="photo").png)
    (root / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"garbage" * 20)
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 partial(QuietHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", root
    server.shutdown()
    server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def _record(n: int, media: list[MediaRecord], *, screenshot: bytes | None = None,
            body: str = "欢迎光临本店") -> DocumentRecord:
    return DocumentRecord(source_id="ad_test", url=f"https://shop.example/item/{n}", kind="ad",
                          title=f"商品 {n}", body=body, fetched_at=datetime.now(UTC),
                          metadata={"platform": "ecommerce"}, screenshot_png=screenshot,
                          media=media)


def test_crawl_then_media_stage_with_bad_files(db, served, tmp_path: Path, caplog) -> None:
    base, _ = served
    video = make_video(tmp_path / "ad.mp4", [_claim("溶石清石")], seconds_each=2.0,
                       captions=[(0.3, 1.7, "这款茶可治疗多种疾病")])
    data = video.read_bytes()
    shot = render(_claim("年入百万"), size=30).png
    pipeline = DocumentPipeline(db, analyzer_for=get_analyzer)
    records = [
        _record(1, [MediaRecord(url=f"{base}/poster.png", media_type="image")], screenshot=shot),
        _record(2, [MediaRecord(url=f"{base}/broken.jpg", media_type="image"),
                    MediaRecord(url="https://cdn.example/cut.mp4", media_type="video",
                                data=data[: len(data) // 3]),
                    MediaRecord(url=f"{base}/missing.png", media_type="image")]),
        _record(3, [MediaRecord(url="https://cdn.example/ad.mp4", media_type="video",
                                data=data)]),
        _record(4, []),  # nothing to read: its media stage is done at once
    ]
    ids = [pipeline.process(r).doc_id for r in records]
    assert all(ids)
    pending = repository.pending_versions(db, "media")
    assert len(pending) == 3

    stage = MediaStage(db, analyzer_for=get_analyzer, engine=get_engine("rapidocr"), workers=2,
                       time_limit=120, progress_interval=0.001)
    with caplog.at_level(logging.INFO, logger="fairwatch.media_stage"):
        stats = stage.run()
    assert repository.pending_versions(db, "media") == []
    assert stats.documents == 3 and stats.failed_documents == 0
    assert stats.parts_read == 3 and stats.parts_failed == 3
    assert stats.reasons == {"corrupt": 2, "fetch": 1}
    assert any("documents," in m and "docs/s" in m for m in caplog.messages)

    v1, v2, v3 = pending
    parts1 = repository.media_parts(db, v1)
    assert [(p.url, p.status) for p in parts1] == [("screenshot", "done"),
                                                   (f"{base}/poster.png", "done")]
    assert parts1[1].lines and parts1[1].lines[0]["box"] and parts1[1].sha256

    failed = {p.url: (p.status, p.reason, p.error) for p in repository.media_parts(db, v2)}
    assert failed[f"{base}/broken.jpg"][:2] == ("failed", "corrupt")
    assert failed["https://cdn.example/cut.mp4"][:2] == ("failed", "corrupt")
    assert "cut.mp4" in failed["https://cdn.example/cut.mp4"][2]
    assert failed[f"{base}/missing.png"][:2] == ("failed", "fetch")
    assert "404" in failed[f"{base}/missing.png"][2]

    found = repository.show_document(db, ids[0]).latest.findings
    media_findings = [f for f in found if f.field.startswith("media:")]
    assert any("最安全" in f.quote for f in media_findings)
    assert any("百万" in f.quote and f.field == "media:0" for f in media_findings)  # screenshot
    on_poster = [f for f in media_findings if f.field == "media:1"]
    assert on_poster and all(loc["media"] == f"{base}/poster.png" and len(loc["box"]) == 4
                             for f in on_poster for loc in f.location)
    timed = [loc for f in repository.show_document(db, ids[2]).latest.findings
             for loc in f.location or []]
    assert any(loc["origin"] == "caption" and (loc["start"], loc["end"]) == (0.3, 1.7)
               for loc in timed)
    assert any(loc["origin"] == "ocr" and loc["start"] == 0.0 and loc.get("box")
               for loc in timed)
    # Body findings are untouched by the media stage; the index must see the new findings,
    # and the words read off the poster are searchable.
    assert repository.get_stages(db, v1)["index"].status == "pending"
    (indexed,) = repository.indexed_documents(db, version_ids=[v1])
    assert "最安全快捷长久" in indexed.attachments_text

    # Read again (a retry): nothing pending, nothing duplicated.
    assert stage.run().documents == 0


def test_time_limit_cuts_a_document_off(db, tmp_path: Path) -> None:
    video = make_video(tmp_path / "long.mp4", [_claim("溶石清石"), _claim("年入百万")],
                       seconds_each=2.0)
    pipeline = DocumentPipeline(db, analyzer_for=get_analyzer)
    pipeline.process(_record(9, [MediaRecord(url="v.mp4", media_type="video",
                                             data=video.read_bytes()),
                                 MediaRecord(url="v2.mp4", media_type="video",
                                             data=video.read_bytes())]))
    (vid,) = repository.pending_versions(db, "media")
    stage = MediaStage(db, analyzer_for=get_analyzer, engine=get_engine("rapidocr"),
                       time_limit=0.05)
    stats = stage.run()
    assert stats.documents == 1 and stats.reasons.get("timeout") == 2
    parts = repository.media_parts(db, vid)
    assert [p.reason for p in parts] == ["timeout", "timeout"]
    assert repository.get_stages(db, vid)["media"].status == "done"


def test_oversized_file_is_recorded_and_settings_choose_the_engine(db, monkeypatch) -> None:
    from fairwatch.settings import Settings

    monkeypatch.setenv("FAIRWATCH_MEDIA_ENGINE", "tesseract")
    monkeypatch.setenv("FAIRWATCH_MEDIA_MAX_MB", "0.001")
    stage = MediaStage.from_settings(db, Settings(), analyzer_for=get_analyzer)
    assert stage.engine.name == "tesseract" and stage.max_bytes == 1048
    png = render("全网最低价", size=60).png
    assert len(png) > stage.max_bytes
    DocumentPipeline(db, analyzer_for=get_analyzer).process(
        _record(5, [MediaRecord(url="big.png", media_type="image", data=png)]))
    (vid,) = repository.pending_versions(db, "media")
    stats = stage.run()
    assert stats.reasons == {"oversized": 1}
    (part,) = repository.media_parts(db, vid)
    assert part.reason == "oversized" and "big.png" in part.error


def test_unknown_engine_is_a_settings_error(monkeypatch) -> None:
    from pydantic import ValidationError

    from fairwatch.settings import Settings

    monkeypatch.setenv("FAIRWATCH_MEDIA_ENGINE", "paddle")
    with pytest.raises(ValidationError, match="media_engine"):
        Settings()
