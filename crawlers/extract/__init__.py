"""Extraction of text and metadata from fetched pages and attachments.

Pure functions: bytes or text in, text and metadata out; no network, no database.
The agreed cross-team API (see notes/apis.md) is the names in `__all__`.
"""

from __future__ import annotations

from crawlers.extract.dates import to_iso_date
from crawlers.extract.docnumber import DocNumber, find_doc_numbers, parse_doc_number
from crawlers.extract.encoding import decode_html
from crawlers.extract.files import extract_file_text
from crawlers.extract.limits import DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_HTML_BYTES
from crawlers.extract.page import ExtractedPage, extract_page

__all__ = [
    "DEFAULT_MAX_FILE_BYTES",
    "DEFAULT_MAX_HTML_BYTES",
    "DocNumber",
    "ExtractedPage",
    "decode_html",
    "extract_file_text",
    "extract_page",
    "find_doc_numbers",
    "parse_doc_number",
    "to_iso_date",
]
