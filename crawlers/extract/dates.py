"""Dates as Chinese pages write them, turned into ISO dates (YYYY-MM-DD)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

_NUMERIC = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_COMPACT = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")
_CN_DIGIT = "〇一二三四五六七八九"
_CHINESE = re.compile(
    r"([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"
)


def _cn_small(token: str) -> int:
    # 十 = 10, 十二 = 12, 二十 = 20, 二十一 = 21, 三十一 = 31
    if "十" not in token:
        return _CN_DIGIT.index(token)
    tens, _, units = token.partition("十")
    return (_CN_DIGIT.index(tens) if tens else 1) * 10 + (_CN_DIGIT.index(units) if units else 0)


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        value = date(year, month, day)
    except ValueError:
        return None
    return value.isoformat() if 1949 <= year <= date.today().year + 1 else None


def to_iso_date(text: str) -> str | None:
    """The first valid date in `text` as YYYY-MM-DD, or None.

    Reads 2019-09-18 06:23, 2019/9/18, 2019年9月18日, 20190918 and 二〇二三年五月六日.
    """
    if not text:
        return None
    text = unicodedata.normalize("NFKC", text)
    for match in _NUMERIC.finditer(text):
        iso = _iso(*(int(g) for g in match.groups()))
        if iso:
            return iso
    match = _CHINESE.search(text.replace("○", "〇").replace("零", "〇"))
    if match:
        year = int("".join(str(_CN_DIGIT.index(c)) for c in match.group(1)))
        return _iso(year, _cn_small(match.group(2)), _cn_small(match.group(3)))
    for match in _COMPACT.finditer(text):
        iso = _iso(*(int(g) for g in match.groups()))
        if iso:
            return iso
    return None


def is_date_line(line: str) -> bool:
    """True when `line` is nothing but a date (the 成文日期 line that closes a document)."""
    flat = re.sub(r"\s+", "", unicodedata.normalize("NFKC", line))
    return bool(
        re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", flat)
        or re.fullmatch(_CHINESE.pattern, flat.replace("○", "〇").replace("零", "〇"))
    )
