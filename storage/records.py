"""Plain records that cross the boundary between crawlers, analyzers and storage.

Crawlers build them, storage persists them, the application wires the two. They carry
values only: no sessions, no ORM state, so tests can build them by hand.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

DocumentKind = Literal["policy", "ad"]


def content_hash(text: str) -> str:
    """SHA-256 of text as UTF-8: the key of a document version."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(kw_only=True)
class AttachmentRecord:
    url: str
    filename: str
    file_type: str  # lower-case extension without the dot: pdf, docx, doc, xlsx, wps, ofd
    size: int | None = None
    sha256: str | None = None
    text: str | None = None
    error: str | None = None  # why no text could be extracted; None when text is set


@dataclass(kw_only=True)
class MediaRecord:
    """An image, video, caption track or live-room file of an ad, read by the media stage."""

    url: str
    media_type: str  # image | video | captions | live
    data: bytes | None = None  # None: the media stage fetches url

    @property
    def sha256(self) -> str | None:
        return hashlib.sha256(self.data).hexdigest() if self.data is not None else None


@dataclass(kw_only=True)
class DocumentRecord:
    source_id: str
    url: str  # canonical URL: documents are unique per (source_id, url)
    kind: DocumentKind
    title: str
    body: str
    fetched_at: datetime
    metadata: dict[str, Any] = field(default_factory=dict)
    attachments: list[AttachmentRecord] = field(default_factory=list)
    # Evidence for rendered pages: SHA-256 of the captured HTML, PNG screenshot bytes.
    html_sha256: str | None = None
    screenshot_png: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    media: list[MediaRecord] = field(default_factory=list)

    @property
    def content_hash(self) -> str:
        """Hash of what the analyzers read: title, body, attachment texts and media."""
        parts = [self.title, self.body] + [a.text or "" for a in self.attachments]
        parts += [f"media:{m.url}:{m.sha256 or ''}" for m in self.media]
        return content_hash("\n\x1e".join(parts))


@dataclass(kw_only=True)
class FindingRecord:
    standard: str  # an id from STANDARDS.md, e.g. FC-9-3 or AD-9-3
    rule: str
    grade: str  # 明显违反 | 疑似 | 提示
    start: int
    end: int
    quote: str
    citation: str
    explanation: str
    exception: str | None = None  # FC-12 item that may apply
    sector: str | None = None  # ad findings: the sector the rule assumed
    field: str = "body"  # which text the offsets point into: body, title, attachment:<n>, media:<n>
    location: list[dict[str, Any]] | None = None  # media: image and box, or time range
