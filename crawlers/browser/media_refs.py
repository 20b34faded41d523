"""The images, videos and caption tracks an ad page shows, for the media stage to read.

Only their URLs are kept here (absolute, de-duplicated, at most `limit`); the media stage
fetches and reads them after the page itself is stored, so a slow or broken file never
holds up the crawl.
"""

from __future__ import annotations

from urllib.parse import urljoin

from parsel import Selector

from storage.records import MediaRecord

_QUERIES = (
    ("img::attr(src)", "image"),
    ("video::attr(src)", "video"),
    ("video source::attr(src)", "video"),
    ("video track::attr(src)", "captions"),
)


def media_refs(html: str, url: str, *, limit: int = 20) -> list[MediaRecord]:
    """MediaRecords (no bytes) for the page's img, video, source and track elements."""
    sel = Selector(text=html)
    seen: set[str] = set()
    out: list[MediaRecord] = []
    for query, media_type in _QUERIES:
        for src in sel.css(query).getall():
            src = src.strip()
            if not src or src.startswith(("data:", "blob:", "javascript:")):
                continue
            absolute = urljoin(url, src)
            if absolute in seen or not absolute.startswith(("http://", "https://")):
                continue
            seen.add(absolute)
            out.append(MediaRecord(url=absolute, media_type=media_type))
            if len(out) >= limit:
                return out
    return out
