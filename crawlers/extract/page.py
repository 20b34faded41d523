"""extract_page: everything fairwatch reads from one HTML page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crawlers.extract.attachments import find_attachments
from crawlers.extract.body import extract_body
from crawlers.extract.cms import detect_cms
from crawlers.extract.dom import compact, parse_html, render_text
from crawlers.extract.limits import DEFAULT_MAX_HTML_BYTES
from crawlers.extract.metadata import extract_metadata

_TITLE_SPLIT = re.compile(r"\s+[-|–—]+\s+|_|｜|\|")
# "文章标题-站点名" with no spaces: a dash that is not inside a number range (2021-2025).
_TIGHT_DASH = re.compile(r"(?<!\d)[-－](?!\d)")
_MAX_SITE_SUFFIX = 8


@dataclass
class ExtractedPage:
    """What a page says: title, main text, metadata, attachment links.

    `metadata` keys (each optional): doc_number, issuer, published and written (ISO
    dates), index_no, topic, validity, source (来源), source_site. `route` names how the
    body was found: 'selector' (the content element of the page's system),
    'trafilatura' or 'fallback'.
    """

    url: str
    title: str
    text: str
    cms: str
    metadata: dict[str, str] = field(default_factory=dict)
    attachments: list[tuple[str, str]] = field(default_factory=list)
    route: str = ""


def _page_title(doc) -> str:
    title = doc.find(".//title")
    text = re.sub(r"\s+", " ", title.text_content()).strip() if title is not None else ""
    parts = [part.strip() for part in _TITLE_SPLIT.split(text) if part.strip()]
    if not parts:
        return ""
    first = parts[0] if len(compact(parts[0])) >= 4 else max(parts, key=len)
    pieces = _TIGHT_DASH.split(first)
    if len(pieces) > 1 and len(compact(pieces[-1])) <= _MAX_SITE_SUFFIX:
        # The short tail is the site or column name.
        return "-".join(pieces[:-1]).strip()
    return first


def _headlines(doc, meta_title: str) -> list[str]:
    lines = [meta_title, _page_title(doc)]
    for meta in doc.iter("meta"):
        name = (meta.get("property") or meta.get("name") or "").lower()
        if name in ("og:title", "twitter:title"):
            lines.append(meta.get("content") or "")
    title = doc.find(".//title")
    if title is not None:
        lines.append(title.text_content())
    for tag in ("h1", "h2"):
        lines.extend(render_text(el) for el in doc.iter(tag))
    return [line.strip() for line in lines if line and line.strip()]


def extract_page(
    html: str, url: str = "", *, max_bytes: int = DEFAULT_MAX_HTML_BYTES
) -> ExtractedPage:
    """Extract title, main text, metadata and attachments from a decoded page.

    Raises PageTooLargeError (an ExtractionError) when `html` is over `max_bytes` bytes
    of UTF-8, and ExtractionError when it is empty or cannot be parsed.
    """
    doc = parse_html(html, url=url, max_bytes=max_bytes)
    cms = detect_cms(html, url)
    meta_title = ""
    for meta in doc.iter("meta"):
        if (meta.get("name") or "").lower() == "articletitle" and meta.get("content"):
            meta_title = meta.get("content").strip()
            break
    headlines = _headlines(doc, meta_title)
    text, route = extract_body(doc, cms, url, headlines)
    metadata = extract_metadata(doc, text)
    title = (
        metadata.pop("title", "")
        or meta_title
        or _og_title(doc)
        or _page_title(doc)
        or _first_heading(doc)
    )
    return ExtractedPage(
        url=url,
        title=title,
        text=text,
        cms=cms,
        metadata=metadata,
        attachments=find_attachments(doc, url),
        route=route,
    )


def _first_heading(doc) -> str:
    for tag in ("h1", "h2"):
        for element in doc.iter(tag):
            text = render_text(element).replace("\n", " ").strip()
            if text:
                return text
    return ""


def _og_title(doc) -> str:
    for meta in doc.iter("meta"):
        if (meta.get("property") or "").lower() == "og:title" and meta.get("content"):
            return meta.get("content").strip()
    return ""
