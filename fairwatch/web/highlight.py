"""Crawled text as safe HTML: each suspect clause wrapped in <mark>, everything else escaped.

The text is escaped first and only our own <mark> and <br> are added; nh3 then cleans the
result with an allow-list of exactly those, so nothing a page carried (scripts, event
handlers, javascript: URLs) can reach the browser as markup even if escaping were missed.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

import nh3
from markupsafe import Markup

from fairwatch.web.labels import GRADE_CLASS

_TAGS = {"mark", "br", "em"}
_ATTRIBUTES = {"mark": {"id", "class", "title"}}


def clean(html: str) -> Markup:
    """HTML allowed to reach a page: <mark>, <em> and <br> only, no attributes but ours."""
    return Markup(nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=set()))


def highlight(
    text: str, findings: Iterable[object], anchors: dict[int, int] | None = None
) -> Markup:
    """`text` with the spans of `findings` (objects with id, start, end, grade, standard)
    marked; a span overlapping an earlier one shares its mark, and `anchors` (if given)
    gets finding id -> id of the mark that shows it."""
    spans = sorted(
        ((f.start, f.end, f) for f in findings if 0 <= f.start < f.end <= len(text)),
        key=lambda s: (s[0], -s[1]),
    )
    out: list[str] = []
    pos = 0
    shown = -1
    for start, end, finding in spans:
        if start < pos:
            if anchors is not None:
                anchors[int(finding.id)] = shown
            continue
        shown = int(finding.id)
        if anchors is not None:
            anchors[shown] = shown
        out.append(_text(text[pos:start]))
        css = f"clause {GRADE_CLASS.get(finding.grade, '')}".strip()
        out.append(
            f'<mark id="clause-{int(finding.id)}" class="{css}" '
            f'title="{escape(finding.standard)} {escape(finding.grade)}">'
            f"{_text(text[start:end])}</mark>"
        )
        pos = end
    out.append(_text(text[pos:]))
    return clean("".join(out))


def _text(value: str) -> str:
    return escape(value).replace("\n", "<br>")
