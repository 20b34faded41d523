"""Parse hostile HTML into a cleaned lxml tree and render element text.

Parsing is bounded (see limits.py); scripts, styles, comments and other non-content
elements are removed before any text is read, so their content never leaks into text.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from crawlers.errors import ExtractionError
from crawlers.extract.limits import DEFAULT_MAX_HTML_BYTES, check_html_size, utf8_size

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "svg", "object", "embed",
              "canvas", "select", "textarea", "button")
_BLOCK = """
address article aside blockquote body caption center dd details div dl dt fieldset
figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre
section summary table tbody tfoot thead tr ul
"""
BLOCK_TAGS = frozenset(_BLOCK.split())
CELL_TAGS = frozenset(("td", "th"))
_SPACES = re.compile(r"[ \t\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff\r\f\v]+")


def parse_html(html: str, *, url: str = "", max_bytes: int = DEFAULT_MAX_HTML_BYTES):
    """Parse `html` into a cleaned lxml HtmlElement (the <html> root).

    Raises PageTooLargeError over `max_bytes`, ExtractionError for an empty document.
    """
    check_html_size(utf8_size(html, max_bytes), max_bytes, url)
    # lxml refuses str input that carries an XML encoding declaration.
    html = _XML_DECL.sub("", html, count=1)
    if not html.strip():
        raise ExtractionError("page is empty", url=url, size=0)
    try:
        doc = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"HTML could not be parsed: {exc}", url=url) from exc
    clean(doc)
    return doc


def clean(doc) -> None:
    """Remove elements whose text is never content, keeping the text that follows them."""
    doomed = [el for el in doc.iter(*_DROP_TAGS, etree.Comment, etree.ProcessingInstruction)]
    for el in doomed:
        parent = el.getparent()
        if parent is None:
            continue
        tail = el.tail
        prev = el.getprevious()
        if tail:
            if prev is not None:
                prev.tail = (prev.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
        parent.remove(el)


def render_text(el) -> str:
    """Text of `el` with block elements on their own lines and table cells tab-separated."""
    parts: list[str] = []
    # Iterative walk: hostile pages nest deeply enough to exhaust Python's recursion limit.
    for event, node in etree.iterwalk(el, events=("start", "end")):
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            if tag == "br" or tag in BLOCK_TAGS:
                parts.append("\n")
            elif tag in CELL_TAGS:
                parts.append("\t")
            if node.text and tag:
                parts.append(node.text)
        else:
            if tag in BLOCK_TAGS:
                parts.append("\n")
            if node is not el and node.tail:
                parts.append(node.tail)
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def compact(text: str) -> str:
    """`text` without any whitespace: the unit of length for Chinese text."""
    return "".join(text.split())


def link_density(el) -> float:
    """Share of the element's characters that sit inside links (1.0 for a pure menu)."""
    text = compact("".join(el.itertext()))
    if not text:
        return 0.0
    linked = sum(len(compact("".join(a.itertext()))) for a in el.iter("a"))
    return linked / len(text)
