"""decode_html on real pages re-encoded to GBK/GB18030 and served with lying charsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.errors import ExtractionError, PageTooLargeError
from crawlers.extract import decode_html, extract_page
from crawlers.extract.encoding import normalize_charset, sniff_meta_charset


@pytest.fixture(scope="module")
def real_text(pages_dir: Path) -> str:
    return (pages_dir / "gov_detail_hanweb_zj_fgw.html").read_text(encoding="utf-8")


def test_page_is_gbk_encodable(real_text: str) -> None:
    # The cases below need a page GBK can hold; the fixture must not change under them.
    real_text.encode("gbk")


@pytest.mark.parametrize(
    ("codec", "header", "meta"),
    [
        ("gbk", "utf-8", "UTF-8"),  # header and meta both lie
        ("gbk", None, "gb2312"),  # labelled GB2312, really GBK
        ("gb18030", "iso-8859-1", "UTF-8"),  # servers default to Latin-1
        ("gbk", "gbk", "gbk"),  # honest
        ("utf-8", "gb2312", "gb2312"),  # UTF-8 page under an old GB2312 template
        ("utf-8", "windows-1252", None),
    ],
)
def test_real_page_with_lying_charset(
    real_text: str, codec: str, header: str | None, meta: str | None
) -> None:
    html = real_text.replace("charset=UTF-8", f"charset={meta}" if meta else "")
    body = html.encode(codec)
    text, used = decode_html(body, header)
    assert text == html
    assert used == ("utf-8" if codec == "utf-8" else "gb18030")
    assert extract_page(text).title == "1-10月德清县固定资产投资结构趋稳趋优"


def test_gbk_characters_outside_gb2312_survive_a_gb2312_label() -> None:
    html = "<html><head><meta charset='gb2312'></head><body><p>王堃、朱镕基、〔2023〕</p>"
    body = html.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        body.decode("gb2312")
    text, used = decode_html(body, "GB2312")
    assert "王堃、朱镕基、〔2023〕" in text and used == "gb18030"


def test_gb18030_four_byte_characters() -> None:
    html = "<p>𠀀字与€符号：粤府〔2023〕67号</p>"
    text, used = decode_html(html.encode("gb18030"), "gbk")
    assert text == html and used == "gb18030"


def test_byte_order_mark_wins_over_header() -> None:
    text, used = decode_html("<p>通知</p>".encode("utf-8-sig"), "gbk")
    assert text == "<p>通知</p>" and used == "utf-8"


def test_ascii_page_keeps_declared_charset() -> None:
    assert decode_html(b"<p>hello</p>", "gbk") == ("<p>hello</p>", "gb18030")


@pytest.mark.parametrize("header", [None, "gbk"])
def test_big5_page_is_not_misread_as_gbk(header: str | None) -> None:
    # Big5 bytes decode without error as GBK/GB18030, into nonsense (い地チ瓣現┎...).
    html = "<html><body><p>" + "中華民國政府資訊公開，請依規定辦理申請。" * 20 + "</p>"
    assert html.encode("big5").decode("gb18030") != html
    text, used = decode_html(html.encode("big5"), header)
    assert (text, used) == (html, "big5")


def test_oversized_body_is_refused_with_its_size() -> None:
    with pytest.raises(PageTooLargeError, match="2048 bytes, over the 1024-byte") as info:
        decode_html(b"a" * 2048, None, max_bytes=1024)
    assert isinstance(info.value, ExtractionError) and info.value.size == 2048


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("text/html; charset=GB2312", "gb18030"),
        ("text/html;charset=\"gbk\"", "gb18030"),
        ("text/html", None),
        ("GB_2312-80", "gb18030"),
        ("x-gbk", "gb18030"),
        ("UTF8", "utf-8"),
        ("no-such-charset", None),
        (None, None),
    ],
)
def test_declared_charset_names(declared: str | None, expected: str | None) -> None:
    assert normalize_charset(declared) == expected


def test_xml_declaration_names_the_charset() -> None:
    body = '<?xml version="1.0" encoding="big5"?><html><p>中華民國政府資訊公開</p></html>'
    assert sniff_meta_charset(body.encode("big5")) == "big5"
    assert decode_html(body.encode("big5"), None) == (body, "big5")


def test_utf8_page_with_a_stray_byte_and_a_cut_end_stays_utf8(real_text: str) -> None:
    body = real_text.encode("utf-8")
    middle = body.index("全县固定资产投资".encode())
    damaged = body[:middle] + b"\xff" + body[middle:] + "投".encode()[:2]
    text, used = decode_html(damaged, "gbk")
    assert used == "utf-8"
    assert "\ufffd全县固定资产投资完成246.79亿元" in text
    assert extract_page(text).title == "1-10月德清县固定资产投资结构趋稳趋优"


def test_cut_utf8_page_that_gb18030_decodes_without_error_stays_utf8() -> None:
    # Chinese runs of an even number of characters, then a download cut inside the last
    # character: every byte pairs up as GB18030, so a strict GB18030 decode succeeds.
    html = "<html><head><meta charset='gbk'></head><body><p>" + "公平竞争审查制度" * 60
    damaged = html.encode("utf-8") + "查".encode()[:2]
    assert "公平竞争" not in damaged.decode("gb18030")  # strict: no error, all nonsense
    text, used = decode_html(damaged, "gbk")
    assert (text, used) == (html + "\ufffd", "utf-8")


def test_gbk_page_is_not_taken_for_damaged_utf8(real_text: str) -> None:
    text, used = decode_html(real_text.encode("gbk"), "utf-8")
    assert (text, used) == (real_text, "gb18030")
