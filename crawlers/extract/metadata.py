"""Publication metadata of Chinese government pages: 发文字号, 发文机关, dates, 索引号...

Three places, most trusted first: the standard government-site meta tags (ArticleTitle,
PubDate, ContentSource, SiteName) that TRS and Hanweb emit; the 信息公开 metadata table
(a label cell such as 索引号 followed by its value cell, or "label：value" in one cell);
"label：value" lines elsewhere on the page. Then the body text itself: a document number
under the title, the issuer and 成文日期 lines that close a document.
"""

from __future__ import annotations

import re

from crawlers.extract.dates import is_date_line, to_iso_date
from crawlers.extract.docnumber import parse_doc_number
from crawlers.extract.dom import compact, render_text

# Field -> the labels pages use for it (compared without whitespace or colons).
LABELS: dict[str, tuple[str, ...]] = {
    "doc_number": ("发文字号", "文号", "发文号", "文件编号", "字号"),
    "issuer": ("发文机关", "发布机构", "发文单位", "发布机关", "制发机关", "发文机构",
               "发布单位", "成文机关", "公开责任部门"),
    "written": ("成文日期", "成文时间", "印发日期", "签发日期"),
    "published": ("发布日期", "发布时间", "公开日期", "发文日期", "公布日期", "发表时间",
                  "时间", "日期"),
    "index_no": ("索引号",),
    "topic": ("主题分类", "主题类别", "信息分类", "分类", "体裁分类"),
    "validity": ("有效性", "时效性", "效力状态", "是否有效", "效力"),
    "source": ("来源", "信息来源", "文章来源", "稿件来源"),
    "title": ("标题", "名称", "文件名称", "文件标题"),
}
_LABEL_FIELD = {label: field for field, labels in LABELS.items() for label in labels}
_META_FIELD = {
    "articletitle": "title",
    "pubdate": "published",
    "publishdate": "published",
    "firstpublishedtime": "published",
    "article:published_time": "published",
    "contentsource": "source",
    "sitename": "source_site",
    "department": "issuer",
}
_DATE_FIELDS = ("published", "written")
_EMPTY = {"", "无", "-", "—", "/", "暂无", "null", "none", "0"}
# A label must start a word: 标题 inside 原标题 (the original headline line that
# republished stories carry) is not the page's title.
_LABEL_ALTERNATION = "|".join(sorted(map(re.escape, _LABEL_FIELD), key=len, reverse=True))
_INLINE = re.compile(
    r"(?<![\u4e00-\u9fff])(?P<label>" + _LABEL_ALTERNATION + r")\s*[:：]\s*"
    r"(?P<value>.*?)(?=\s*[\u4e00-\u9fff]{2,5}\s*[:：]|$)"
)
_ORG_SUFFIX = re.compile(r"(人民政府|办公厅|办公室|委员会|局|厅|部|署|院|委|中心|政府|公司)$")
_MAX_LINE = 200
_HEAD_LINES = 8
_NUMBER_LINE_MAX = 30


def _clean(value: str) -> str:
    value = re.sub(r"\s+", " ", value).strip(" ：:|｜")
    return "" if value.lower() in _EMPTY else value


def _put(found: dict[str, str], field: str, value: str) -> None:
    value = _clean(value)
    if not value or field in found:
        return
    if field in _DATE_FIELDS:
        iso = to_iso_date(value)
        if iso:
            found[field] = iso
        return
    found[field] = value


def _label(text: str) -> str | None:
    return _LABEL_FIELD.get(compact(text).strip(":："))


def from_meta(doc) -> dict[str, str]:
    found: dict[str, str] = {}
    for meta in doc.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").strip().lower()
        field = _META_FIELD.get(name)
        if field:
            _put(found, field, meta.get("content") or "")
    return found


def from_tables(doc, body: str = "") -> dict[str, str]:
    """Pairs from label/value cells: `<td>索引号：</td><td>...</td>` or `<td>索引号：...</td>`.

    Rows that are part of the body are skipped: a 时间 column in a schedule annexed to
    the document says nothing about the page.
    """
    found: dict[str, str] = {}
    flat_body = compact(body)
    for row in doc.iter("tr"):
        cells = [render_text(cell) for cell in row if cell.tag in ("td", "th")]
        row_found: dict[str, str] = {}
        for index, cell in enumerate(cells):
            field = _label(cell)
            if field and index + 1 < len(cells) and _label(cells[index + 1]) is None:
                _put(row_found, field, cells[index + 1])
            elif field is None and len(cell) < _MAX_LINE:
                _inline(cell, row_found)
        if row_found and not (flat_body and compact("".join(cells)) in flat_body):
            for field, value in row_found.items():
                found.setdefault(field, value)
    return found


def from_lines(text: str, body: str = "") -> dict[str, str]:
    """Pairs written as "label：value" on short lines of the page text outside the body.

    Lines of the body are skipped: "时间：" in a meeting notice is not the publication date.
    """
    found: dict[str, str] = {}
    body_lines = set(body.split("\n"))
    for line in text.split("\n"):
        if len(line) < _MAX_LINE and line not in body_lines:
            _inline(line, found)
    return found


def _inline(line: str, found: dict[str, str]) -> None:
    for match in _INLINE.finditer(line):
        _put(found, _LABEL_FIELD[match.group("label")], match.group("value"))


def from_body(body: str) -> dict[str, str]:
    """Number under the title; issuer and 成文日期 on the closing lines of the document."""
    found: dict[str, str] = {}
    lines = [line.strip() for line in body.split("\n") if line.strip()]
    # GB/T 9704 puts the number on a line of its own under the issuer's mark; a number
    # quoted inside a sentence of the opening lines is another document's.
    for line in lines[:_HEAD_LINES]:
        if len(line) <= _NUMBER_LINE_MAX:
            try:
                found["doc_number"] = parse_doc_number(line).raw.strip()
                break
            except ValueError:
                continue
    for index in range(len(lines) - 1, max(len(lines) - 6, -1), -1):
        if is_date_line(lines[index]):
            _put(found, "written", lines[index])
            previous = lines[index - 1] if index else ""
            if len(previous) <= 30 and _ORG_SUFFIX.search(previous):
                found["issuer"] = previous
            break
    return found


def extract_metadata(doc, body: str) -> dict[str, str]:
    """All metadata found for the cleaned tree `doc` whose main text is `body`."""
    merged: dict[str, str] = {}
    page_text = render_text(doc)
    parts = (from_meta(doc), from_tables(doc, body), from_lines(page_text, body), from_body(body))
    for part in parts:
        for field, value in part.items():
            merged.setdefault(field, value)
    return merged
