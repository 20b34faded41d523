"""Text of attachments: PDF, DOCX, DOC, WPS, XLS/ET, XLSX, OFD, plain text.

`extract_file_text(data, file_type)` is the one entry point. The declared type comes
from the link or the URL and is often wrong on government sites (a .doc that is really
DOCX, RTF or HTML; a .pdf that is an error page), so the bytes are sniffed first and the
real format wins. Every failure, including a file with no text at all, raises
AttachmentError whose `reason` names the type and what went wrong.
"""

from __future__ import annotations

import logging
from functools import partial

from crawlers.errors import AttachmentError
from crawlers.extract.files import docx, ofd, pdf, sheets, word97
from crawlers.extract.files.sniff import sniff_type
from crawlers.extract.files.text import decode_text, html_text, tidy
from crawlers.extract.limits import DEFAULT_MAX_FILE_BYTES

logger = logging.getLogger(__name__)

_READERS = {
    "pdf": pdf.read,
    "docx": docx.read,
    "doc": word97.read,
    "wps": partial(word97.read, file_type="wps"),
    "xlsx": sheets.read_xlsx,
    "xls": sheets.read_xls,
    "et": sheets.read_xls,
    "ofd": ofd.read,
    "txt": decode_text,
    "csv": decode_text,
    "html": html_text,
    "htm": html_text,
}
# Types whose files are sometimes really HTML (Word and Excel "save as web page").
_HTML_LIKE = frozenset(("html", "htm", "doc", "wps", "xls", "et"))
#: File types extract_file_text reads (lower-case extensions).
SUPPORTED_TYPES = frozenset(_READERS)


def extract_file_text(
    data: bytes, file_type: str, *, max_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> str:
    """Plain text of an attachment whose extension is `file_type` (e.g. "pdf", ".DOCX").

    Raises AttachmentError (with `.reason` and `.file_type`) when the file is empty, over
    `max_bytes`, of an unsupported type, corrupt, encrypted or without any text.
    """
    declared = (file_type or "").strip().lower().lstrip(".")
    if not data:
        raise AttachmentError(f"{declared or 'file'}: the file is empty", file_type=declared)
    if len(data) > max_bytes:
        raise AttachmentError(
            f"{declared or 'file'}: {len(data)} bytes is over the {max_bytes}-byte limit",
            file_type=declared,
        )
    actual = sniff_type(data) or declared
    if actual == "html" and declared not in _HTML_LIKE:
        raise AttachmentError(
            f"{declared or 'file'}: the server sent an HTML page instead of the file",
            file_type=declared,
        )
    if actual != declared and actual not in _READERS and actual in ("rtf", "zip"):
        raise AttachmentError(
            f"{declared or 'file'}: the file is really {actual.upper()}, which is not supported",
            file_type=declared,
        )
    if actual != declared and actual in _READERS:
        logger.info("attachment declared as %r is really %r: read as %s", declared, actual, actual)
    elif actual != declared:
        actual = declared
    reader = _READERS.get(actual)
    if reader is None:
        raise AttachmentError(
            f"{declared or 'file'}: unsupported file type (supported: "
            f"{', '.join(sorted(_READERS))})",
            file_type=declared,
        )
    try:
        text = tidy(reader(data, max_bytes=max_bytes))
    except AttachmentError as exc:
        exc.file_type = exc.file_type or actual
        raise
    except Exception as exc:  # noqa: BLE001 - third-party parsers raise anything on bad input
        raise AttachmentError(
            f"{actual}: corrupt or unreadable file ({type(exc).__name__}: {exc})",
            file_type=actual,
        ) from exc
    if not text.strip():
        hint = " (a scanned image without a text layer?)" if actual == "pdf" else ""
        raise AttachmentError(f"{actual}: the file contains no text{hint}", file_type=actual)
    return text


__all__ = ["SUPPORTED_TYPES", "extract_file_text"]
