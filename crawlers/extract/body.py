"""Main-text extraction: the article body without navigation, share bars or footers.

Order: the content element of the page's system (cms.py), then trafilatura in precision
mode, then trafilatura in recall mode, then the page text minus its navigation. Whatever
the route, the text is trimmed of the trailers Chinese sites append to articles
(disclaimers, comment threads, "related reading" lists) and of headline lines repeated
at its top.
"""

from __future__ import annotations

import copy
import logging
import re

import trafilatura

from crawlers.extract.cms import find_content_element
from crawlers.extract.dom import compact, link_density, render_text

logger = logging.getLogger(__name__)

# A line starting with one of these opens the trailer of an article: everything from it
# on is dropped, when it sits in the last part of the text (an article may quote them).
_TRAILER = re.compile(
    r"^[【\[（(]?\s*(特别声明：以上内容|网易跟贴|网友评论仅供|推荐阅读|相关阅读|相关推荐|"
    r"相关新闻|相关文章|相关链接|热门推荐|热点推荐|延伸阅读|猜你喜欢|责任编辑|健康资讯推荐|"
    r"热门问答|扫一扫|分享到|打印本页|关闭窗口|上一篇|下一篇|版权所有|Copyright|©)",
    re.I,
)
# A short line naming copyright or the site licence is the page footer.
_FOOTER = re.compile(r"版权所有|Copyright|©|ICP备|ICP证|公网安备|网站标识码", re.I)
_FOOTER_MAX_CHARS = 60
_TRAILER_MIN_SHARE = 0.3
_MAX_HEADLINE_LINES = 6
_NAV_TAGS = ("nav", "header", "footer", "aside", "form")
# Past this many characters of page text trafilatura is not used: its cost grows faster
# than the page (a 7 MB page takes minutes), and pages that big are lists and archives
# rather than articles. The linear fallback handles them. The longest national law (the
# Civil Code) is about 100,000 characters.
TRAFILATURA_MAX_CHARS = 300_000


def extract_body(doc, cms: str, url: str, headlines: list[str]) -> tuple[str, str]:
    """Return (main text, route used) for the cleaned tree `doc`.

    `headlines` are the page's title strings; lines of the text that only repeat them
    at its start are dropped. The route is 'selector', 'trafilatura' or 'fallback'.
    """
    element = find_content_element(doc, cms)
    if element is not None:
        text, route = render_text(element), "selector"
    elif len(doc.text_content()) > TRAFILATURA_MAX_CHARS:
        text, route = _fallback(doc), "fallback"
    else:
        text, route = _trafilatura(doc, url, precision=True), "trafilatura"
        if len(compact(text)) < 50:
            recall = _trafilatura(doc, url, precision=False)
            if len(compact(recall)) > len(compact(text)):
                text = recall
        if not text:
            text, route = _fallback(doc), "fallback"
    logger.debug("body of %s extracted by %s", url or "page", route)
    return trim(text, headlines), route


def _trafilatura(doc, url: str, *, precision: bool) -> str:
    # trafilatura prunes the tree it is given: hand it a copy.
    text = trafilatura.extract(
        copy.deepcopy(doc),
        url=url or None,
        favor_precision=precision,
        favor_recall=not precision,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
    )
    return text or ""


def _fallback(doc) -> str:
    body = doc.find("body")
    root = copy.deepcopy(body if body is not None else doc)
    for el in list(root.iter(*_NAV_TAGS)):
        el.drop_tree()
    for el in list(root.iter("ul", "ol", "div", "table")):
        if el.getparent() is not None and link_density(el) > 0.6:
            el.drop_tree()
    return render_text(root)


def trim(text: str, headlines: list[str]) -> str:
    """Drop the article trailer and headline lines repeated at the top of `text`."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    total = sum(len(compact(line)) for line in lines) or 1
    seen = 0
    for index, line in enumerate(lines):
        footer = len(line) <= _FOOTER_MAX_CHARS and _FOOTER.search(line)
        if seen / total >= _TRAILER_MIN_SHARE and (_TRAILER.match(line) or footer):
            lines = lines[:index]
            break
        seen += len(compact(line))
    keys = [compact(h) for h in headlines if h and len(compact(h)) >= 4]
    dropped = 0
    while len(lines) > 1 and dropped < _MAX_HEADLINE_LINES and _is_headline(lines[0], keys):
        lines.pop(0)
        dropped += 1
    return "\n".join(lines)


def _is_headline(line: str, keys: list[str]) -> bool:
    flat = compact(line)
    if not flat or len(flat) > 80 or flat[-1] in "。！？；…":
        return False
    return any(flat in key or (key in flat and len(flat) <= len(key) + 10) for key in keys)
