"""PDF text with pdfminer.six."""

from __future__ import annotations

import io
import re

from pdfminer.high_level import extract_text
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from crawlers.errors import AttachmentError

#: Pages read at most: a policy document with annexes is a few hundred pages.
MAX_PAGES = 2000
# pdfminer writes "(cid:1234)" for glyphs of fonts that carry no Unicode map.
_CID = re.compile(r"\(cid:\d+\)")
_MAX_CID_SHARE = 0.3


def read(data: bytes, *, max_bytes: int) -> str:
    try:
        text = extract_text(io.BytesIO(data), maxpages=MAX_PAGES)
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise AttachmentError(f"pdf: the document is encrypted ({exc or 'password'})") from exc
    unmapped = len(_CID.findall(text))
    if unmapped and unmapped * 8 > _MAX_CID_SHARE * len(text):
        raise AttachmentError(
            f"pdf: {unmapped} glyphs come from fonts without a Unicode map; "
            "the text cannot be recovered without OCR"
        )
    return _CID.sub("", text)
