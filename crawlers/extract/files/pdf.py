"""PDF text with pdfminer.six."""

from __future__ import annotations

import io

from pdfminer.high_level import extract_text
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from crawlers.errors import AttachmentError


def read(data: bytes, *, max_bytes: int) -> str:
    try:
        return extract_text(io.BytesIO(data))
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise AttachmentError(f"pdf: the document is encrypted ({exc or 'password'})") from exc
