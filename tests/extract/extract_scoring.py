"""Character-level precision, recall and F1 of extracted text against gold text.

Two definitions, both on the texts with all whitespace removed:
- `lcs`: overlap is the length of the longest common subsequence, so characters must
  also come in the gold order (a duplicated or reordered block is not rewarded). The
  stricter of the two, and the one the gate uses.
- `bag`: overlap is the multiset intersection of characters (order ignored).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def lcs_length(a: str, b: str) -> int:
    """Length of the longest common subsequence, bit-parallel (Allison-Dix / Hyyrö 2004).

    Each character of `b` updates one big integer whose zero bits count matches, so
    pages of several thousand characters score in milliseconds.
    """
    if not a or not b:
        return 0
    masks: dict[str, int] = {}
    for index, char in enumerate(a):
        masks[char] = masks.get(char, 0) | (1 << index)
    full = (1 << len(a)) - 1
    row = full
    for char in b:
        matched = row & masks.get(char, 0)
        row = ((row + matched) | (row - matched)) & full
    return len(a) - bin(row).count("1")


def char_f1(predicted: str, gold: str, kind: str = "lcs") -> Score:
    p, g = compact(predicted), compact(gold)
    if kind == "lcs":
        overlap = lcs_length(p, g)
    elif kind == "bag":
        overlap = sum((Counter(p) & Counter(g)).values())
    else:
        raise ValueError(f"unknown F1 kind {kind!r}: expected 'lcs' or 'bag'")
    if not overlap:
        return Score(0.0, 0.0, 0.0)
    precision, recall = overlap / len(p), overlap / len(g)
    return Score(precision, recall, 2 * precision * recall / (precision + recall))
