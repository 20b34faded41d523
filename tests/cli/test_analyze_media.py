"""`fairwatch analyze --kind ad` on images and videos: findings with image box or time range."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from fairwatch.cli import main
from tests.media.render import illegal_claims, make_video, render


def _claim(word: str) -> str:
    return next(c["text"] for c in illegal_claims() if word in c["text"])


def test_image_report_shows_the_box(tmp_path: Path) -> None:
    path = tmp_path / "poster.webp"
    path.write_bytes(render(_claim("最安全"), size=32, condition="noisy", fmt="WEBP").png)
    out = CliRunner().invoke(main, ["analyze", "--kind", "ad", str(path)])
    assert out.exit_code == 0, out.output
    assert "flagged: yes" in out.output and "最安全" in out.output
    assert "位置：ocr poster.webp box " in out.output


def test_jsonl_path_lines_image_video_and_errors(tmp_path: Path) -> None:
    jpg = tmp_path / "card.jpg"
    jpg.write_bytes(render(_claim("年入百万"), size=40, condition="photo", fmt="JPEG").png)
    video = make_video(tmp_path / "ad.mp4", [_claim("溶石清石")], seconds_each=2.0,
                       captions=[(0.3, 1.7, "这款茶可治疗多种疾病")])
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 50)
    lines = [{"id": 1, "path": str(jpg)}, {"id": 2, "path": str(video)},
             {"id": 3, "path": str(bad)}, {"id": 4, "text": "全网最低价"}]
    stdin = "\n".join(json.dumps(x) for x in lines) + "\n"
    out = CliRunner().invoke(main, ["analyze", "--kind", "ad", "--jsonl"], input=stdin)
    assert out.exit_code == 0, out.output
    got = [json.loads(line) for line in out.output.splitlines()]
    assert [g["id"] for g in got] == [1, 2, 3, 4]
    image = got[0]["findings"]
    assert image and all(loc["image"] == "card.jpg" and len(loc["box"]) == 4
                         for f in image for loc in f["location"])
    timed = [loc for f in got[1]["findings"] for loc in f["location"]]
    assert any(loc["origin"] == "caption" and (loc["start"], loc["end"]) == (0.3, 1.7)
               for loc in timed), got[1]
    assert any(loc["origin"] == "ocr" and loc["start"] == 0.0 for loc in timed), got[1]
    assert "bad.png" in got[2]["error"] and "corrupt" in got[2]["error"]
    assert "location" not in got[3]["findings"][0]


def test_policy_kind_does_not_read_images(tmp_path: Path) -> None:
    path = tmp_path / "x.png"
    path.write_bytes(render("测试", size=30).png)
    out = CliRunner().invoke(main, ["analyze", str(path)])
    assert out.exit_code == 1 and "unsupported file type .png" in out.output
