"""Character accuracy of OCR text against the text that was printed (bench and tests)."""

from __future__ import annotations

import unicodedata

from rapidfuzz.distance import Levenshtein


def _glyph(ch: str) -> str:
    # Full-width ， and ： count as , and :, but one printed glyph stays one character
    # (NFKC would turn … into three dots and triple the cost of misreading it).
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 else ch


def comparable(text: str) -> str:
    """Width-folded text without whitespace: what OCR is judged on."""
    return "".join(_glyph(ch) for ch in text if not ch.isspace())


def char_accuracy(expected: str, got: str) -> float:
    """1 - edit distance / length of what was printed (0 when nothing matches)."""
    ref, hyp = comparable(expected), comparable(got)
    if not ref:
        return 1.0 if not hyp else 0.0
    return max(0.0, 1 - Levenshtein.distance(ref, hyp) / len(ref))
