"""What an ad page says once rendered: read from the captured HTML with the source's rules.

`capture(html, url, rules)` returns a Capture (title, author/shop/anchor, text, product
cards, comments, danmaku, transcript lines, publish time); `Capture.body` is the text the
ad analyzer reads: the advertiser's own words (text, product cards, transcript), not the
viewers' comments and danmaku, which are kept beside it in the document metadata.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from parsel import Selector

from crawlers.browser.rules import AdRules, split_selector

__all__ = ["Capture", "Line", "Product", "capture", "lines"]


@dataclass(frozen=True)
class Product:
    name: str
    price: str
    link: str


@dataclass(frozen=True)
class Line:
    """A transcript line or danmaku message; `key` identifies it across polls."""

    key: str
    text: str
    speaker: str = ""
    at: str = ""

    def render(self) -> str:
        who = f"{self.speaker}: " if self.speaker else ""
        when = f"[{self.at}] " if self.at else ""
        return f"{when}{who}{self.text}"


@dataclass
class Capture:
    url: str
    title: str = ""
    author: str = ""
    text: str = ""
    published: str = ""
    products: list[Product] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    danmaku: list[Line] = field(default_factory=list)
    transcript: list[Line] = field(default_factory=list)

    @property
    def body(self) -> str:
        parts = [self.text] if self.text else []
        parts += [f"{p.name} {p.price} {p.link}".strip() for p in self.products]
        parts += [line.render() for line in self.transcript]
        return "\n".join(parts)

    def metadata(self) -> dict[str, Any]:
        return {
            "author": self.author,
            "published": self.published,
            "products": [asdict(p) for p in self.products],
            "comments": self.comments,
            "danmaku": [asdict(d) for d in self.danmaku],
            "transcript": [asdict(t) for t in self.transcript],
        }


def _text_of(node: Selector) -> str:
    return "\n".join(t.strip() for t in node.css("::text").getall() if t.strip())


def _value(node: Selector, selector: str | None) -> list[str]:
    if not selector:
        return []
    css, attr = split_selector(selector)
    found = node.css(css)
    if attr:
        return [v.strip() for v in found.xpath(f"@{attr}").getall() if v.strip()]
    return [t for t in (_text_of(n) for n in found) if t]


def _first(node: Selector, selector: str | None) -> str:
    values = _value(node, selector)
    return values[0] if values else ""


def lines(page: Selector, selector: str | None, id_attr: str) -> list[Line]:
    """Transcript or danmaku lines with their identity (id_attr, else position and text)."""
    if not selector:
        return []
    out = []
    for i, node in enumerate(page.css(selector)):
        text = _text_of(node)
        if not text:
            continue
        key = node.attrib.get(id_attr) or f"{i}:{text}"
        out.append(
            Line(
                key=key,
                text=text,
                speaker=node.attrib.get("data-speaker", ""),
                at=node.attrib.get("data-at", ""),
            )
        )
    return out


def capture(html: str, url: str, rules: AdRules) -> Capture:
    page = Selector(text=html)
    f = rules.fields
    products = []
    if rules.products is not None:
        p = rules.products
        for card in page.css(p.item):
            link = _first(card, p.link)
            products.append(Product(_first(card, p.name), _first(card, p.price), link))
    id_attr = rules.live.line_id if rules.live else "data-seq"
    return Capture(
        url=url,
        title=_first(page, f.title),
        author=_first(page, f.author),
        text="\n".join(_value(page, f.text)),
        published=_first(page, f.published),
        products=products,
        comments=_value(page, f.comments),
        danmaku=lines(page, f.danmaku, id_attr),
        transcript=lines(page, f.transcript, id_attr),
    )
