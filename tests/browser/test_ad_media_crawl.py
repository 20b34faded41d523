"""`fairwatch crawl` on an ad page whose claims sit in a poster image and a video with a
caption track, beside a corrupt image and a truncated video: the crawl finishes, the bad
files are recorded with their reasons, the claims are flagged with image box and time
range."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from storage import repository
from storage.db import Database
from tests.media.render import illegal_claims, make_video, render, to_vtt

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]

PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>好物分享</title>
</head><body><div class="note"><h1 class="note-title">好物分享</h1>
<div class="note-content"><p>姐妹们看图！</p>
<img src="poster.png"><img src="broken.jpg">
<video src="ad.mp4"><track kind="captions" src="ad.vtt"></video>
<video src="cut.mp4"></video></div></div></body></html>"""

SOURCE = """id: ad_media
name: 图文视频 (test)
issuer: 示例内容平台
region: 全国
kind: ad
platform: seeding
browser: true
verified: true
start_urls: ["{site}/note.html"]
politeness:
  concurrency: 1
  delay: 0
ad:
  wait_for: ".note .note-content"
  fields:
    title: ".note-title"
    text: ".note-content"
  screenshot: true
"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def _claim(word: str) -> str:
    return next(c["text"] for c in illegal_claims() if word in c["text"])


@pytest.fixture
def media_site(tmp_path: Path):
    root = tmp_path / "www"
    root.mkdir()
    (root / "note.html").write_text(PAGE, encoding="utf-8")
    (root / "poster.png").write_bytes(render(_claim("最安全"), size=32, condition="photo").png)
    (root / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 10)
    video = make_video(root / "ad.mp4", [_claim("溶石清石")], seconds_each=2.0)
    (root / "ad.vtt").write_text(to_vtt([(0.4, 1.6, "这款茶可治疗多种疾病")]), encoding="utf-8")
    data = video.read_bytes()
    (root / "cut.mp4").write_bytes(data[: len(data) // 3])
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_crawl_reads_media_and_records_bad_files(media_site: str, tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "ad_media.yaml").write_text(SOURCE, encoding="utf-8")
    env = os.environ | {
        "FAIRWATCH_DATA_DIR": str(tmp_path / "data"),
        "FAIRWATCH_CRAWL_SITE_URL": media_site,
        "FAIRWATCH_CRAWL_SOURCES_DIR": str(sources),
        "FAIRWATCH_DATABASE_URL": "",
        "FAIRWATCH_SEARCH_URL": "",
        "FAIRWATCH_MEDIA_WORKERS": "2",
    }
    done = subprocess.run([sys.executable, "-m", "fairwatch.cli", "crawl", "ad_media"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=400)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ad_media: succeeded; 1 documents crawled (1 new" in done.stdout, done.stdout
    assert "media: done 1 document(s)" in done.stderr, done.stderr

    db = Database(tmp_path / "data" / "fairwatch.db")
    try:
        (doc,) = repository.list_documents(db).items
        detail = repository.show_document(db, doc.id)
        version = detail.latest
        parts = {p.url.rsplit("/", 1)[-1]: p for p in repository.media_parts(db, version.id)}
        assert set(parts) == {"screenshot", "poster.png", "broken.jpg", "ad.mp4", "ad.vtt",
                              "cut.mp4"}
        assert (parts["broken.jpg"].status, parts["broken.jpg"].reason) == ("failed", "corrupt")
        assert (parts["cut.mp4"].status, parts["cut.mp4"].reason) == ("failed", "corrupt")
        assert "cut.mp4" in parts["cut.mp4"].error
        assert all(parts[n].status == "done" for n in ("screenshot", "poster.png", "ad.mp4",
                                                        "ad.vtt"))
        assert repository.get_stages(db, version.id)["media"].status == "done"
        found = [f for f in version.findings if f.field.startswith("media:")]
        boxed = [loc for f in found if "最安全" in f.quote for loc in f.location]
        assert any(loc["media"].endswith("/poster.png") and len(loc["box"]) == 4
                   for loc in boxed), found
        timed = [loc for f in found for loc in f.location if loc.get("origin") == "caption"]
        assert any((loc["start"], loc["end"]) == (0.4, 1.6) for loc in timed), found
        on_frame = [loc for f in found for loc in f.location
                    if loc["media"].endswith("/ad.mp4") and loc["origin"] == "ocr"]
        assert on_frame and on_frame[0]["start"] == 0.0 and on_frame[0]["end"] == 2.0
    finally:
        db.close()
