"""Turn the bytes of a fetched page into text, whatever its charset claims.

Chinese government sites serve GBK, GB2312, GB18030 and UTF-8, and often declare the
wrong one (an HTTP header left at ISO-8859-1 or GB2312 on a page saved as UTF-8, a meta
tag copied from an old template). The order of trust, strongest first: a byte-order mark;
strict UTF-8 (GBK text is practically never valid UTF-8); the declared charsets (header,
then meta) when they decode strictly; GB18030 (a superset of GBK and GB2312); the guess
of charset-normalizer; GB18030 with replacement characters as the last resort.
"""

from __future__ import annotations

import codecs
import logging
import re

from charset_normalizer import from_bytes

from crawlers.extract.limits import DEFAULT_MAX_HTML_BYTES, check_html_size

logger = logging.getLogger(__name__)

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)"""
    rb"""|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.I,
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
# Declared as one of these, GBK-family bytes decode without error into mojibake: a
# single-byte declaration is only believed for pure ASCII or after the other checks fail.
# Labels browsers accept for the GBK family that Python's codec registry does not know
# (WHATWG Encoding Standard, "gbk" labels).
_GB_LABELS = {"x-gbk", "gb_2312-80", "gb_2312", "csgb2312", "chinese", "iso-ir-58", "cn-gb",
              "csiso58gb231280", "x-euc-cn"}
_SINGLE_BYTE = {"latin-1", "iso8859-1", "cp1252", "ascii"}
_UTF8_MIN_GOOD_PER_BAD = 50
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
)


def normalize_charset(name: str | None) -> str | None:
    """Python codec name for a declared charset, GBK and GB2312 widened to GB18030.

    Returns None for names Python does not know.
    """
    if not name:
        return None
    if ";" in name or "=" in name:  # a whole Content-Type value: text/html; charset=GBK
        match = _HEADER_CHARSET.search(name)
        if not match:
            return None
        name = match.group(1)
    name = name.strip().strip("\"'").lower()
    if name in _GB_LABELS:
        return "gb18030"
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    # GB18030 decodes every GBK and GB2312 byte sequence identically and also covers the
    # characters that pages labelled GB2312 use anyway (rare names, 〇, 〔〕 variants).
    if codec in {"gbk", "gb2312", "cp936", "hz"} or codec.startswith("gb"):
        return "gb18030"
    return codec


def sniff_meta_charset(body: bytes) -> str | None:
    """The charset named by a <meta> tag in the first 4 KiB of the page, if any."""
    match = _META_CHARSET.search(body[:4096])
    if not match:
        return None
    return (match.group(1) or match.group(2)).decode("ascii", errors="ignore")


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _common_share(text: str) -> float:
    """Share of the CJK-looking characters of `text` that are common Chinese characters.

    Common: level-1 hanzi of GB2312 (the 3,755 everyday simplified characters) or of
    Big5 (the 5,401 常用字). Big5 bytes misread as GBK, and the reverse, produce rare
    characters, kana and box-drawing symbols instead. Punctuation does not count.
    """
    common = counted = 0
    for char in text[:20_000]:
        if char.isascii() or "\u3000" <= char <= "\u303f" or "\uff00" <= char <= "\uffef":
            continue
        counted += 1
        if "\u4e00" <= char <= "\u9fff":
            gb = char.encode("gb2312", errors="ignore")
            big5 = char.encode("big5", errors="ignore")
            if (gb and 0xB0 <= gb[0] <= 0xD7) or (big5 and 0xA4 <= big5[0] <= 0xC6):
                common += 1
    return common / counted if counted else 1.0


def _mostly_utf8(body: bytes) -> str | None:
    """UTF-8 text of a page spoiled by a few bad bytes (a cut download, a stray byte).

    GB18030 would decode such a page "strictly" into nonsense: a handful of invalid
    sequences among thousands of valid multi-byte characters is damaged UTF-8. GBK
    bytes read as UTF-8 fail on nearly every character instead.
    """
    text = body.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    wide = len(text) - sum(1 for char in text if char.isascii())
    if wide >= _UTF8_MIN_GOOD_PER_BAD * bad and bad <= max(3, wide // 200):
        return text
    return None


def _rival_cjk(body: bytes, text: str, codec: str) -> tuple[str, str]:
    """Check a strict GB decode against Big5 (and the reverse); keep the likelier text.

    Both encodings share their byte ranges, so a page in one often decodes without error
    in the other, into nonsense. The text with more common characters wins.
    """
    rival = "big5" if codec == "gb18030" else "gb18030" if codec.startswith("big5") else None
    if rival is None:
        return text, codec
    other = _strict(body, rival)
    if other is not None and _common_share(other) > _common_share(text) + 0.2:
        logger.info("page decodes as %s and %s: %s reads as Chinese", codec, rival, rival)
        return other, rival
    return text, codec


def decode_html(
    body: bytes, declared_charset: str | None, *, max_bytes: int = DEFAULT_MAX_HTML_BYTES
) -> tuple[str, str]:
    """Decode a page; return (text, codec actually used).

    `declared_charset` is the charset of the HTTP Content-Type header, or the whole
    header value ("text/html; charset=GBK"); None when absent.
    Raises PageTooLargeError (an ExtractionError) when `body` exceeds `max_bytes`.
    """
    check_html_size(len(body), max_bytes)
    for bom, codec, label in _BOMS:
        if body.startswith(bom):
            return body.decode(codec, errors="replace"), label

    declared = [normalize_charset(declared_charset), normalize_charset(sniff_meta_charset(body))]
    if body.isascii():
        return body.decode("ascii"), declared[0] or declared[1] or "ascii"
    text = _strict(body, "utf-8")
    if text is not None:
        if declared[0] not in (None, "utf-8"):
            logger.info("page declared %s but is valid UTF-8: decoded as UTF-8", declared[0])
        return text, "utf-8"
    text = _mostly_utf8(body)
    if text is not None:
        logger.info("page is UTF-8 with a few invalid bytes: decoded with replacements")
        return text, "utf-8"
    for codec in dict.fromkeys(c for c in declared if c and c not in _SINGLE_BYTE):
        text = _strict(body, codec)
        if text is not None:
            return _rival_cjk(body, text, codec)
    text = _strict(body, "gb18030")
    if text is not None:
        if declared[0]:
            logger.info("page declared %s; decoded as GB18030", declared[0])
        return _rival_cjk(body, text, "gb18030")
    guess = from_bytes(body[:200_000]).best()
    if guess is not None and guess.encoding:
        codec = normalize_charset(guess.encoding) or guess.encoding
        return body.decode(codec, errors="replace"), codec
    logger.warning("no charset decodes this page cleanly: GB18030 with replacement characters")
    return body.decode("gb18030", errors="replace"), "gb18030"
