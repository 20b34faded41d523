"""A video made here with ffmpeg: on-screen text from keyframes and the caption track, with
timestamps; findings with time ranges; a truncated file; captions, danmaku, speech."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from analyzers.registry import get_analyzer
from media import CorruptMediaError, SpeechError, extract_media, get_engine
from media.accuracy import char_accuracy
from media.captions import caption_lines, live_lines
from media.lines import join_lines, locate
from media.speech import SpeechServer
from tests.media.render import illegal_claims, make_video, to_srt

SLIDE_SECONDS = 2.0


@pytest.fixture(scope="module")
def claims() -> list[str]:
    texts = [c["text"] for c in illegal_claims()]
    return [next(t for t in texts if "年入百万" in t), next(t for t in texts if "溶石清石" in t),
            next(t for t in texts if "最安全" in t)[:20]]


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory, claims: list[str]) -> Path:
    path = tmp_path_factory.mktemp("video") / "ad.mp4"
    captions = [(0.5, 1.8, "家人们今天福利价"), (2.2, 3.8, "这款茶可治疗多种疾病"),
                (4.1, 5.5, "在家躺着赚钱，年入百万")]
    return make_video(path, claims, seconds_each=SLIDE_SECONDS, captions=captions)


def test_keyframes_and_captions_with_timestamps(video: Path, claims: list[str]) -> None:
    media = extract_media(video.read_bytes(), name="ad.mp4", media_type="video",
                          engine=get_engine("rapidocr"))
    assert media.warnings == []
    assert media.frames == len(claims)  # one per slide: the rest were the same picture
    for n, claim in enumerate(claims):
        on_screen = [ln for ln in media.lines if ln.origin == "ocr"
                     and ln.start == pytest.approx(n * SLIDE_SECONDS, abs=0.15)]
        # measured: 0.80 on the slide whose …… reads as ··· (3 edits), 1.0 on the others
        assert char_accuracy(claim, "".join(ln.text for ln in on_screen)) >= 0.8
        assert all(ln.end == pytest.approx((n + 1) * SLIDE_SECONDS, abs=0.15)
                   for ln in on_screen)
        assert all(ln.box and ln.image == f"frame@{ln.start:.2f}" for ln in on_screen)
    cues = [(ln.start, ln.end, ln.text) for ln in media.lines if ln.origin == "caption"]
    assert cues == [(0.5, 1.8, "家人们今天福利价"), (2.2, 3.8, "这款茶可治疗多种疾病"),
                    (4.1, 5.5, "在家躺着赚钱，年入百万")]
    text, spans = join_lines(media.lines)
    res = get_analyzer("ad").analyze(text)
    timed = [(f, locate(media.lines, spans, f.start, f.end)) for f in res.findings]
    assert any("治疗" in f.quote and w[0]["origin"] == "caption" and w[0]["start"] == 2.2
               and w[0]["end"] == 3.8 for f, w in timed), timed
    on_frame = [w for f, w in timed if "石" in f.quote]
    assert on_frame and on_frame[0][0]["origin"] == "ocr"
    assert on_frame[0][0]["start"] == pytest.approx(SLIDE_SECONDS, abs=0.15)


def test_webm_with_vtt_track(tmp_path: Path, claims: list[str]) -> None:
    path = make_video(tmp_path / "ad.webm", claims[:1], seconds_each=1.5,
                      captions=[(0.0, 1.4, "限时秒杀")], fmt="webm")
    media = extract_media(path.read_bytes(), name="ad.webm", media_type="video",
                          engine=get_engine("rapidocr"))
    assert [ln.text for ln in media.lines if ln.origin == "caption"] == ["限时秒杀"]
    assert any(ln.origin == "ocr" for ln in media.lines)


def test_truncated_video_names_the_reason(video: Path) -> None:
    data = video.read_bytes()
    with pytest.raises(CorruptMediaError) as info:
        extract_media(data[: len(data) // 3], name="cut.mp4", media_type="video",
                      engine=get_engine("rapidocr"))
    assert info.value.reason == "corrupt" and "cut.mp4" in str(info.value)
    with pytest.raises(CorruptMediaError, match="not a readable video"):
        extract_media(b"\0" * 4096, name="zeros.mp4", media_type="video",
                      engine=get_engine("rapidocr"))


def test_srt_and_vtt_files_and_bad_ones() -> None:
    cues = [(1.0, 2.5, "第一句"), (3.0, 4.25, "国家级产品")]
    srt = caption_lines(to_srt(cues).encode("gb18030"), "srt")
    assert [(ln.start, ln.end, ln.text) for ln in srt] == cues
    with pytest.raises(CorruptMediaError, match="malformed"):
        caption_lines(b"not a caption file", "vtt", name="x.vtt")


def test_danmaku_and_product_cards() -> None:
    data = json.dumps([{"time": 12.5, "text": "主播这个真能治病吗"},
                       {"time": 3, "text": "特效降糖茶 全网最低价", "kind": "card", "end": 60}],
                      ensure_ascii=False).encode()
    lines = live_lines(data)
    assert [(ln.origin, ln.start, ln.end) for ln in lines] == [("card", 3.0, 60.0),
                                                              ("danmaku", 12.5, 12.5)]
    with pytest.raises(CorruptMediaError, match="item 0"):
        live_lines(b'[{"text": "no time"}]', name="live.json")


class _WhisperServer(BaseHTTPRequestHandler):
    """whisper.cpp's server protocol: POST /inference, multipart, verbose_json answer."""

    segments: list[dict] = []
    seen: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers["Content-Length"])
        body = self.rfile.read(length)
        type(self).seen.append({"path": self.path, "ctype": self.headers["Content-Type"],
                                "has_wav": b"RIFF" in body and b"WAVE" in body,
                                "verbose": b"verbose_json" in body})
        if self.path != "/inference":
            self.send_error(404)
            return
        out = json.dumps({"text": "".join(s["text"] for s in self.segments),
                          "segments": self.segments}, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def whisper_url():
    server = HTTPServer(("127.0.0.1", 0), _WhisperServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_speech_transcript_joins_the_video_lines(tmp_path: Path, whisper_url: str,
                                                 claims: list[str]) -> None:
    path = tmp_path / "talk.mp4"
    make_video(path, claims[:1], seconds_each=2.0)
    import subprocess

    with_audio = tmp_path / "talk-audio.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(path), "-f", "lavfi", "-i",
                    "sine=frequency=440:duration=2", "-c:v", "copy", "-c:a", "aac", "-shortest",
                    str(with_audio)], check=True, timeout=60)
    _WhisperServer.segments = [{"id": 0, "start": 0.2, "end": 1.6, "text": " 吃了就能根治糖尿病"}]
    _WhisperServer.seen = []
    media = extract_media(with_audio.read_bytes(), name="talk.mp4", media_type="video",
                          engine=get_engine("rapidocr"), speech=SpeechServer(whisper_url))
    spoken = [ln for ln in media.lines if ln.origin == "speech"]
    assert [(ln.start, ln.end, ln.text) for ln in spoken] == [(0.2, 1.6, "吃了就能根治糖尿病")]
    assert _WhisperServer.seen[0] | {"ctype": ""} == {"path": "/inference", "ctype": "",
                                                      "has_wav": True, "verbose": True}
    assert "multipart/form-data" in _WhisperServer.seen[0]["ctype"]


def test_speech_server_down_or_wrong(whisper_url: str) -> None:
    with pytest.raises(SpeechError, match="unreachable"):
        SpeechServer("http://127.0.0.1:9", timeout=2).transcribe(b"RIFF")
    with pytest.raises(SpeechError, match="must be http"):
        SpeechServer("ftp://x")
    _WhisperServer.segments = [{"start": "x", "end": 1, "text": "a"}]
    with pytest.raises(SpeechError, match="bad segment"):
        SpeechServer(whisper_url).transcribe(b"RIFF")
