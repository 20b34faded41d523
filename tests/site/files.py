"""Attachment bytes served by the fixture site, built by the extraction tests' factory.

PDF and DOCX come from tests/extract/attachment_factory.py (reportlab, python-docx). A
DOC is that DOCX converted by LibreOffice when `soffice` is installed (make test installs
it); without it the site serves the DOCX bytes under the .doc name, which is what many
portals do anyway, so the demo still runs on a machine with nothing but Python.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

from tests.extract import attachment_factory as factory

logger = logging.getLogger(__name__)
_doc_lock = threading.Lock()


def _lines(text: str, width: int = 38) -> tuple[str, ...]:
    # reportlab draws one line per call and does not wrap; 38 CJK characters fit a page.
    out: list[str] = []
    for paragraph in text.splitlines():
        out.extend(paragraph[i : i + width] for i in range(0, len(paragraph), width))
    return tuple(out[:35])


@lru_cache(maxsize=64)
def attachment_bytes(ext: str, text: str) -> bytes:
    """The bytes of a .pdf, .docx or .doc attachment carrying (part of) text."""
    if ext == "pdf":
        return factory.make_pdf(pages=(_lines(text),))
    if ext == "docx":
        return factory.make_docx()
    if ext == "doc":
        return _doc()
    raise ValueError(f"the fixture site has no .{ext} attachments")


@lru_cache(maxsize=1)
def _doc() -> bytes:
    with _doc_lock:
        if shutil.which("soffice") is None:
            logger.warning("soffice not installed: serving the DOCX bytes as the .doc attachment")
            return factory.make_docx()
        with tempfile.TemporaryDirectory(prefix="fixture-doc-") as tmp:
            workdir = Path(tmp)
            (workdir / "policy.docx").write_bytes(factory.make_docx())
            return factory.convert_with_libreoffice(workdir / "policy.docx", "doc", workdir)
