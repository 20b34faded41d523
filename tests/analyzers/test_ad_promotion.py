"""Is it advertising at all? News, reviews and explainers without promotion get no ad-law
findings; the same claims with a price, a purchase route or a call to action do."""

from __future__ import annotations

import pytest

from analyzers.ad_law import AdLawAnalyzer, create_analyzer
from analyzers.normalize import normalize
from analyzers.registry import get_analyzer


@pytest.fixture(scope="module")
def ad() -> AdLawAnalyzer:
    return create_analyzer(learned=False)


NEWS = "记者从海关总署获悉：今年前4个月，我国货物贸易进出口总值创历史最高。"
EXPLAINER = "一般来说，不饱和脂肪酸是坚果最主要的营养成分。"


@pytest.mark.parametrize("text", [NEWS, EXPLAINER])
def test_news_and_explainers_are_not_judged_as_ads(ad: AdLawAnalyzer, text: str) -> None:
    assert not ad.is_promotion(normalize(text).text)
    res = ad.analyze(text)
    assert not res.flagged
    assert all("不按广告判断" in f.explanation for f in res.findings)
    assert not get_analyzer("ad").analyze(text).flagged  # nor rescued by the model


def test_the_same_claim_with_promotion_is_judged(ad: AdLawAnalyzer) -> None:
    text = "一般来说，我们的坚果是全网最好的坚果，立即下单仅需29元。"
    assert ad.is_promotion(normalize(text).text)
    assert "AD-9-3" in {f.standard for f in ad.analyze(text).findings if f.flagging}


def test_a_plain_ad_needs_no_promotion_cue(ad: AdLawAnalyzer) -> None:
    # the default is an ad: a claim alone (as quoted in a penalty decision) is judged
    assert ad.analyze("本品是全国最好的保健品。").flagged


def test_bad_promotion_regex_is_named(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from analyzers.registry import default_pack_path
    from analyzers.rulepack import RulePackError

    text = default_pack_path("ad_law").read_text(encoding="utf-8")
    broken = text.replace("  promotion:\n    promotion:\n", "  promotion:\n    promotion: ['(']\n"
                          "    unused:\n", 1)
    p = tmp_path / "ad.yaml"
    p.write_text(broken, encoding="utf-8")
    with pytest.raises(RulePackError, match="extensions.promotion"):
        create_analyzer(p, learned=False)


def test_a_rescued_ad_finding_names_the_exception_to_check() -> None:
    from analyzers.rows import corpus
    from analyzers.second_opinion import LEARNED_RULE

    combined = get_analyzer("ad")
    for c in corpus("ad"):
        if c.real and c.label and not combined.base.analyze(c.text).flagged:
            found = [f for f in combined.analyze(c.text).findings if f.rule == LEARNED_RULE]
            if found:
                assert "第二条" in (found[0].exception or "")
                assert found[0].citation == combined.citations[found[0].standard]
                return
    pytest.fail("no real ad row is rescued by the model")


@pytest.mark.parametrize("text", [
    "需要注意的是，保健食品并非药品，不能替代药物用于疾病的治疗。",
    "该公司总经理在会上表示，新工厂投产后技术水平居世界同行前列。",
    "价格方面，全市一手住宅成交均价创下历史新高，罗湖均价最高。",  # 价格 alone sells nothing
    "也就是说，固定收益类产品主要投资于债券等债权类资产，风险最低。",  # 债券 is no coupon
])
def test_editorial_voice_is_not_promotion(ad: AdLawAnalyzer, text: str) -> None:
    assert not ad.is_promotion(normalize(text).text)
    assert not ad.analyze(text).flagged


def test_a_selling_price_still_makes_it_an_ad(ad: AdLawAnalyzer) -> None:
    text = "据介绍，本品是全国最好的冻梨，售价仅3元/斤，欢迎咨询热线购买。"
    assert ad.is_promotion(normalize(text).text)
    assert ad.analyze(text).flagged
