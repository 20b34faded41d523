"""Find the next list page: 下一页 links, the TRS createPageHTML(...) script, index_{n}.html.

TRS portals page lists as index.html, index_1.html, index_2.html ... and write the pager
with a script call `createPageHTML(total, current, "index", "html")` (current counts from
0), so there is no <a> to follow in the HTML itself.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from parsel import Selector

NEXT_TEXTS = {
    "下一页",
    "下页",
    "后一页",
    "下一頁",
    "next",
    "next page",
    ">",
    "›",
    "»",
    ">>",
    "下一页>",
    "下一页>>",
}
CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*(?:['\"][\w-]+['\"]\s*,\s*)?(\d+)\s*,\s*(\d+)\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
INDEX_N = re.compile(
    r"^(?P<stem>.*/)(?P<name>index|list|default)(?:_(?P<n>\d+))?\.(?P<ext>s?html?)$"
)


def _next_from_links(sel: Selector, base_url: str) -> str | None:
    for anchor in sel.xpath("//a"):
        text = re.sub(r"\s+", "", " ".join(anchor.xpath(".//text()").getall())).lower()
        label = text or (anchor.attrib.get("title") or "").strip().lower()
        if label not in NEXT_TEXTS:
            continue
        href = (anchor.attrib.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#")):
            continue
        return urljoin(base_url, href)
    return None


def _next_from_trs_script(sel: Selector, base_url: str) -> str | None:
    for script in sel.xpath("//script/text()").getall():
        match = CREATE_PAGE.search(script)
        if not match:
            continue
        total, current, prefix, ext = int(match[1]), int(match[2]), match[3], match[4]
        if current + 1 >= total:
            return None
        return urljoin(base_url, f"{prefix}_{current + 1}.{ext}")
    return None


def _next_from_index_links(sel: Selector, base_url: str) -> str | None:
    """index_{n+1}.html linked from index_{n}.html (or index.html) of the same folder."""
    match = INDEX_N.match(urlsplit(base_url).path)
    if not match:
        return None
    current = int(match["n"] or 0)
    wanted = f"{match['stem']}{match['name']}_{current + 1}.{match['ext']}"
    for href in sel.xpath("//a/@href").getall():
        url = urljoin(base_url, href.strip())
        if urlsplit(url).path == wanted:
            return url
    return None


def discover_next_page(html: str | Selector, base_url: str) -> str | None:
    """The absolute URL of the next list page, or None on the last page."""
    sel = html if isinstance(html, Selector) else Selector(text=html)
    for finder in (_next_from_links, _next_from_trs_script, _next_from_index_links):
        url = finder(sel, base_url)
        if url and url != base_url:
            return url
    return None
