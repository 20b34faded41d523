"""OFD (GB/T 33190, the Chinese fixed-layout format): a zip of XML files.

OFD.xml names each document's root (DocBody/DocRoot, e.g. Doc_0/Document.xml), which
lists its pages (Pages/Page@BaseLoc); each page's Content.xml holds TextObject elements
whose TextCode children carry the text. Text objects on the same baseline (same Y)
are joined on one line.
"""

from __future__ import annotations

import posixpath
import re

from lxml import etree

from crawlers.errors import AttachmentError
from crawlers.extract.files.containers import open_zip

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(root, name: str):
    return [el for el in root.iter() if _local(el.tag) == name]


def _resolve(base_dir: str, loc: str) -> str:
    loc = loc.strip()
    if loc.startswith("/"):
        return posixpath.normpath(loc.lstrip("/"))
    return posixpath.normpath(posixpath.join(base_dir, loc))


def read(data: bytes, *, max_bytes: int) -> str:
    archive = open_zip(data, "ofd", max_bytes)
    with archive:
        names = set(archive.namelist())
        if "OFD.xml" not in names:
            raise AttachmentError("ofd: OFD.xml is missing: not an OFD package")
        entry = etree.fromstring(archive.read("OFD.xml"), _PARSER)
        pages: list[str] = []
        for root in _children(entry, "DocRoot"):
            doc_path = _resolve("", root.text or "")
            if doc_path not in names:
                raise AttachmentError(f"ofd: the document root {doc_path} is missing")
            document = etree.fromstring(archive.read(doc_path), _PARSER)
            doc_dir = posixpath.dirname(doc_path)
            for page in _children(document, "Page"):
                page_path = _resolve(doc_dir, page.get("BaseLoc", ""))
                if page_path in names:
                    pages.append(_page_text(archive.read(page_path)))
        if not pages:  # a package whose Document.xml lists no pages: read them by name
            for name in sorted(n for n in names if re.search(r"Page_\d+/Content\.xml$", n)):
                pages.append(_page_text(archive.read(name)))
    return "\n\n".join(pages)


def _page_text(content: bytes) -> str:
    lines: list[str] = []
    baseline: float | None = None
    for obj in _children(etree.fromstring(content, _PARSER), "TextObject"):
        top = _top(obj)
        text = "".join(code.text or "" for code in _children(obj, "TextCode"))
        if not text:
            continue
        if lines and baseline is not None and top is not None and abs(top - baseline) < 1.0:
            lines[-1] += text
        else:
            lines.append(text)
        baseline = top
    return "\n".join(lines)


def _top(obj) -> float | None:
    boundary = (obj.get("Boundary") or "").split()
    try:
        return float(boundary[1])
    except (IndexError, ValueError):
        return None
