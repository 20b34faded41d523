"""Short fragments and regulator renderings as quoted in published enforcement cases:
each rule that reads them is checked on a breach and on a lawful look-alike, so a rule
that fires on everything or on nothing fails here."""

from __future__ import annotations

import pytest

from analyzers.ad_law import AdLawAnalyzer, create_analyzer
from analyzers.findings import DocumentAnalysis


@pytest.fixture(scope="module")
def ad() -> AdLawAnalyzer:
    return create_analyzer(learned=False)  # the rules alone: their unit cases


def flagged(res: DocumentAnalysis) -> dict[str, str]:
    """Flagging findings: standard -> rule of the first one naming it."""
    out: dict[str, str] = {}
    for f in res.findings:
        if f.flagging:
            out.setdefault(f.standard, f.rule)
    return out


@pytest.mark.parametrize(
    ("text", "sector", "standard", "rule"),
    [
        ("全国销量领先", None, "AD-9-3", "ad-9-3-ranking-claim"),
        ("全国十佳口腔医院", None, "AD-9-3", "ad-9-3-ranking-claim"),
        ("投资10万，年赚30万", None, "AD-25", "ad-25-multiplied-return"),
        ("效果是普通面膜的10倍", None, "AD-11", "ad-11-unsourced-multiple"),
        ("99%的用户反馈有效", None, "AD-11", "ad-11-unsourced-percentage"),
        ("28天见证奇迹", "cosmetics", "AD-11", "ad-11-unsourced-timed-effect"),
        ("修复激素脸", "cosmetics", "AD-17", "ad-17-disease-treatment"),
        ("包治百病", None, "AD-17", "ad-17-medical-claim"),
        ("三天退烧", "food", "AD-17", "ad-17-medical-claim"),
        ("宣称“特效祛痘”", None, "AD-17", "ad-17-medical-claim"),
        ("主任医师亲自操刀，效果有保障", "medical_service", "AD-16", "ad-16-assurance"),
        ("治愈率高达97%", None, "AD-16", "ad-16-cure-rate"),
        ("名校旁学区房，孩子上学无忧", "real_estate", "AD-26", "ad-26-school-promise"),
        ("清华北大名师押题", "education", "AD-24", "ad-24-endorsement"),
        ("发布含有“国家权威机构认证”内容的广告", None, "AD-9-2", "ad-9-2-state-organ-endorsement"),
        ("宣称“央视推荐品牌”", None, "AD-28", "ad-28-media-endorsement"),
        ("宣传其普通化妆品具有“祛斑”功效", None, "AD-28", "ad-28-ordinary-cosmetic-special-claim"),
        ("卫生部认定产品", None, "AD-9-2", "ad-9-2-state-organ-endorsement"),
        ("年化收益12%，银行担保", None, "AD-25", "ad-25-guaranteed-return"),
        ("超皮秒一次祛斑", "medical_service", "AD-16", "ad-16-assurance"),
        ("适用于高血压、糖尿病患者", "food", "AD-17", "ad-17-disease-treatment"),
        ("比某某牌效果好一倍", None, "AD-11", "ad-11-unsourced-multiple"),
        ("宣称其销售的普通食品“具有抗疲劳、增强免疫力功效”", None, "AD-28",
         "ad-28-ordinary-food-health-function"),
        ("韩国进口玻尿酸，打完永久保持", "medical_service", "AD-16", "ad-16-assurance"),
    ],
)
def test_case_quote_is_flagged_under_its_standard(
    ad: AdLawAnalyzer, text: str, sector: str | None, standard: str, rule: str
) -> None:
    found = flagged(ad.analyze(text, sector=sector))
    assert found.get(standard) == rule, found


@pytest.mark.parametrize(
    ("text", "sector"),
    [
        ("公司第一次参加全国糖酒会", None),
        ("本店第一家分店已于5月开业", None),
        ("手机支持10倍变焦", None),
        ("投资有风险，过往业绩不代表未来表现", "finance"),
        ("消毒湿巾，杀菌率99.9%（检测报告编号：WT2023-118）", None),
        ("本产品有效期为24个月", None),
        ("英语培训班，外教授课，小班教学。", None),
        ("学区划分以教育部门公布为准", "real_estate"),
        ("祛痘类化妆品须依法注册后方可宣称", None),
        ("手术有风险，效果因人而异", "medical_service"),
        ("本项目距地铁2号线XX站约1.2公里", "real_estate"),
        ("本品适用于干性及中性肌肤", "cosmetics"),
        ("防止衣物褪色，深色衣物专用", None),
        ("认定标准以国家标准GB 2760为准", None),
        ("本品为普通食品，不具有增强免疫力等保健功能", "food"),
        ("央视新闻报道了今年的消费维权情况", None),
    ],
)
def test_lawful_look_alike_is_not_flagged(ad: AdLawAnalyzer, text: str, sector: str | None) -> None:
    assert flagged(ad.analyze(text, sector=sector)) == {}


def test_enforcement_rendering_reports_a_breach_but_a_rule_statement_does_not(
    ad: AdLawAnalyzer,
) -> None:
    decision = "当事人在其网店发布含有“国家级产品”的广告，违反了《广告法》第九条第（三）项的规定。"
    statement = "广告法规定不得使用“国家级”“最高级”等用语。"
    assert flagged(ad.analyze(decision)) == {"AD-9-3": "ad-9-3-absolute-words"}
    quoted = [f for f in ad.analyze(statement).findings if f.standard == "AD-9-3"]
    assert quoted and all(not f.flagging and f.exception for f in quoted)
