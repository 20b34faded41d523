"""Splitting text into clauses, with offsets into the ORIGINAL text.

A clause ends at 。！？；(and their half-width forms), at a hard line break or tab (see
`analyzers.normalize`), and at a table-cell bar "|". A clause longer than MAX_CLAUSE is
cut at its last comma before the limit so every rule window stays small.

Large documents are processed in chunks (`iter_chunks`) cut at line or sentence ends, so
memory stays bounded whatever the size of the document.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from analyzers.normalize import Normalized, normalize

__all__ = [
    "CHUNK_SIZE", "MAX_CLAUSE", "Clause", "iter_chunks", "iter_clause_spans", "split_clauses",
]

MAX_CLAUSE = 600
CHUNK_SIZE = 1 << 16
_CLAUSE_RE = re.compile(r"[^。！？!?；;\n|]+[。！？!?；;]?")
_CHUNK_END_RE = re.compile(r"[\n。！？；]")


@dataclass(frozen=True)
class Clause:
    """One clause: original offsets [start, end) and the normalised text."""

    start: int
    end: int
    text: str


def iter_clause_spans(norm: str) -> Iterator[tuple[int, int]]:
    """Spans [start, end) of the clauses of a normalised string, leading spaces skipped."""
    for m in _CLAUSE_RE.finditer(norm):
        s, e = m.span()
        while s < e and norm[s] in " ,，、":
            s += 1
        while e - s > MAX_CLAUSE:
            cut = max(norm.rfind(",", s, s + MAX_CLAUSE), norm.rfind("、", s, s + MAX_CLAUSE))
            cut = cut + 1 if cut > s else s + MAX_CLAUSE
            yield s, cut
            s = cut
        if e > s:
            yield s, e


def iter_chunks(text: str, size: int = CHUNK_SIZE) -> Iterator[tuple[int, str]]:
    """(offset, chunk) pieces of about `size` characters, cut after a line or sentence end."""
    n = len(text)
    pos = 0
    while pos < n:
        end = pos + size
        if end >= n:
            yield pos, text[pos:]
            return
        m = _CHUNK_END_RE.search(text, end, min(n, end + size))
        cut = m.end() if m else end
        yield pos, text[pos:cut]
        pos = cut


def split_clauses(text: str) -> Iterator[Clause]:
    """All clauses of `text`, in order, with offsets into `text`."""
    for offset, chunk in iter_chunks(text):
        norm: Normalized = normalize(chunk)
        for s, e in iter_clause_spans(norm.text):
            os_, oe = norm.span_to_original(s, e)
            yield Clause(offset + os_, offset + oe, norm.text[s:e])
