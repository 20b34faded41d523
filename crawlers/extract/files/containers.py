"""Open zip-based formats (DOCX, XLSX, OFD) with a bound on what they expand to."""

from __future__ import annotations

import io
import zipfile

from crawlers.errors import AttachmentError

#: A zip may expand to at most this many times the byte limit of the file itself.
EXPANSION_FACTOR = 4


def open_zip(data: bytes, file_type: str, max_bytes: int) -> zipfile.ZipFile:
    """The archive in `data`; AttachmentError when it is not a zip or is a zip bomb."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise AttachmentError(f"{file_type}: not a valid zip container ({exc})") from exc
    expanded = sum(info.file_size for info in archive.infolist())
    if expanded > max_bytes * EXPANSION_FACTOR:
        raise AttachmentError(
            f"{file_type}: expands to {expanded} bytes, over the "
            f"{max_bytes * EXPANSION_FACTOR}-byte limit (zip bomb?)"
        )
    return archive
