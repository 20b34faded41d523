"""Real pages saved from government, news and social sites.

The expected values were read off the pages by eye (the visible headline, the 时间/发布
日期 line and the 来源/信息来源 line), not copied from the extractor's output.
"""

from __future__ import annotations

from pathlib import Path

from crawlers.extract import extract_page


def read_page(pages_dir: Path, name: str) -> str:
    return (pages_dir / name).read_text(encoding="utf-8")


def test_trs_page_of_shanxi_government(pages_dir: Path) -> None:
    url = "http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml"
    page = extract_page(read_page(pages_dir, "gov_detail_trs_shanxi.html"), url)
    assert page.cms == "trs"
    assert page.title == "山西品牌丝路行（南美站）正式启动"
    assert page.metadata["published"] == "2019-09-18"
    assert page.metadata["source"] == "山西日报"
    assert page.metadata["source_site"] == "山西省人民政府门户网站"
    assert page.text.startswith("图为山西品牌丝路行（南美站）启动仪式。")
    assert "跨越千山万水，行程近两万公里" in page.text
    assert page.text.endswith("南美站活动将先后在巴西、乌拉圭、阿根廷举行。（张巨峰）")
    for chrome in ("切換到繁體", "热门搜索", "字体：", "分享", "网站标识码", "晋ICP备"):
        assert chrome not in page.text, chrome


def test_hanweb_page_of_zhejiang_development_commission(pages_dir: Path) -> None:
    url = "http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html"
    page = extract_page(read_page(pages_dir, "gov_detail_hanweb_zj_fgw.html"), url)
    assert page.cms == "hanweb"
    assert page.title == "1-10月德清县固定资产投资结构趋稳趋优"
    assert page.metadata["published"] == "2016-11-22"
    assert page.metadata["source"] == "省发改委"
    assert page.metadata["source_site"] == "浙江省发展和改革委员会"
    assert page.text.count("全县固定资产投资完成246.79亿元") == 1
    assert page.text.endswith("总体全县投资结构趋稳趋优。（德清县发改局）")
    for chrome in ("浏览次数", "政务公开", "打印", "浙ICP备", "无障碍浏览"):
        assert chrome not in page.text, chrome


def test_law_text_inside_university_template(pages_dir: Path) -> None:
    page = extract_page(read_page(pages_dir, "law_text_on_university_site.html"))
    assert page.title == "中华人民共和国监察法"
    assert page.metadata["published"] == "2018-05-17"
    assert "第一条 为了深化国家监察体制改革" in page.text
    assert page.text.endswith("《中华人民共和国行政监察法》同时废止。")
    for chrome in ("添加收藏夹", "设为首页", "浏览次数", "主办单位", "030001"):
        assert chrome not in page.text, chrome


def test_advertorial_keeps_stuffed_brand_in_title_and_drops_next_story(pages_dir: Path) -> None:
    page = extract_page(read_page(pages_dir, "advertorial_brand_stuffed_news.html"))
    headline = "江门七旬阿婆接来电称其涉黑被骗上百万！冒充公检法电诈团伙被端"
    assert page.title == "[诗婷露雅化妆品]" + headline
    assert "徐阿婆接到了一通陌生号码来电" in page.text
    assert "拿不准时可拨打110求证" in page.text
    # The teaser of the next story under the article is not part of it.
    assert "香港警方" not in page.text
    assert "title" not in page.metadata


def test_wechat_article_body_without_account_chrome(pages_dir: Path) -> None:
    page = extract_page(read_page(pages_dir, "wechat_product_launch_article.html"))
    assert page.title == "三星 Galaxy S20 系列手机正式发布"
    assert page.text.startswith("今天凌晨，三星在美国旧金山举行发布会")
    assert "S20 Ultra" in page.text
    for chrome in ("微信扫一扫", "关注该公众号", "功能介绍", "长按识别前往小程序", "我的留言"):
        assert chrome not in page.text, chrome


def test_baijiahao_seeding_post_without_portal_chrome(pages_dir: Path) -> None:
    page = extract_page(read_page(pages_dir, "seeding_post_baijiahao_product.html"))
    assert page.title == "这款休闲裤太帅了，让你时尚潮流穿着舒适"
    assert page.text.startswith("水洗工艺，最大程度凸显你腿部长度")
    for chrome in ("百度首页", "个人中心", "相关文章", "京ICP证", "返回顶部"):
        assert chrome not in page.text, chrome


def test_news_list_page_yields_headlines_not_navigation_or_code(pages_dir: Path) -> None:
    page = extract_page(read_page(pages_dir, "news_list_page_163.html"))
    assert page.title == "网易新闻"
    assert "舆论称中国奶业走上不可挽回的歧路" in page.text
    for chrome in ("网易公开课", "快速导航", "网易公司版权所有", "function(", "var "):
        assert chrome not in page.text, chrome
