"""The ad-law analyzer: sector-dependent rules, absolute-term exceptions, unlabelled ads,
live-stream findings, and clear errors for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from analyzers import registry
from analyzers.ad_law import AdInputError, AdLawAnalyzer, create_analyzer
from analyzers.errors import RulePackError
from analyzers.findings import DocumentAnalysis
from analyzers.registry import default_pack_path


@pytest.fixture(scope="module")
def ad() -> AdLawAnalyzer:
    return create_analyzer(learned=False)  # the rules alone: their unit cases


def flagged_standards(res: DocumentAnalysis) -> set[str]:
    return {f.standard for f in res.findings if f.flagging}


def test_registry_serves_the_ad_analyzer() -> None:
    a = registry.get_analyzer("ad")
    assert isinstance(a.base, AdLawAnalyzer) and a.pack.name == "ad_law"
    assert isinstance(a, registry.Analyzer)


# -- the same words, lawful in one sector and not in another


def test_treatment_claim_depends_on_the_sector(ad: AdLawAnalyzer) -> None:
    text = "本品清热解毒，消炎止痛。"
    assert flagged_standards(ad.analyze(text, sector="food")) == {"AD-17"}
    assert flagged_standards(ad.analyze(text, sector="cosmetics")) == {"AD-17"}
    assert flagged_standards(ad.analyze(text, sector="health_food")) == {"AD-18"}
    # A drug may state its indication: neither 第十七条 nor 第十六条 applies to that.
    assert not ad.analyze(text, sector="drug").flagged


def test_efficacy_assurance_is_article_16_only_for_medical_sectors(ad: AdLawAnalyzer) -> None:
    text = "一次见效，无任何副作用。"
    for sector in ("drug", "medical_device", "medical_service"):
        assert "AD-16" in flagged_standards(ad.analyze(text, sector=sector)), sector
    assert "AD-16" not in flagged_standards(ad.analyze(text, sector="food"))


def test_every_finding_names_the_sector_it_assumed(ad: AdLawAnalyzer) -> None:
    res = ad.analyze("喝我们的苦荞茶，降血压降血糖，告别三高，全网最低价。")
    assert res.findings
    for f in res.findings:
        assert f.sector == "food"
        assert "行业：食品" in f.explanation


def test_sector_is_inferred_from_a_sector_specific_claim(ad: AdLawAnalyzer) -> None:
    res = ad.analyze("一次通关，不过全额退费！")
    (f,) = [f for f in res.findings if f.standard == "AD-24"]
    assert f.sector == "education" and "由违规用语推断" in f.explanation


def test_sector_gated_rules_stay_silent_in_other_sectors(ad: AdLawAnalyzer) -> None:
    # A hotel may state travel time; only a real-estate ad may not (第二十六条（二）).
    assert not ad.analyze("酒店距机场仅需15分钟车程，含双早。").flagged
    res = ad.analyze("距市中心仅需15分钟车程。", sector="real_estate")
    assert "AD-26" in flagged_standards(res)


# -- absolute terms and the enforcement guide's exceptions


@pytest.mark.parametrize(
    "text",
    [
        "今天是优惠活动的最后一天。",
        "最新上架：秋冬款毛呢大衣。",
        "他是我最好的朋友，我们一起长大。",
        "每人限购最多3件。",
        "第一次使用前请清洗内胆。",
        "最佳食用期为开封后7天内。",
        "最好提前一天预约。",
        "至尊牌电饭煲，煮饭香。",
        "“最好”是本公司注册商标。",
        "FBIF2021百强榜中,海天味业位列调味品品类第一。",
        "我们致力于提供最好的服务。",
        "这是我们店里卖得最好的一款。",
        "国家级非物质文化遗产传承技艺。",
        "面料100%羊毛。",
    ],
)
def test_absolute_term_exceptions_are_not_flagged(ad: AdLawAnalyzer, text: str) -> None:
    assert "AD-9-3" not in flagged_standards(ad.analyze(text)), text


@pytest.mark.parametrize(
    "text",
    [
        "全网最低价。", "杭州最好的炒货店铺", "史无前例，全球首款", "行业第一品牌", "顶级工艺",
        "100%有效",
    ],
)
def test_absolute_terms_are_flagged(ad: AdLawAnalyzer, text: str) -> None:
    res = ad.analyze(text)
    assert "AD-9-3" in flagged_standards(res), text
    f = next(f for f in res.findings if f.standard == "AD-9-3")
    assert f.quote == text[f.start : f.end]
    assert "第九条（三）" in f.citation


# -- unlabelled advertising (AD-14)

POST = "好物分享｜最近入手的空气炸锅，做鸡翅15分钟搞定，戳主页橱窗直接下单，优惠码ABC88再减30。"


def test_post_with_commercial_signals_and_no_label_is_suspected(ad: AdLawAnalyzer) -> None:
    res = ad.analyze(POST)
    (f,) = [f for f in res.findings if f.standard == "AD-14"]
    assert f.grade == "疑似" and res.flagged
    assert "广告" in f.explanation and "橱窗" in f.explanation
    assert "第十四条" in f.citation and "互联网广告管理办法" in f.citation


@pytest.mark.parametrize("label", ["广告｜", "【广告】", "#广告 ", "本文为广告。"])
def test_a_labelled_post_is_not_flagged(ad: AdLawAnalyzer, label: str) -> None:
    assert "AD-14" not in flagged_standards(ad.analyze(label + POST))


def test_a_denied_label_is_no_label(ad: AdLawAnalyzer) -> None:
    assert "AD-14" in flagged_standards(ad.analyze("这不是广告，" + POST))


def test_news_form_advertorial_cites_the_news_paragraph(ad: AdLawAnalyzer) -> None:
    text = "记者走访发现，XX牌净水器深受市民欢迎，现在拨打热线400-123-4567订购享八折优惠。"
    res = ad.analyze(text)
    (f,) = [f for f in res.findings if f.standard == "AD-14"]
    assert "新闻报道形式" in f.citation


def test_shop_pages_and_posts_without_signals_are_not_unlabelled_ads(ad: AdLawAnalyzer) -> None:
    assert not ad.analyze(POST, platform="ecommerce").flagged
    assert not ad.analyze("周末带娃去了城市公园，樱花开得正好，推荐大家去走走。").flagged
    review = "测评：五款电动牙刷对比，本测评为自费，无品牌方赞助，不含购买链接。"
    assert not ad.analyze(review).flagged


# -- live-stream selling


def test_a_breach_in_a_live_room_engages_the_streamer(ad: AdLawAnalyzer) -> None:
    res = ad.analyze("这款面霜能治湿疹，喜欢的拍。", platform="livestream")
    assert flagged_standards(res) == {"AD-17", "AD-LIVE"}
    live = next(f for f in res.findings if f.standard == "AD-LIVE")
    assert "第十九条" in live.citation and "AD-17" in live.explanation


def test_live_cues_in_the_text_are_enough(ad: AdLawAnalyzer) -> None:
    res = ad.analyze("直播间的宝宝们，这是全网最低价！")
    assert flagged_standards(res) == {"AD-9-3", "AD-LIVE"}


def test_a_lawful_live_room_has_no_live_finding(ad: AdLawAnalyzer) -> None:
    res = ad.analyze("家人们，这款面霜质地很清爽，3、2、1上链接！", platform="livestream")
    assert res.findings == []


# -- document-wide evidence


def test_patent_number_elsewhere_clears_the_missing_number_rule(ad: AdLawAnalyzer) -> None:
    assert "AD-12" in flagged_standards(ad.analyze("采用专利技术，吸力强劲。"))
    text = "采用专利技术，吸力强劲。专利号：ZL201910123456.7（发明专利）。"
    assert "AD-12" not in flagged_standards(ad.analyze(text))


def test_findings_quote_the_original_text(ad: AdLawAnalyzer) -> None:
    text = "　ＸＸ牌　面霜，\n能消炎杀菌，治疗湿疹。"
    res = ad.analyze(text)
    assert res.findings
    for f in res.findings:
        assert f.quote == text[f.start : f.end]


# -- bad input


def test_unknown_platform_is_a_clear_error(ad: AdLawAnalyzer) -> None:
    with pytest.raises(AdInputError, match="unknown platform 'tv'.*livestream"):
        ad.analyze("全网最低价", platform="tv")


def test_unknown_sector_is_a_clear_error(ad: AdLawAnalyzer) -> None:
    with pytest.raises(AdInputError, match="unknown sector 'cars'"):
        ad.analyze("全网最低价", sector="cars")


def test_text_must_be_a_string(ad: AdLawAnalyzer) -> None:
    with pytest.raises(AdInputError, match="needs str text"):
        ad.analyze(b"bytes")  # type: ignore[arg-type]


def _pack_copy(tmp_path: Path, edit) -> Path:  # noqa: ANN001
    data = yaml.safe_load(default_pack_path("ad_law").read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "ad_law.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_pack_without_sector_cues_is_rejected(tmp_path: Path) -> None:
    path = _pack_copy(tmp_path, lambda d: d["extensions"].pop("sectors"))
    with pytest.raises(RulePackError, match="extensions.sectors") as info:
        create_analyzer(path)
    assert info.value.path == str(path)


def test_pack_with_a_bad_signal_regex_names_the_field(tmp_path: Path) -> None:
    def edit(d: dict) -> None:
        d["extensions"]["unlabelled"]["signals"]["link"] = ["(链接"]

    with pytest.raises(RulePackError, match="extensions.unlabelled.signals.link.*bad regex"):
        create_analyzer(_pack_copy(tmp_path, edit))


def test_policy_pack_is_not_an_ad_pack() -> None:
    with pytest.raises(RulePackError, match="expected an ad pack"):
        create_analyzer(default_pack_path("fair_competition"))


def test_the_pack_has_no_duplicate_keys() -> None:
    # YAML keeps the last of two equal keys silently: a second `3:` cue list in a sector
    # table would drop the first one.
    class UniqueKeys(yaml.SafeLoader):
        def construct_mapping(self, node, deep=False):  # noqa: ANN001, ANN202
            seen: set[object] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                line = key_node.start_mark.line + 1
                assert key not in seen, f"duplicate key {key!r} at line {line}"
                seen.add(key)
            return super().construct_mapping(node, deep)

    yaml.load(default_pack_path("ad_law").read_text(encoding="utf-8"), Loader=UniqueKeys)  # noqa: S506


@pytest.mark.parametrize(
    ("value", "platform"),
    [("Live-Stream", "livestream"), ("小红书", "seeding"), ("E-commerce", "ecommerce"),
     ("douyin", "video"), ("公众号", "advertorial"), ("live_room", "livestream"),
     ("wechat_article", "advertorial"), ("product_page", "ecommerce")],
)
def test_platform_names_map_to_platform_kinds(value: str, platform: str) -> None:
    from analyzers.ad_law import resolve_platform

    assert resolve_platform(value) == platform


def test_drug_wording_in_a_food_ad_is_suspected(ad: AdLawAnalyzer) -> None:
    res = ad.analyze("纯天然蜂蜜，无副作用，一个疗程见分晓。", sector="food")
    assert {f.standard for f in res.findings} == {"AD-17"}
    # In a drug ad the same words assure safety: 第十六条, not 第十七条.
    res = ad.analyze("纯天然蜂蜜，无副作用。", sector="drug")
    assert {f.standard for f in res.findings} == {"AD-16"}


@pytest.mark.parametrize(
    "text",
    [
        "本平台禁止发布含有“稳赚不赔”“零风险”等内容的投资广告。",
        "广告法规定，广告不得使用“国家级”“最高级”“最佳”等用语。",
        "教育部门提醒家长：警惕培训机构“保过”“包过”等虚假承诺。",
    ],
)
def test_warnings_quoting_banned_claims_are_only_hints(ad: AdLawAnalyzer, text: str) -> None:
    res = ad.analyze(text)
    assert res.findings and not res.flagged
    assert all(f.grade == "提示" and f.exception and "引述" in f.exception for f in res.findings)


def test_a_quoted_claim_without_a_warning_is_still_a_breach(ad: AdLawAnalyzer) -> None:
    res = ad.analyze("当事人在店铺首页使用“全国销量第一”“行业领导品牌”等用语。")
    assert "AD-9-3" in flagged_standards(res)
