"""Find the links to detail pages on a government list page.

No selector is needed for most portals: a detail link is scored by the shape of its URL
(TRS `t20240315_123.html`, Hanweb `art_1229_123.html`, date paths, numeric ids), by its
anchor text (a title of some length, words such as 通知/办法/意见) and by a date printed
next to it; links in headers, navigation and footers lose points. Links scoring at least
MIN_SCORE are returned in page order.
"""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urljoin, urlsplit

from parsel import Selector

MIN_SCORE = 3
DETAIL_URL = re.compile(
    r"(/t\d{8}_\d+\.s?html?$)"  # TRS
    r"|(/art_\d+_\d+\.html$)"  # Hanweb 大汉
    r"|(/(19|20)\d{2}[-/]?\d{1,2}([-/]\d{1,2})?/)"  # date path
    r"|(/(content|post|detail|art|info|zhengce)[_/-]?\w*\d{3,}\w*\.s?html?$)"
    r"|(/\d{5,}\.s?html?$)"
    r"|([?&](id|docid|articleid|infoid|contentid)=\w{3,})",
    re.IGNORECASE,
)
LIST_URL = re.compile(r"/(index|list|default)(_\d+)?\.s?html?$|/$", re.IGNORECASE)
FILE_URL = re.compile(
    r"\.(pdf|docx?|xlsx?|wps|ofd|zip|rar|jpe?g|png|gif|mp4|et|txt)$", re.IGNORECASE
)
TITLE_WORDS = re.compile(
    r"通知|办法|意见|规定|方案|决定|措施|公告|细则|规划|条例|实施|批复|通告|政策|函|令"
)
DATE = re.compile(r"(19|20)\d{2}[-./年]\d{1,2}[-./月]\d{1,2}")
CJK = re.compile(r"[\u4e00-\u9fff]")
CHROME = re.compile(
    r"nav|menu|header|footer|foot|top|banner|breadcrumb|crumb|share|sidebar|friend|link", re.I
)


def _in_chrome(anchor: Selector) -> bool:
    for el in anchor.xpath("ancestor::*[position() <= 6]"):
        tag = el.root.tag if isinstance(el.root.tag, str) else ""
        if tag in ("nav", "header", "footer"):
            return True
        marks = " ".join(filter(None, [el.attrib.get("class"), el.attrib.get("id")]))
        if marks and CHROME.search(marks):
            return True
    return False


def score_link(url: str, text: str, context: str, *, in_chrome: bool) -> int:
    """Points for one candidate link; the rules are the module docstring's."""
    score = 0
    if DETAIL_URL.search(url):
        score += 2
    if LIST_URL.search(urlsplit(url).path):
        score -= 2
    cjk = len(CJK.findall(text))
    if cjk >= 8:
        score += 1
    if cjk >= 4 and TITLE_WORDS.search(text):
        score += 1
    if DATE.search(context):
        score += 1
    if in_chrome:
        score -= 2
    if cjk < 4:
        score -= 1
    return score


def discover_detail_links(html: str | Selector, base_url: str) -> list[str]:
    """Absolute URLs of the detail pages linked from a list page, in page order."""
    sel = html if isinstance(html, Selector) else Selector(text=html)
    base = sel.xpath("//base/@href").get()
    base_url = urljoin(base_url, base) if base else base_url
    host = urlsplit(base_url).hostname
    page = urldefrag(base_url)[0]
    found: list[str] = []
    seen: set[str] = set()
    for anchor in sel.xpath("//a[@href]"):
        href = anchor.attrib["href"].strip()
        if not href or href.startswith(("javascript:", "mailto:", "#", "tel:")):
            continue
        url = urldefrag(urljoin(base_url, href))[0]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.hostname != host:
            continue
        if url == page or url in seen or FILE_URL.search(parts.path):
            continue
        text = " ".join(anchor.xpath(".//text()").getall()).strip() or anchor.attrib.get(
            "title", ""
        )
        parent_text = " ".join(anchor.xpath("..//text()").getall())
        if score_link(url, text, parent_text, in_chrome=_in_chrome(anchor)) >= MIN_SCORE:
            seen.add(url)
            found.append(url)
    return found
