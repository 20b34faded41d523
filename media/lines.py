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


def continues(prev: TextLine, line: TextLine) -> bool:
    """line is the next line of the same paragraph as prev: same image, left-aligned, less
    than a line's height below it. A claim wrapped on a poster must read as one sentence."""
    if prev.origin != "ocr" or line.origin != "ocr" or prev.image != line.image:
        return False
    if prev.box is None or line.box is None:
        return False
    height = prev.box[3] - prev.box[1]
    gap = line.box[1] - prev.box[3]
    return 0 <= gap < height and abs(line.box[0] - prev.box[0]) < 2 * height


def join_lines(lines: list[TextLine]) -> tuple[str, list[tuple[int, int]]]:
    """The lines as one text and each line's (start, end) offsets in it: a wrapped line of
    the same paragraph follows its previous line directly, any other starts a new line."""
    out = ""
    spans: list[tuple[int, int]] = []
    for n, line in enumerate(lines):
        if n:
            out += "" if continues(lines[n - 1], line) else "\n"
        spans.append((len(out), len(out) + len(line.text)))
        out += line.text
    return out, spans


def locate(lines: list[TextLine], spans: list[tuple[int, int]], start: int, end: int) -> list[dict]:
    """The locations of the lines that the character range [start, end) touches."""
    return [
        line.location()
        for line, (a, b) in zip(lines, spans, strict=True)
        if a < max(end, start + 1) and start < b
    ]
