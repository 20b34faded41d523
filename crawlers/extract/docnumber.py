"""发文字号 (document numbers) such as 粤府〔2023〕67号: parse one, or find them in text.

A number is an issuer prefix (粤府, 国办发, 财税), a year and a serial. Real pages write
the year brackets as 〔〕, [], （）, (), 【】, ［］ or 〖〗, use full-width digits, put
spaces anywhere, write 第67号, and some series have no brackets at all: 国家税务总局公告
2015年第41号, 国务院令第708号 (decrees carry no year).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

_OPEN = "〔[(（【［〖{｛<〈"
_CLOSE = "〕])）】］〗}｝>〉"
_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")}
_CN_DIGITS |= {"零": "0", "○": "0", "Ｏ": "0"}
_YEAR = r"(?P<year>\d{4}|\d{2}|[〇○零一二三四五六七八九]{4})"
_PREFIX_CHARS = r"[\u4e00-\u9fffA-Za-z·]"

_BRACKETED = re.compile(
    rf"^(?P<prefix>{_PREFIX_CHARS}[\u4e00-\u9fffA-Za-z0-9·\-]*?)"
    rf"[{re.escape(_OPEN)}]{_YEAR}年?[{re.escape(_CLOSE)}]第?(?P<serial>\d+)号?$"
)
_YEAR_SERIAL = re.compile(rf"^(?P<prefix>.*?){_YEAR}年(?:度)?第(?P<serial>\d+)号$")
_BARE = re.compile(rf"^(?P<prefix>{_PREFIX_CHARS}+?)(?P<year>\d{{4}})年?(?P<serial>\d+)号$")
_DECREE = re.compile(rf"^(?P<prefix>{_PREFIX_CHARS}*?[令告])第(?P<serial>\d+)号$")

# In running text: the same shapes, anchored on the closing 号.
_IN_TEXT = re.compile(
    rf"{_PREFIX_CHARS}{{1,16}}\s*[{re.escape(_OPEN)}]\s*(?:\d{{4}}|[０-９]{{4}})\s*年?\s*"
    rf"[{re.escape(_CLOSE)}]\s*第?\s*[\d０-９]{{1,5}}\s*号"
    rf"|{_PREFIX_CHARS}{{2,16}}(?:\d{{4}}|[０-９]{{4}})年第[\d０-９]{{1,5}}号"
    rf"|{_PREFIX_CHARS}{{1,12}}令第[\d０-９]{{1,5}}号"
)
# Words that precede a number in a sentence but are not part of its prefix.
_LEAD_WORDS = re.compile(
    r"^(?:根据|按照|依据|依照|参照|执行|落实|贯彻|详见|参见|转发|印发|见|和|及|与|或|以|按|即|的|经)+"
)


@dataclass(frozen=True)
class DocNumber:
    """A parsed 发文字号. `year` is None for series without one (decrees: 国务院令第708号)."""

    prefix: str
    year: int | None
    serial: int
    raw: str

    @property
    def canonical(self) -> str:
        """The number written the standard way (GB/T 9704): 粤府〔2023〕67号."""
        if self.year is None:
            return f"{self.prefix}第{self.serial}号"
        return f"{self.prefix}〔{self.year}〕{self.serial}号"


def _normalise(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw)
    return re.sub(r"\s+", "", text).strip("。，,;；:：")


def _year(token: str) -> int:
    if not token.isdigit():
        token = "".join(_CN_DIGITS.get(c, c) for c in token)
    year = int(token)
    if len(token) == 2:  # 〔98〕: two-digit years in older documents
        year += 1900 if year >= 49 else 2000
    return year


def parse_doc_number(raw: str) -> DocNumber:
    """Parse one document number; raise ValueError naming `raw` and what is wrong."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError(f"document number is empty: {raw!r}")
    text = _normalise(raw)
    match = _DECREE.match(text)
    if match and match.group("prefix"):
        return DocNumber(match.group("prefix"), None, int(match.group("serial")), raw)
    for pattern in (_BRACKETED, _YEAR_SERIAL, _BARE):
        match = pattern.match(text)
        if match and match.group("prefix"):
            year = _year(match.group("year"))
            if not 1949 <= year <= date.today().year + 1:
                raise ValueError(f"document number {raw!r}: year {year} is out of range")
            return DocNumber(match.group("prefix"), year, int(match.group("serial")), raw)
    raise ValueError(
        f"not a document number: {raw!r} (expected PREFIX〔YEAR〕SERIAL号, "
        "PREFIX YEAR年第SERIAL号 or PREFIX令第SERIAL号)"
    )


def find_doc_numbers(text: str) -> list[DocNumber]:
    """Every document number in `text`, in order of appearance, without repeats."""
    found: dict[str, DocNumber] = {}
    for match in _IN_TEXT.finditer(text):
        raw = _LEAD_WORDS.sub("", match.group(0).strip())
        try:
            number = parse_doc_number(raw)
        except ValueError:
            continue
        found.setdefault(number.canonical, number)
    return list(found.values())
