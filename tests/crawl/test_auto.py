"""`auto` discovery of detail links and next pages on TRS, Hanweb and generic list pages."""

from __future__ import annotations

from pathlib import Path

from crawlers.auto import discover_detail_links, discover_next_page
from crawlers.auto.links import score_link
from tests.site import pages
from tests.site.content import document

BASE = "http://portal.example.gov.cn/col/index.html"


def test_trs_list_links_and_script_paging() -> None:
    items = [
        (f"./2024{i:02d}/t2024{i:02d}01_{i}.html", document(i).title, "2024-01-01") for i in (1, 2)
    ]
    html = pages.list_page("政策文件", items, pages.trs_pager(3, 0))
    assert discover_detail_links(html, BASE) == [
        "http://portal.example.gov.cn/col/202401/t20240101_1.html",
        "http://portal.example.gov.cn/col/202402/t20240201_2.html",
    ]
    assert discover_next_page(html, BASE) == "http://portal.example.gov.cn/col/index_1.html"
    last = pages.list_page("政策文件", items, pages.trs_pager(3, 2))
    assert discover_next_page(last, "http://portal.example.gov.cn/col/index_2.html") is None


def test_hanweb_next_link() -> None:
    items = [("/art/2024/3/5/art_1229_7.html", document(7).title, "2024-03-05")]
    html = pages.list_page("文件", items, pages.next_link_pager("?uid=1&pageNum=2", 1, 3))
    assert discover_detail_links(html, BASE) == [
        "http://portal.example.gov.cn/art/2024/3/5/art_1229_7.html"
    ]
    assert (
        discover_next_page(html, BASE)
        == "http://portal.example.gov.cn/col/index.html?uid=1&pageNum=2"
    )
    end = pages.list_page("文件", items, pages.next_link_pager(None, 3, 3))
    assert discover_next_page(end, BASE) is None


def test_index_n_link_without_next_text() -> None:
    html = '<div class="page"><a href="index_1.html">2</a><a href="index_2.html">3</a></div>'
    assert discover_next_page(html, BASE) == "http://portal.example.gov.cn/col/index_1.html"
    assert discover_next_page(html, "http://portal.example.gov.cn/col/index_1.html") == (
        "http://portal.example.gov.cn/col/index_2.html"
    )


def test_navigation_files_other_hosts_and_short_links_are_not_details() -> None:
    html = (
        '<div class="nav"><a href="/2024/01/02/t20240102_9.html">'
        "关于印发某某办法的通知全文</a></div>"
        '<ul><li><a href="/files/a.pdf">关于印发某某办法的通知附件</a></li>'
        '<li><a href="http://other.gov.cn/t20240101_1.html">关于印发某某办法的通知</a></li>'
        '<li><a href="/content/post_12345.html">更多</a></li>'
        '<li><a href="javascript:void(0)">关于印发某某办法的通知</a></li>'
        '<li><a href="/content/post_67890.html">关于进一步优化营商环境的若干措施</a>'
        " 2024-05-01</li></ul>"
    )
    assert discover_detail_links(html, BASE) == [
        "http://portal.example.gov.cn/content/post_67890.html"
    ]


def test_score_rewards_url_shape_title_and_date() -> None:
    url = "http://x.gov.cn/art/2024/1/1/art_1_2.html"
    strong = score_link(url, "关于印发某某办法的通知", "2024-01-01", in_chrome=False)
    weak = score_link("http://x.gov.cn/about.html", "关于我们", "", in_chrome=True)
    assert strong >= 4 > 0 > weak


def test_real_list_page_keeps_articles_and_drops_channel_links(shared_dir: Path) -> None:
    # A real news portal page (most of its list is filled by script): the static links to
    # stories are found, the channel navigation (sports.163.com/, ...) and script links not.
    path = shared_dir / "fixtures/real/pages/news_list_page_163.html"
    html = path.read_bytes().decode("utf-8", errors="replace")
    links = discover_detail_links(html, "http://news.163.com/")
    assert len(links) >= 8
    assert all(link.startswith("http://news.163.com/") and link.endswith(".html") for link in links)
    assert "http://news.163.com/" not in links
