"""Places and actors as roles: the gazetteer and the rules that use it."""

from __future__ import annotations

import pytest

from analyzers.fair_competition import create_analyzer
from analyzers.places import builtin_sets, gazetteer, places_in


def test_gazetteer_has_every_level() -> None:
    g = gazetteer()
    assert g["江苏省"].level == "province" and g["江苏"].full == "江苏省"
    assert g["南京市"].level == "city" and g["石家庄"].level == "city"
    assert g["江宁区"].level == "county"
    sets = builtin_sets()
    assert len(sets["PLACE_PROVINCE"]) >= 34 and len(sets["PLACE_COUNTY"]) > 2500


def test_places_in_text_longest_first() -> None:
    found = [(p.full, p.level) for _, _, p in places_in("须在江苏省南京市江宁区注册")]
    assert found == [("江苏省", "province"), ("南京市", "city"), ("江宁区", "county")]
    assert places_in("人民群众和平安宁") == []  # ordinary words are no places


@pytest.mark.parametrize(("text", "standard"), [
    ("投标人须在南京市江宁区注册并纳税。", "FC-9-2"),
    ("参加投标的供应商应为江苏省境内注册的企业。", "FC-9-3"),
    ("浙江省以外的企业须另行提交资质证明。", "FC-9-5"),
    ("参与项目建设的企业仅限国有企业。", "FC-8-4"),
    ("指定由南昌农商银行股份有限公司承担代收业务。", "FC-8-3"),
])
def test_named_place_and_actor_rules(text: str, standard: str) -> None:
    res = create_analyzer(learned=False).analyze(text)
    assert standard in {f.standard for f in res.findings if f.flagging}, res


@pytest.mark.parametrize("text", [
    "本办法适用于南京市行政区域内的企业。",
    "在江苏省境内注册的企业与外地企业同等享受本政策。",
    "不得要求企业在南京市设立分支机构。",
])
def test_named_places_in_lawful_text(text: str) -> None:
    assert not create_analyzer(learned=False).analyze(text).flagged
