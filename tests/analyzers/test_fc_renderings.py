"""Regulator renderings of breaches (要求…, 规定…只能…, 指定…作为唯一…, 将…作为…条件) and
their compliant twins: the rules read the meaning, not one wording."""

from __future__ import annotations

import pytest

from analyzers.engine import RuleEngine
from analyzers.fair_competition import create_analyzer


@pytest.fixture(scope="module")
def fc() -> RuleEngine:
    analyzer = create_analyzer(learned=False)  # the rules alone: these are their unit cases
    assert isinstance(analyzer, RuleEngine)
    return analyzer


@pytest.mark.parametrize(
    ("text", "standard", "rule"),
    [
        (
            "要求各村卫生室所需的医用耗材全部从县医药有限公司购进。",
            "FC-8-3", "fc-8-3-single-provider",
        ),
        ("规定参保职工的体检只能到市第一人民医院进行。", "FC-8-3", "fc-8-3-single-provider"),
        (
            "通知要求各物业小区的门禁设备采购某安防科技公司的产品。",
            "FC-8-3", "fc-8-3-named-products",
        ),
        ("明确某数据公司为全区唯一的停车收费系统运营单位。", "FC-8-3", None),
        (
            "将在本区拥有自有仓储场地作为快递末端网点备案的前提条件。",
            "FC-8-4", "fc-8-4-condition-imposed",
        ),
        ("由镇政府召集辖区各砂石企业统一确定出厂价格。", "FC-11-1", "fc-11-1-organised-price"),
        ("由区协会按片区划分各家培训机构的招生范围。", "FC-11-1", None),
    ],
)
def test_renderings_are_flagged(fc: RuleEngine, text: str, standard: str, rule: str | None) -> None:
    res = fc.analyze(text)
    assert res.flagged, text
    found = [f for f in res.findings if f.standard == standard]
    assert found, (text, res.counts)
    if rule is not None:
        assert rule in {f.rule for f in res.findings}, [f.rule for f in res.findings]


@pytest.mark.parametrize(
    "text",
    [
        # a class of providers, not one operator
        "参保职工可以在二级以上医院自主选择体检机构。",
        # the compliant rule stated as a prohibition
        "不得要求物业小区采购某一公司的门禁产品。",
        "不得将在本地拥有自有场地作为备案的前提条件。",
        # 唯一 as an identifier, not a sole provider
        "明确每个停车泊位赋予唯一编码，便于统一管理。",
        # administration sets up its own service bodies
        "各镇应在本镇设立政务服务中心，为企业提供帮办服务。",
        # prices left to the operators, monitored by the authority
        "价格主管部门组织开展价格监测，不统一确定经营者的销售价格。",
    ],
)
def test_compliant_twins_are_not_flagged(fc: RuleEngine, text: str) -> None:
    res = fc.analyze(text)
    assert not res.flagged, [(f.rule, f.explanation) for f in res.findings]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("要求施工单位必须委托某工程质量检测有限公司进行检测。", "fc-8-3-must-commission-named"),
        ("要求维保单位须委托某特种设备检测公司检测。", "fc-8-3-must-commission-named"),
        ("选择某燃气供应站作为本镇唯一的瓶装燃气经营主体。", "fc-8-3-sole-designation"),
    ],
)
def test_one_named_firm_made_the_only_provider(fc: RuleEngine, text: str, rule: str) -> None:
    hits = [f for f in fc.analyze(text).findings if f.flagging]
    assert rule in {f.rule for f in hits if f.standard == "FC-8-3"}


@pytest.mark.parametrize(
    "text",
    [
        "施工单位须委托具有相应资质的检测机构进行检测。",
        "用户可自行选择委托检测公司。",
        "不得要求施工单位必须委托某检测公司进行检测。",
        "通过公开招标选择燃气经营企业作为本镇瓶装燃气经营主体。",
    ],
)
def test_an_open_choice_of_provider_is_not_a_designation(fc: RuleEngine, text: str) -> None:
    assert not [f for f in fc.analyze(text).findings if f.flagging and f.standard == "FC-8-3"]


@pytest.mark.parametrize(
    "text",
    [
        "大型企业按企业及其职工上年度实际缴纳失业保险费的30%返还，中小微企业按60%返还。",
        "某工程咨询有限公司受某职业技术学院委托，对工作服采购项目进行竞争性磋商采购，现欢迎合格的供应商参加。",
    ],
)
def test_open_national_schemes_and_competitive_procedures_are_lawful(fc: RuleEngine,
                                                                      text: str) -> None:
    assert not fc.analyze(text).flagged


def test_a_refund_for_selected_firms_is_still_flagged(fc: RuleEngine) -> None:
    text = "对入驻园区的龙头企业，返还其缴纳的社会保险费。"
    assert "FC-10-3" in {f.standard for f in fc.analyze(text).findings if f.flagging}
