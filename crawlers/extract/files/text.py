"""Shared helpers: tidy extracted text, read plain-text and HTML attachments."""

from __future__ import annotations

import re

from crawlers.extract.encoding import decode_html

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLANKS = re.compile(r"\n\s*\n+")


def tidy(text: str) -> str:
    """Text with control characters removed, line ends unified, blank runs collapsed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0c", "\n")
    text = _CONTROL.sub("", text)
    lines = (line.rstrip() for line in text.split("\n"))
    return _BLANKS.sub("\n", "\n".join(lines)).strip()


def decode_text(data: bytes, *, max_bytes: int) -> str:
    """A .txt or .csv attachment, in whatever Chinese encoding it was saved."""
    text, _charset = decode_html(data, None, max_bytes=max_bytes)
    return text


def html_text(data: bytes, *, max_bytes: int) -> str:
    """An HTML file served as an attachment (Word's "save as web page" .doc, error pages)."""
    from crawlers.extract.page import extract_page  # page imports files' siblings

    text, _charset = decode_html(data, None, max_bytes=max_bytes)
    return extract_page(text, max_bytes=max_bytes).text
