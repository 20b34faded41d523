"""Highlight fragments: where the query terms occur, HTML-escaped, matches in <em>…</em>.

Computed from the original text (not the index tokens), so fragments read naturally.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

FRAGMENT_CHARS = 80  # context around the first match of a fragment, in characters
MAX_FRAGMENTS = 3


def highlight_pattern(needles: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern for all needles, longest first so 本地企业 beats 本地."""
    unique = sorted({n for n in needles if n}, key=len, reverse=True)
    if not unique:
        return None
    return re.compile("|".join(re.escape(n) for n in unique), re.IGNORECASE)


def fragments(
    texts: Iterable[str], pattern: re.Pattern[str] | None, *, limit: int = MAX_FRAGMENTS
) -> list[str]:
    """Up to `limit` fragments over the texts in order (title, body, attachments)."""
    if pattern is None:
        return []
    out: list[str] = []
    for text in texts:
        if not text:
            continue
        for start, end in _windows(text, pattern):
            out.append(_render(text, start, end, pattern))
            if len(out) >= limit:
                return out
    return out


def _windows(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    windows: list[tuple[int, int]] = []
    half = FRAGMENT_CHARS // 2
    for match in pattern.finditer(text):
        if windows and match.start() < windows[-1][1]:
            continue  # already shown in the previous fragment
        start = max(0, match.start() - half)
        end = min(len(text), match.end() + half)
        windows.append((start, end))
    return windows


def _render(text: str, start: int, end: int, pattern: re.Pattern[str]) -> str:
    piece = text[start:end]
    parts: list[str] = []
    pos = 0
    for match in pattern.finditer(piece):
        parts.append(html.escape(piece[pos : match.start()]))
        parts.append(f"<em>{html.escape(match.group())}</em>")
        pos = match.end()
    parts.append(html.escape(piece[pos:]))
    rendered = "".join(parts).replace("\n", " ").strip()
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return f"{prefix}{rendered}{suffix}"
