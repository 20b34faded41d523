"""Character accuracy of OCR text against the text that was printed (bench and tests)."""

from __future__ import annotations

import unicodedata

from rapidfuzz.distance import Levenshtein


def comparable(text: str) -> str:
    """NFKC (full-width ， and ： count as , and :) without whitespace: what OCR is judged on."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def char_accuracy(expected: str, got: str) -> float:
    """1 - edit distance / length of what was printed (0 when nothing matches)."""
    ref, hyp = comparable(expected), comparable(got)
    if not ref:
        return 1.0 if not hyp else 0.0
    return max(0.0, 1 - Levenshtein.distance(ref, hyp) / len(ref))
