"""Attachment links of a page: absolute URL and link text for each document file."""

from __future__ import annotations

import posixpath
import re
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

from crawlers.extract.dom import compact

#: Extensions (lower case, no dot) treated as attachments.
ATTACHMENT_TYPES = frozenset(
    ("pdf", "doc", "docx", "wps", "ofd", "xls", "xlsx", "et", "csv", "zip", "rar", "7z",
     "txt", "rtf", "ppt", "pptx")
)
_TEXT_EXT = re.compile(r"\.([A-Za-z0-9]{2,4})\s*$")


def _extension(name: str) -> str | None:
    ext = posixpath.splitext(name.strip())[1].lstrip(".").lower()
    return ext if ext in ATTACHMENT_TYPES else None


def file_type(url: str, text: str = "") -> str | None:
    """Attachment type of a link, or None.

    Read from the URL path, else from a query value naming a file (Hanweb's
    `downfile.jsp?filename=P0201.pdf`), else from the link text ("附件1.pdf").
    """
    parts = urlsplit(url)
    ext = _extension(unquote(parts.path))
    if ext:
        return ext
    for _key, value in parse_qsl(parts.query):
        ext = _extension(value)
        if ext:
            return ext
    match = _TEXT_EXT.search(text)
    if match and match.group(1).lower() in ATTACHMENT_TYPES:
        return match.group(1).lower()
    return None


def find_attachments(doc, base_url: str = "") -> list[tuple[str, str]]:
    """(absolute url, link text) of every attachment link, in page order, without repeats.

    Relative links resolve against the page's <base href> when it has one, else `base_url`.
    """
    base = base_url
    for element in doc.iter("base"):
        if element.get("href"):
            base = urljoin(base_url, element.get("href").strip())
            break
    found: dict[str, str] = {}
    for link in doc.iter("a"):
        href = (link.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        text = re.sub(r"\s+", " ", link.text_content()).strip() or (link.get("title") or "")
        if file_type(href, text) is None:
            continue
        url = urljoin(base, href)
        if url not in found or (not compact(found[url]) and text):
            found[url] = text
    return list(found.items())
