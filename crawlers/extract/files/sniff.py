"""Recognise an attachment's real format from its first bytes."""

from __future__ import annotations

import io
import zipfile

import olefile

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff_type(data: bytes) -> str | None:
    """'pdf', 'docx', 'xlsx', 'ofd', 'doc', 'xls', 'rtf', 'html' or None when unknown."""
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    if data.startswith(_OLE_MAGIC):
        return _ole_type(data)
    if head.startswith(b"{\\rtf"):
        return "rtf"
    lowered = head[:512].lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered:
        return "html"
    return None


def _zip_type(data: bytes) -> str | None:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except zipfile.BadZipFile:
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "OFD.xml" in names:
        return "ofd"
    return "zip"


def _ole_type(data: bytes) -> str | None:
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            if ole.exists("WordDocument"):
                return "doc"
            if ole.exists("Workbook") or ole.exists("Book"):
                return "xls"
    except OSError:
        return None
    return None
