"""Behaviour of the fair-competition pack: meaning, negation, exceptions, legal basis."""

from __future__ import annotations

import tracemalloc

import pytest

from analyzers.engine import RuleEngine
from analyzers.fair_competition import create_analyzer


@pytest.fixture(scope="module")
def fc() -> RuleEngine:
    analyzer = create_analyzer(learned=False)  # the rules alone: these are their unit cases
    assert isinstance(analyzer, RuleEngine)
    return analyzer


@pytest.mark.parametrize(
    ("text", "standard"),
    [
        ("本项目仅限本市注册的企业参加投标。", "FC-9-3"),
        ("各学校学生饮用奶统一由某某乳业有限公司配送。", "FC-8-3"),
        ("对入驻企业按其地方财政贡献的50%给予产业扶持资金。", "FC-10-2"),
        ("企业获得奖励后五年内将注册地迁出本市的，应当全额退还所获奖励。", "FC-9-1"),
        ("外地建筑企业进入本市承揽工程的，须到市住建局办理入市备案登记。", "FC-9-5"),
        ("入驻商户须交纳诚信经营押金2万元，违约的押金不予退还。", "FC-10-4"),
    ],
)
def test_breaches_are_flagged_with_their_standard(fc: RuleEngine, text: str, standard: str) -> None:
    res = fc.analyze(text)
    assert res.flagged
    assert standard in res.counts
    f = next(f for f in res.findings if f.standard == standard)
    assert f.quote == text and f.citation.startswith("《公平竞争审查条例》")
    assert "命中线索" in f.explanation


@pytest.mark.parametrize(
    "text",
    [
        "不得限定采购人在名录库中选择供应商。",
        "禁止指定特定企业承担项目建设。",
        "对本地企业和外地企业平等对待，一视同仁。",
        "不得排斥外地经营者参加本地招标投标。",
        "不得要求外地企业在本地设立分支机构。",
        "严禁违法违规给予企业税收返还或者先征后返。",
    ],
)
def test_compliant_statements_are_not_flagged(fc: RuleEngine, text: str) -> None:
    assert not fc.analyze(text).flagged, fc.analyze(text).findings


def test_exception_of_article_12_lowers_the_grade_and_is_named(fc: RuleEngine) -> None:
    plain = fc.analyze("各单位须从名录库中选择供应商。").findings[0]
    excepted = fc.analyze("为保障救灾需要，各单位须从名录库中选择供应商。").findings[0]
    assert plain.grade == "明显违反" and plain.exception is None
    assert excepted.grade == "疑似"
    assert excepted.exception and excepted.exception.startswith("FC-12 第十二条（三）")
    # purpose and an end condition: lower again, still reported
    ended = fc.analyze("为保障救灾需要，各单位须从名录库中选择供应商，灾情结束后自动终止。")
    assert ended.findings[0].grade == "提示" and not ended.flagged


def test_legal_basis_weakens_article_10(fc: RuleEngine) -> None:
    plain = fc.analyze("对新落户企业实行增值税先征后返。").findings[0]
    based = fc.analyze("经国务院批准，对新落户企业实行增值税先征后返。").findings[0]
    assert plain.standard == based.standard == "FC-10-1"
    assert plain.grade == "明显违反" and based.grade == "疑似"
    assert "依据" in based.explanation


def test_items_of_a_prohibiting_list_are_quotations(fc: RuleEngine) -> None:
    text = (
        "第十条 起草单位起草的政策措施，不得含有下列内容：\n"
        "（一）对本地企业给予优先中标待遇；\n"
        "（二）要求外地企业在本地设立分支机构。\n"
        "本项目仅限本市注册的企业参加投标。"
    )
    res = fc.analyze(text)
    assert [f.quote for f in res.findings] == ["本项目仅限本市注册的企业参加投标。"]


def test_offsets_point_into_the_original_text(fc: RuleEngine) -> None:
    text = "一、总体要求\n\n  全区各  学校学生饮用奶自下学期起统一由某某\n乳业有限公司配送。"
    f = fc.analyze(text).findings[0]
    assert text[f.start : f.end] == f.quote
    assert f.quote.startswith("全区各  学校") and f.quote.endswith("配送。")


def test_deterministic(fc: RuleEngine) -> None:
    text = "本项目仅限本市注册的企业参加投标。对入驻企业按其地方财政贡献给予奖励。" * 50
    assert fc.analyze(text) == fc.analyze(text)


def test_memory_stays_bounded_on_a_large_document(fc: RuleEngine) -> None:
    clause = "各部门应当加强协调配合，认真抓好贯彻落实。"
    text = clause * 60_000  # 1.3 million characters; analysed in chunks of 64K
    tracemalloc.start()
    try:
        res = fc.analyze(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert res.findings == []
    assert peak < 8 * 1024 * 1024, f"peak {peak} bytes while analysing {len(text)} characters"
