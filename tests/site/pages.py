"""HTML of the fixture site, in the shapes real government portals use.

TRS pages carry `<meta name="ArticleTitle/PubDate/ContentSource">`, a body in
`.TRS_Editor` and list paging by the `createPageHTML(...)` script with index_{n}.html
pages; Hanweb (大汉) pages carry the same metas plus `url`, the body in `#zoom` and a
下一页 link. Both put the 信息公开 metadata table above the text.
"""

from __future__ import annotations

from html import escape

from tests.site.content import SiteDocument

NAV = (
    '<div class="header"><ul class="nav"><li><a href="/">首页</a></li>'
    '<li><a href="/">政务公开</a></li>'
    '<li><a href="/">政务服务</a></li><li><a href="/">互动交流</a></li></ul>'
    '<div class="share">分享到：微信 微博 打印本页 关闭窗口</div></div>'
)
FOOTER = (
    '<div class="footer"><p>主办单位：示例省人民政府办公厅 版权所有</p>'
    "<p>网站标识码：1400000045 示ICP备05000000号 "
    '<a href="/">网站地图</a> <a href="/">联系我们</a></p></div>'
)


def metadata_table(doc: SiteDocument) -> str:
    return (
        '<div class="xxgk_table"><table>'
        f"<tr><th>索引号：</th><td>{doc.index_no}</td><th>主题分类：</th><td>{doc.topic}</td></tr>"
        f"<tr><th>发文机关：</th><td>{doc.issuer}</td><th>成文日期：</th><td>{doc.written}</td></tr>"
        f'<tr><th>标　　题：</th><td colspan="3">{escape(doc.title)}</td></tr>'
        f"<tr><th>发文字号：</th><td>{doc.doc_number}</td><th>发布日期：</th><td>{doc.published}</td></tr>"
        "<tr><th>有 效 性：</th><td>有效</td><th></th><td></td></tr>"
        "</table></div>"
    )


def _attachments(doc: SiteDocument, base: str) -> str:
    if not doc.attachments:
        return ""
    links = "".join(
        f'<p><a href="{base}/files/doc{doc.i}.{ext}">附件{n}：{escape(doc.title)}.{ext}</a></p>'
        for n, ext in enumerate(doc.attachments, 1)
    )
    return f'<div class="fj">{links}</div>'


def trs_detail(doc: SiteDocument, *, charset: str = "utf-8", files_base: str = "") -> str:
    body = "".join(f"<p>{escape(p)}</p>" for p in doc.paragraphs)
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}">'
        '<meta name="SiteName" content="示例省人民政府门户网站">'
        '<meta name="ColumnName" content="政策文件">'
        f'<meta name="ArticleTitle" content="{escape(doc.title)}">'
        f'<meta name="PubDate" content="{doc.published} 09:30">'
        f'<meta name="ContentSource" content="{doc.issuer}">'
        f"<title>{escape(doc.title)}_示例省人民政府门户网站</title></head><body>{NAV}"
        f'<div class="main">{metadata_table(doc)}<h1 class="title">{escape(doc.title)}</h1>'
        f'<div class="TRS_Editor">{body}</div>{_attachments(doc, files_base)}</div>'
        f"{FOOTER}</body></html>"
    )


def hanweb_detail(doc: SiteDocument, url: str, *, files_base: str = "") -> str:
    body = "".join(f"<p>{escape(p)}</p>" for p in doc.paragraphs)
    return (
        "<!DOCTYPE html><html><head>"
        '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">'
        '<meta name="SiteName" content="示例市发展和改革委员会">'
        f'<meta name="ArticleTitle" content="{escape(doc.title)}">'
        f'<meta name="PubDate" content="{doc.published} 10:00">'
        f'<meta name="contentSource" content="{doc.issuer}"><meta name="url" content="{url}">'
        f"<title>{escape(doc.title)}</title></head><body>{NAV}"
        f'<div class="article">{metadata_table(doc)}<div class="title">{escape(doc.title)}</div>'
        f'<div id="zoom">{body}</div>{_attachments(doc, files_base)}</div>{FOOTER}</body></html>'
    )


def list_page(
    title: str, items: list[tuple[str, str, str]], paging: str, *, charset: str = "utf-8"
) -> str:
    """items: (href, title, date). paging: the HTML of the pager."""
    rows = "".join(
        f'<li><a href="{href}" target="_blank" title="{escape(t)}">{escape(t)}</a>'
        f"<span>{d}</span></li>"
        for href, t, d in items
    )
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}">'
        f"<title>{escape(title)}</title></head>"
        f'<body>{NAV}<div class="list"><h2>{escape(title)}</h2><ul class="list-ul">{rows}</ul>'
        f'<div class="page">{paging}</div></div>{FOOTER}</body></html>'
    )


def trs_pager(total: int, current: int) -> str:
    """The TRS paging script: page 0 is index.html, page n is index_n.html."""
    return (
        f'<script type="text/javascript">var countPage = {total};'
        f'createPageHTML({total}, {current}, "index", "html");</script>'
    )


def next_link_pager(next_href: str | None, current: int, total: int) -> str:
    nxt = f'<a href="{next_href}" class="next">下一页</a>' if next_href else "<span>下一页</span>"
    pages = f"<span>共{total}页 当前第{current}页</span>"
    return f'{pages} <a href="?">首页</a> {nxt} <a href="#">尾页</a>'
