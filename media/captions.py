"""Caption and subtitle tracks (WebVTT, SRT) and live-room lines as timed TextLines.

Parsing is webvtt-py's (it reads SRT too); danmaku and product cards arrive as JSON lists
of {"time": seconds, "text": ..., "kind": "danmaku" | "card"} from the live-room crawler.
"""

from __future__ import annotations

import io
import json

import webvtt
from webvtt.errors import MalformedFileError

from media.errors import CorruptMediaError
from media.lines import TextLine

CAPTION_FORMATS = ("vtt", "srt")


def seconds(stamp: str) -> float:
    """'01:02:03.450' or '02:03,450' -> seconds."""
    parts = stamp.replace(",", ".").split(":")
    total = 0.0
    for part in parts:
        total = total * 60 + float(part)
    return total


def _decode(data: bytes, name: str | None) -> str:
    for codec in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    raise CorruptMediaError("caption file is not UTF-8 or GB18030 text", name=name)


def caption_lines(data: bytes | str, fmt: str, *, name: str | None = None,
                  origin: str = "caption") -> list[TextLine]:
    """The cues of a WebVTT or SRT file, in order, one line per cue."""
    if fmt not in CAPTION_FORMATS:
        raise CorruptMediaError(f"unknown caption format {fmt!r}", name=name)
    text = _decode(data, name) if isinstance(data, bytes) else data
    try:
        track = webvtt.from_buffer(io.StringIO(text.lstrip("\ufeff")), format=fmt)
    except MalformedFileError as exc:
        raise CorruptMediaError(f"malformed {fmt} file: {exc}", name=name) from exc
    lines = []
    for cue in track.captions:
        words = " ".join(cue.text.split())
        if words:
            lines.append(TextLine(text=words, origin=origin, start=seconds(cue.start),
                                  end=seconds(cue.end)))
    return lines


def live_lines(data: bytes, *, name: str | None = None) -> list[TextLine]:
    """Danmaku and product cards of a live room, by time."""
    try:
        items = json.loads(_decode(data, name))
    except json.JSONDecodeError as exc:
        raise CorruptMediaError(f"not JSON: {exc.msg} (line {exc.lineno})", name=name) from exc
    if not isinstance(items, list):
        raise CorruptMediaError("expected a JSON list of {time, text, kind}", name=name)
    lines = []
    for n, item in enumerate(items):
        if not (isinstance(item, dict) and isinstance(item.get("text"), str)
                and isinstance(item.get("time"), int | float)):
            raise CorruptMediaError(f"item {n}: needs a number `time` and a string `text`",
                                    name=name)
        kind = item.get("kind", "danmaku")
        if kind not in ("danmaku", "card"):
            raise CorruptMediaError(f"item {n}: kind must be danmaku or card, not {kind!r}",
                                    name=name)
        t = float(item["time"])
        lines.append(TextLine(text=item["text"].strip(), origin=kind, start=t,
                              end=float(item.get("end", t))))
    return sorted(lines, key=lambda ln: ln.start or 0.0)
