"""Exceptions raised by the crawler side: one base class, one leaf per kind of failure.

Every exception carries the context needed to act on it (file type, size, URL, source
id) as attributes, and a message that says what was wrong.
"""

from __future__ import annotations


class CrawlerError(Exception):
    """Base class of every error raised under `crawlers/`."""


class ExtractionError(CrawlerError):
    """A page could not be decoded or its content extracted.

    `reason` says what went wrong; `url` and `size` (bytes) are set when known.
    """

    def __init__(self, reason: str, *, url: str = "", size: int | None = None) -> None:
        self.reason = reason
        self.url = url
        self.size = size
        where = f" ({url})" if url else ""
        super().__init__(f"{reason}{where}")


class PageTooLargeError(ExtractionError):
    """A page is larger than the configured limit; it was not parsed."""

    def __init__(self, size: int, limit: int, *, url: str = "") -> None:
        self.limit = limit
        super().__init__(
            f"page is {size} bytes, over the {limit}-byte extraction limit", url=url, size=size
        )


class AttachmentError(CrawlerError):
    """No text could be extracted from an attachment.

    `reason` is the human-readable cause stored with the attachment record; `file_type`
    the lower-case extension it was read as; `url` is set when the caller knows it.
    """

    def __init__(self, reason: str, *, file_type: str = "", url: str = "") -> None:
        self.reason = reason
        self.file_type = file_type
        self.url = url
        where = f" ({url})" if url else ""
        super().__init__(f"{reason}{where}")
