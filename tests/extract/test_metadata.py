"""Metadata from the 信息公开 table, "label：value" lines, meta tags and the text itself."""

from __future__ import annotations

from crawlers.extract import extract_page

BODY = (
    "<p>各市、县人民政府，省政府各部门：</p>"
    "<p>现将《某省促进民营经济发展若干措施》印发给你们，请认真贯彻执行。</p>"
    "<p>一、对新设立的企业，不得设置不合理的准入条件。</p>"
)

TABLE_PAGE = f"""<html><head>
<title>某省人民政府关于印发促进民营经济发展若干措施的通知_政策文件</title></head>
<body><div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a></div>
<table class="xxgk">
<tr><td>索 引 号：</td><td>000014349/2023-00012</td><td>主题分类：</td><td>综合政务\\其他</td></tr>
<tr><td>发文机关：</td><td>某省人民政府</td><td>成文日期：</td><td>2023年03月10日</td></tr>
<tr><th>标　　题：</th><td>某省人民政府关于印发促进民营经济发展若干措施的通知</td></tr>
<tr><td>发文字号：</td><td>某府〔2023〕7号</td><td>发布日期：</td><td>2023年03月15日</td></tr>
<tr><td>有 效 性：</td><td>有效</td><td>公开方式：</td><td>主动公开</td></tr>
</table>
<div class="TRS_Editor">{BODY}
<p>附件：<a href="./P020230315.pdf">1.某省促进民营经济发展若干措施.pdf</a></p>
<p><a href="/download.jsp?id=88">2.申报表.xlsx</a>
<a href="javascript:print()">打印.doc</a></p></div>
<a href="../../files/报送表.wps">报送表</a> <a href="ofd/正文.OFD?v=2">正文（OFD版）</a>
<a href="/zwgk/">政务公开</a> <a href="https://other.example.cn/a.zip">打包下载</a>
</body></html>"""


def test_metadata_table_with_label_and_value_cells() -> None:
    page = extract_page(TABLE_PAGE, "http://www.example.gov.cn/zwgk/2023/03/t20230315_1.html")
    assert page.cms == "trs"
    assert page.title == "某省人民政府关于印发促进民营经济发展若干措施的通知"
    assert page.metadata == {
        "index_no": "000014349/2023-00012",
        "topic": "综合政务\\其他",
        "issuer": "某省人民政府",
        "written": "2023-03-10",
        "doc_number": "某府〔2023〕7号",
        "published": "2023-03-15",
        "validity": "有效",
    }
    assert page.text.startswith("各市、县人民政府，省政府各部门：")
    assert "首页" not in page.text and "索引号" not in page.text


def test_attachment_links_are_absolute_with_their_text() -> None:
    page = extract_page(TABLE_PAGE, "http://www.example.gov.cn/zwgk/2023/03/t20230315_1.html")
    assert page.attachments == [
        (
            "http://www.example.gov.cn/zwgk/2023/03/P020230315.pdf",
            "1.某省促进民营经济发展若干措施.pdf",
        ),
        ("http://www.example.gov.cn/download.jsp?id=88", "2.申报表.xlsx"),
        ("http://www.example.gov.cn/zwgk/files/报送表.wps", "报送表"),
        ("http://www.example.gov.cn/zwgk/2023/03/ofd/正文.OFD?v=2", "正文（OFD版）"),
        ("https://other.example.cn/a.zip", "打包下载"),
    ]


def test_attachment_type_from_query_string_or_link_text() -> None:
    html = f"""<html><body>{BODY}
    <a href="/module/download/downfile.jsp?classid=0&amp;filename=2305061.pdf">附件</a>
    <a href="/attach/get?id=9">名录.xls </a> <a href="/art/2023/5/6/art_1.html">下一篇</a>
    </body></html>"""
    page = extract_page(html, "http://fgw.example.gov.cn/art/2023/5/6/art_2.html")
    assert page.attachments == [
        ("http://fgw.example.gov.cn/module/download/downfile.jsp?classid=0&filename=2305061.pdf",
         "附件"),
        ("http://fgw.example.gov.cn/attach/get?id=9", "名录.xls"),
    ]


def test_base_href_decides_where_relative_attachments_point() -> None:
    html = '<html><head><base href="http://files.example.gov.cn/up/"></head><body>' \
           f'{BODY}<a href="a.docx">附件</a></body></html>'
    page = extract_page(html, "http://www.example.gov.cn/x/y.html")
    assert page.attachments == [("http://files.example.gov.cn/up/a.docx", "附件")]


def test_inline_label_lines_and_list_layout() -> None:
    html = f"""<html><body><h1>关于开展公平竞争审查工作的通知</h1>
    <ul class="info"><li><span>索引号：</span>11330000002482/2024-0042</li>
    <li><span>发布机构：</span>省市场监管局</li><li>时效性：<b>现行有效</b></li></ul>
    <div class="date">发布时间：2024-05-06 10:21 来源：省市场监管局 浏览次数：120</div>
    <div id="zoom">{BODY}</div></body></html>"""
    page = extract_page(html)
    assert page.title == "关于开展公平竞争审查工作的通知"
    assert page.metadata["index_no"] == "11330000002482/2024-0042"
    assert page.metadata["issuer"] == "省市场监管局"
    assert page.metadata["validity"] == "现行有效"
    assert page.metadata["published"] == "2024-05-06"
    assert page.metadata["source"] == "省市场监管局"


def test_number_issuer_and_date_read_from_the_document_text() -> None:
    html = f"""<html><head><title>关于印发若干措施的通知</title></head><body><div id="zoom">
    <p style="text-align:center">某府办发〔2024〕12号</p>{BODY}
    <p>会议时间：2024年6月1日上午9时</p>
    <p style="text-align:right">某市人民政府办公室</p><p>2024年5月20日</p></div></body></html>"""
    page = extract_page(html)
    assert page.metadata["doc_number"] == "某府办发〔2024〕12号"
    assert page.metadata["issuer"] == "某市人民政府办公室"
    assert page.metadata["written"] == "2024-05-20"
    # "时间：" inside the body is a meeting time, not the publication date.
    assert "published" not in page.metadata


def test_hanweb_meta_tags() -> None:
    html = f"""<html><head><meta name="ArticleTitle" content="关于公布第一批名录的通知">
    <meta name="PubDate" content="2022-08-09 16:30"><meta name="ContentSource" content="市发改委">
    <meta name="SiteName" content="某市人民政府"><title>某市人民政府</title></head>
    <body><!--<$[信息内容]>begin--><div id="zoom">{BODY}</div>
    <!--<$[信息内容]>end--></body></html>"""
    page = extract_page(html, "http://www.example.gov.cn/art/2022/8/9/art_1229_5.html")
    assert page.cms == "hanweb"
    assert page.title == "关于公布第一批名录的通知"
    assert page.metadata == {
        "published": "2022-08-09",
        "source": "市发改委",
        "source_site": "某市人民政府",
    }


def test_generic_page_without_metadata() -> None:
    page = extract_page(f"<html><body><article>{BODY * 3}</article></body></html>")
    assert page.cms == "generic" and page.metadata == {} and page.attachments == []
    assert "不得设置不合理的准入条件" in page.text


def test_tables_and_numbers_inside_the_document_are_not_page_metadata() -> None:
    html = f"""<html><head><title>关于做好申报工作的通知</title></head><body><div id="zoom">
    <p>根据《某省人民政府关于促进民营经济发展的意见》（某府〔2021〕9号）精神，现通知如下。</p>
    {BODY}<table><tr><td>时间：</td><td>2024年7月1日</td><td>发文字号：</td><td>某发〔2020〕1号</td>
    </tr></table></div></body></html>"""
    page = extract_page(html)
    assert "某府〔2021〕9号" in page.text and "2024年7月1日" in page.text
    assert "doc_number" not in page.metadata
    assert "published" not in page.metadata
