"""One line of text seen in a medium, and how lines become one analyzable text."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

# Where a line came from: OCR of an image or a keyframe, a caption or subtitle track,
# a speech transcript, a live room's danmaku, a product card.
LINE_ORIGINS = ("ocr", "caption", "speech", "danmaku", "card")


@dataclass(frozen=True, kw_only=True)
class TextLine:
    text: str
    origin: str  # one of LINE_ORIGINS
    image: str | None = None  # which image: a name, or "frame@12.48" for a keyframe
    box: tuple[int, int, int, int] | None = None  # x0, y0, x1, y1 in the image's pixels
    start: float | None = None  # seconds into the video
    end: float | None = None
    confidence: float | None = None

    def location(self) -> dict[str, Any]:
        """Where the line is: image and box, and/or time range (None values left out)."""
        keys = ("origin", "image", "box", "start", "end")
        return {k: v for k, v in asdict(self).items() if k in keys and v is not None}


def join_lines(lines: list[TextLine]) -> tuple[str, list[tuple[int, int]]]:
    """The lines as one text (one per line) and each line's (start, end) offsets in it."""
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in lines:
        spans.append((pos, pos + len(line.text)))
        parts.append(line.text)
        pos += len(line.text) + 1
    return "\n".join(parts), spans


def locate(lines: list[TextLine], spans: list[tuple[int, int]], start: int, end: int) -> list[dict]:
    """The locations of the lines that the character range [start, end) touches."""
    return [
        line.location()
        for line, (a, b) in zip(lines, spans, strict=True)
        if a < max(end, start + 1) and start < b
    ]
