"""One entry point: the text lines of an image, a video, a caption file or live-room lines.

A per-item time limit bounds the work: each tool call gets what is left of it, and OCR of
keyframes stops (MediaTimeout) once it has run out.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from media.captions import caption_lines, live_lines
from media.errors import CorruptMediaError, MediaError, MediaTimeout
from media.image import load_image
from media.lines import TextLine, join_lines
from media.ocr import OcrEngine
from media.speech import SpeechServer
from media.video import audio_wav, keyframes, probe, subtitle_tracks

MEDIA_TYPES = ("image", "video", "captions", "live")
_EXTENSIONS = {
    "png": "image", "jpg": "image", "jpeg": "image", "webp": "image",
    "mp4": "video", "webm": "video", "mov": "video",
    "vtt": "captions", "srt": "captions",
    "json": "live",
}


def media_type_of(name: str) -> str | None:
    """image | video | captions | live by the file's extension; None if not media."""
    return _EXTENSIONS.get(Path(name).suffix.lower().lstrip("."))


@dataclass
class MediaText:
    lines: list[TextLine]
    # What went wrong without losing everything: a damaged video's decode error.
    warnings: list[str] = field(default_factory=list)
    frames: int = 0  # keyframes read by OCR

    @property
    def text(self) -> str:
        return join_lines(self.lines)[0]


class _Clock:
    def __init__(self, limit: float, name: str) -> None:
        self.deadline = time.monotonic() + limit
        self.name = name
        self.limit = limit

    def left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise MediaTimeout(f"time limit of {self.limit:.0f}s ran out", name=self.name)
        return left


def extract_media(
    data: bytes,
    *,
    name: str,
    media_type: str,
    engine: OcrEngine,
    speech: SpeechServer | None = None,
    time_limit: float = 300,
) -> MediaText:
    """The lines of one medium; CorruptMediaError / MediaTimeout / MediaError say why not."""
    clock = _Clock(time_limit, name)
    if media_type == "image":
        img = load_image(data, name=name)
        return MediaText(engine.read(img, image=name, timeout=clock.left()))
    if media_type == "captions":
        fmt = "srt" if name.lower().endswith(".srt") else "vtt"
        return MediaText(caption_lines(data, fmt, name=name))
    if media_type == "live":
        return MediaText(live_lines(data, name=name))
    if media_type == "video":
        return _video(data, name, engine, speech, clock)
    raise MediaError(f"unknown media type {media_type!r}: use one of {', '.join(MEDIA_TYPES)}",
                     name=name)


def _video(data: bytes, name: str, engine: OcrEngine, speech: SpeechServer | None,
           clock: _Clock) -> MediaText:
    if not data:
        raise CorruptMediaError("empty file", name=name)
    suffix = Path(name).suffix or ".mp4"
    with tempfile.NamedTemporaryFile(suffix=suffix, prefix="fairwatch-video-") as tmp:
        tmp.write(data)
        tmp.flush()
        path = Path(tmp.name)
        info = probe(path, timeout=clock.left(), name=name)
        frames = keyframes(path, duration=info.duration, timeout=clock.left(), name=name)
        out = MediaText([], frames=len(frames.frames))
        if frames.damage:
            out.warnings.append(f"damaged or truncated: {frames.damage}")
        if not frames.frames:
            raise CorruptMediaError("no frame could be decoded", name=name)
        for frame in frames.frames:
            label = f"frame@{frame.time:.2f}"
            for line in engine.read(frame.image, image=label, timeout=clock.left()):
                out.lines.append(TextLine(text=line.text, origin="ocr", image=label,
                                          box=line.box, start=round(frame.time, 3),
                                          end=round(frame.end, 3),
                                          confidence=line.confidence))
        for track in subtitle_tracks(path, info.subtitles, timeout=clock.left(), name=name):
            out.lines.extend(caption_lines(track, "vtt", name=name))
        if speech is not None and info.audio:
            try:
                wav = audio_wav(path, timeout=clock.left(), name=name)
                out.lines.extend(speech.transcribe(wav, name=name, timeout=clock.left()))
            except MediaError as exc:  # the pictures and captions still count
                out.warnings.append(f"speech: {exc}")
    return out
