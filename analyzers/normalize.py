"""Text normalisation that keeps every character traceable to the original text.

`normalize(text)` returns a `Normalized`: the normalised string plus a map back to the
offsets of the original, so findings can quote and highlight what was published.

What is normalised (rules and cues go through `normalize_term`, the same mapping):
- full-width ASCII (ＡＢＣ１２３，；：（）) becomes half-width, the ideographic space a
  space, upper-case ASCII lower-case, 〔〕【】 become [], curly quotes straight quotes;
- whitespace inside a line is dropped (PDF text puts spaces between CJK characters) except
  between two ASCII letters/digits, where one space is kept;
- a line break is either a hard break, kept as a single "\\n" (blank line, the line ends
  with punctuation or is a short heading, the next line starts with numbering such as
  （一） 一、 1. 第三条) or a soft wrap, dropped (a PDF line that continues the sentence).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

__all__ = [
    "MAPPED", "NUMBERING_RE", "Normalized", "normalize", "normalize_term", "squeezed",
]


def _build_table() -> dict[int, int | str]:
    table: dict[int, int | str] = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
    table[0x3000] = " "
    for c in range(ord("A"), ord("Z") + 1):
        table[c] = c + 32
    for c in range(0xFF21, 0xFF3B):  # full-width capitals straight to lower case
        table[c] = c - 0xFEE0 + 32
    table.update({ord("〔"): "[", ord("〕"): "]", ord("【"): "[", ord("】"): "]"})
    table.update({ord("“"): '"', ord("”"): '"', ord("‘"): "'", ord("’"): "'"})
    table.update({ord("\u00a0"): " ", ord("\u200b"): " ", ord("\ufeff"): " ", ord("\r"): "\n"})
    return table


_TABLE = _build_table()
_MAP = {chr(k): v if isinstance(v, str) else chr(v) for k, v in _TABLE.items()}
# no replacement is itself replaced, so replacing the characters one by one is the table
assert not set(_MAP.values()) & set(_MAP) and all(len(v) == 1 for v in _MAP.values())
MAPPED = frozenset(_MAP)  # the characters normalisation replaces
_MAPPED_RE = re.compile("[" + re.escape("".join(_MAP)) + "]")
_WS_RE = re.compile(r"\s+")
_HARD_PUNCT = frozenset("。；;：:！!？?")
# The whitespace runs `normalize` rewrites: every run except a lone line break after
# sentence-ending punctuation, which stays as it is (most line breaks of running text:
# skipping them in the regex keeps them out of the Python loop). It starts with a whitespace
# class, so the regex engine skips ahead to the next whitespace character:
# a run led by a space or tab, a line break and more whitespace, or a lone line break
# after anything but that punctuation.
_REWRITE_RE = re.compile(
    r"\s(?:(?<!\n)\s*|(?<=\n)\s+|(?<![" + re.escape("".join(sorted(_HARD_PUNCT)))
    + r"]\n)(?<=\n))")
# Numbering that opens a new item: （一） (1) 一、 1. 1、 第三条 第二章
NUMBERING_RE = re.compile(
    r"(?:第[一二三四五六七八九十百零〇\d]+[条章节款项]|\([一二三四五六七八九十\d]{1,3}\)"
    r"|[一二三四五六七八九十]{1,3}[、.]|\d{1,3}(?:[、]|\.(?!\d)))"
)
_HARD_END = frozenset("。；;：:！!？?")
_HEADING_MAX = 20  # a line this short is a heading or a table cell, not a wrapped sentence


@dataclass(frozen=True)
class Normalized:
    """A normalised string and the way back to offsets in the original text."""

    text: str
    # Sorted normalised offsets where the mapping jumps, and the original offset there.
    _norm_starts: tuple[int, ...]
    _orig_starts: tuple[int, ...]

    def to_original(self, i: int) -> int:
        """Original offset of normalised offset i (i == len(text) maps past the end)."""
        k = bisect_right(self._norm_starts, i) - 1
        return self._orig_starts[k] + (i - self._norm_starts[k])

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) covering the normalised [start, end)."""
        if end <= start:
            o = self.to_original(start)
            return o, o
        return self.to_original(start), self.to_original(end - 1) + 1


def normalize_term(term: str) -> str:
    """Normalise a cue the same way as text (whitespace removed)."""
    return _WS_RE.sub("", _translate(term))


def squeezed(text: str) -> str:
    """The normalised text with each whitespace run as one space, stripped: what the
    learned model reads. A text with whitespace only at its ends (a clause and its line
    break) needs no decision about line breaks: its mapped characters, stripped."""
    core = _translate(text).strip()
    if _WS_RE.search(core) is None:
        return core
    return " ".join(normalize(text).text.split())


def _translate(text: str) -> str:
    """text.translate(_TABLE), faster: a text holds few of the mapped characters, and
    str.translate with a mapping looks up every character of a CJK text in Python."""
    # one search per distinct mapped character (no replacement is mapped, and each is one
    # character, so the text before `pos` is done), then one C-level replace of them all
    pos = 0
    while (m := _MAPPED_RE.search(text, pos)) is not None:
        ch = m.group()
        text = text.replace(ch, _MAP[ch])
        pos = m.end()
    return text


def _is_ascii_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _line_start(text: str, pos: int) -> int:
    k = text.rfind("\n", 0, pos)
    return k + 1


def normalize(text: str) -> Normalized:
    """Normalise `text`; see the module docstring. Runs in time linear in len(text)."""
    t = _translate(text)  # one-to-one: offsets are unchanged so far
    pieces: list[str] = []
    norm_starts = [0]
    orig_starts = [0]
    pos = 0
    out_len = 0
    for m in _REWRITE_RE.finditer(t):
        s, e = m.span()
        pieces.append(t[pos:s])
        out_len += s - pos
        run = m.group()
        prev = t[s - 1] if s else ""
        nxt = t[e] if e < len(t) else ""
        if "\n" in run or "\t" in run:
            line_len = s - _line_start(t, s)
            hard = (
                not prev
                or not nxt
                or "\t" in run
                or run.count("\n") > 1
                or prev in _HARD_END
                or line_len <= _HEADING_MAX
                or NUMBERING_RE.match(t, e) is not None
            )
            repl = "\n" if hard else (" " if _is_ascii_word(prev) and _is_ascii_word(nxt) else "")
        else:
            repl = " " if _is_ascii_word(prev) and _is_ascii_word(nxt) else ""
        if run != repl:
            pieces.append(repl)
            out_len += len(repl)
            norm_starts.append(out_len)
            orig_starts.append(e)
        else:
            pieces.append(run)
            out_len += len(run)
        pos = e
    if pos == 0:
        return Normalized(t, (0,), (0,))
    pieces.append(t[pos:])
    return Normalized("".join(pieces), tuple(norm_starts), tuple(orig_starts))
