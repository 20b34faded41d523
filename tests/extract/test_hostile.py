"""Hostile HTML: broken markup, scripts and styles, huge and empty pages, deep nesting."""

from __future__ import annotations

import pytest

from crawlers.errors import ExtractionError, PageTooLargeError
from crawlers.extract import extract_page

ARTICLE = "本办法所称政府采购，是指各级国家机关使用财政性资金采购依法制定的集中采购目录以内的货物。"


def test_script_style_and_comments_never_reach_the_text() -> None:
    html = f"""<html><head><style>.x{{color:red}} p{{display:none}}</style>
    <script>var secret = "SCRIPT-LEAK"; document.write('<p>WRITTEN</p>');</script></head>
    <body><div id="zoom"><p>{ARTICLE}</p><script type="text/javascript">alert("ALERT-LEAK")</script>
    <noscript>NOSCRIPT-LEAK</noscript><!-- COMMENT-LEAK --><p>{ARTICLE}第二段。</p>
    <template>TEMPLATE-LEAK</template><svg><text>SVG-LEAK</text></svg></div></body></html>"""
    page = extract_page(html)
    assert ARTICLE in page.text and "第二段" in page.text
    leaks = ("SCRIPT-LEAK", "WRITTEN", "ALERT-LEAK", "NOSCRIPT", "COMMENT", "TEMPLATE", "SVG-LEAK")
    for leak in (*leaks, "color:red"):
        assert leak not in page.text, leak
        assert leak not in page.title


def test_broken_markup_still_yields_the_article() -> None:
    html = (
        "<html><head><title>关于印发某办法的通知 - 某市人民政府</title><body><div class=nav>"
        "<a href=/>首页</a><a href=/a>政务公开<div><table><tr><td>索引号：<td>0001-2023-0001"
        f"<td>发文字号：<td>某府〔2023〕7号</table><div id=zoom><p>{ARTICLE}<p>第二条 </b></i>"
        f"本办法自发布之日起施行。<font><font><p>{ARTICLE}</div></span></body>"
    )
    page = extract_page(html)
    assert page.title == "关于印发某办法的通知"
    assert "本办法自发布之日起施行。" in page.text and "首页" not in page.text
    assert page.metadata["index_no"] == "0001-2023-0001"
    assert page.metadata["doc_number"] == "某府〔2023〕7号"


def test_page_over_the_limit_is_refused_with_its_size() -> None:
    html = "<html><body><p>" + "政" * 4000 + "</p></body></html>"
    with pytest.raises(PageTooLargeError) as info:
        extract_page(html, "http://example.gov.cn/big.html", max_bytes=10_000)
    error = info.value
    assert isinstance(error, ExtractionError)
    assert error.size == len(html.encode("utf-8")) and error.limit == 10_000
    assert "http://example.gov.cn/big.html" in str(error) and str(error.size) in str(error)


def test_default_limit_refuses_a_50_mb_page() -> None:
    html = "<html><body>" + "<p>填充内容</p>" * 3_000_000 + "</body></html>"
    assert len(html.encode("utf-8")) > 50_000_000
    with pytest.raises(PageTooLargeError, match="over the 10485760-byte extraction limit"):
        extract_page(html)


@pytest.mark.parametrize("html", ["", "   \n\t "])
def test_empty_page_is_an_extraction_error(html: str) -> None:
    with pytest.raises(ExtractionError, match="page is empty"):
        extract_page(html, "http://example.gov.cn/empty.html")


def test_deeply_nested_and_xml_declared_pages_do_not_crash() -> None:
    deep = '<?xml version="1.0" encoding="gbk"?>' + "<div>" * 20_000 + ARTICLE + "</div>" * 10
    page = extract_page(deep)
    assert isinstance(page.text, str)
    flat = extract_page("<p>" + ARTICLE + "</p>")
    assert ARTICLE in flat.text


def test_very_long_page_takes_the_linear_route_and_still_drops_menus() -> None:
    from crawlers.extract.body import TRAFILATURA_MAX_CHARS

    menu = "<ul>" + "".join(f"<li><a href='/c{i}'>栏目{i}</a></li>" for i in range(30)) + "</ul>"
    paragraphs = "".join(f"<p>第{i}条 {ARTICLE}</p>" for i in range(7000))
    page = extract_page(f"<html><body><nav>{menu}</nav>{menu}<div>{paragraphs}</div>"
                        "<footer>版权所有 某市人民政府</footer></body></html>")
    assert len(page.text) > TRAFILATURA_MAX_CHARS
    assert page.route == "fallback"
    assert page.text.startswith(f"第0条 {ARTICLE}") and f"第6999条 {ARTICLE}" in page.text
    assert "栏目1" not in page.text and "版权所有" not in page.text
