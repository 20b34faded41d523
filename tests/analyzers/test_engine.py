"""The generic rule engine: windows, negation, exclusions, exceptions, legal basis, sectors."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzers.engine import RuleEngine, load_pack
from analyzers.errors import RulePackError

PACK = """
pack: test
kind: policy
defaults: {window: 12, negation_window: 4, grade: 明显违反}
sets:
  LOCAL: [本地, 本市]
  NEG: [不得, 禁止]
negations: [$NEG]
legal_basis: [依据《]
exceptions:
  - {id: X-12, item: 第十二条（三）, label: 环境保护, cues: [环境保护]}
rules:
  - id: local-first
    standard: S-1
    citation: 第一条：测试
    explanation: "{subject}+{action}"
    legal_basis: downgrade
    cues:
      - {role: subject, terms: [$LOCAL], exclude: [日本市]}
      - {role: action, terms: [优先], negatable: true}
    unless: [一视同仁]
  - id: ordered
    standard: S-2
    grade: 疑似
    citation: 第二条：测试
    explanation: "{a}{b}"
    ordered: true
    cues:
      - {role: a, terms: [指定]}
      - {role: b, terms: [公司], pattern: "由.{0,6}公司"}
  - id: food-only
    standard: S-3
    citation: 第三条
    explanation: "{x}"
    sectors: [food]
    cues:
      - {role: x, terms: [治疗]}
"""


@pytest.fixture()
def engine(tmp_path: Path) -> RuleEngine:
    p = tmp_path / "pack.yaml"
    p.write_text(PACK, encoding="utf-8")
    return RuleEngine(load_pack(p))


def test_match_within_window_with_original_offsets(engine: RuleEngine) -> None:
    text = "第一条 总则。\n（二）本市企业 优先 采购。"
    res = engine.analyze(text)
    assert [f.rule for f in res.findings] == ["local-first"]
    f = res.findings[0]
    assert text[f.start : f.end] == f.quote == "（二）本市企业 优先 采购。"
    assert "「本市」" in f.explanation and "「优先」" in f.explanation
    assert res.flagged and res.grade == "明显违反" and res.counts == {"S-1": 1}


def test_window_exceeded(engine: RuleEngine) -> None:
    assert engine.analyze("本地有关部门应当加强协调配合并统筹推进各项工作优先").findings == []


def test_negation_reverses_meaning(engine: RuleEngine) -> None:
    assert engine.analyze("本地采购不得优先考虑特定企业").findings == []
    # a negation beyond the comma does not reach the cue
    assert engine.analyze("不得拖延,本地企业优先").flagged


def test_exclude_and_unless(engine: RuleEngine) -> None:
    assert engine.analyze("日本市场产品优先进入").findings == []
    assert engine.analyze("本地与外地企业一视同仁,优先支持创新").findings == []


def test_legal_basis_and_exception_lower_grade_not_drop(engine: RuleEngine) -> None:
    f = engine.analyze("依据《某法》本地企业优先").findings[0]
    assert f.grade == "疑似" and "依据《" in f.explanation
    g = engine.analyze("为环境保护需要,本地企业优先").findings[0]
    assert g.grade == "疑似" and g.exception and g.exception.startswith("X-12 第十二条（三）")
    both = engine.analyze("依据《某法》为环境保护需要本地优先").findings[0]
    assert both.grade == "提示"
    assert not engine.analyze("依据《某法》为环境保护需要本地优先").flagged


def test_ordered_roles_and_pattern(engine: RuleEngine) -> None:
    assert engine.analyze("指定由某某公司承担").findings[0].standard == "S-2"
    assert engine.analyze("由某某公司承担,指定").findings == []


def test_sector_condition(engine: RuleEngine) -> None:
    assert engine.analyze("可治疗失眠").findings == []
    f = engine.analyze("可治疗失眠", sector="food").findings[0]
    assert f.standard == "S-3" and f.sector == "food"


def test_full_width_text_matches_half_width_cues(tmp_path: Path) -> None:
    p = tmp_path / "p.yaml"
    p.write_text(
        "pack: t\nkind: policy\nrules:\n- id: r\n  standard: S\n  citation: c\n"
        "  explanation: e\n  cues:\n  - {role: a, terms: ['iso9001认证']}\n",
        encoding="utf-8",
    )
    text = "须取得ＩＳＯ９００１认证"
    f = RuleEngine(load_pack(p)).analyze(text).findings[0]
    assert f.quote == text and f.grade == "疑似"


def test_big_document_is_chunked_and_offsets_hold(engine: RuleEngine) -> None:
    filler = "各部门应当加强协调配合。\n" * 20000
    text = filler + "本市企业优先采购。" + filler
    res = engine.analyze(text)
    assert len(res.findings) == 1
    assert res.findings[0].quote == "本市企业优先采购。"


def test_invalid_pack_reports_every_error(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text(
        "pack: t\nkind: policy\nrules:\n"
        "- id: a\n  standard: S\n  citation: c\n  explanation: '{nope}'\n  grade: 很严重\n"
        "  colour: red\n  cues:\n  - {role: x, terms: [$MISSING]}\n"
        "- id: b\n  standard: S\n  citation: c\n  explanation: e\n"
        "  cues:\n  - {role: y, pattern: '(unclosed'}\n",
        encoding="utf-8",
    )
    with pytest.raises(RulePackError) as err:
        load_pack(p)
    msg = str(err.value)
    assert str(p) in msg
    for part in ("rules[0](a).grade", "rules[0](a).colour", "$MISSING", "{nope}",
                 "rules[1](b).cues[0].pattern", "literal terms"):
        assert part in msg, part


def test_unreadable_pack(tmp_path: Path) -> None:
    with pytest.raises(RulePackError, match="cannot read"):
        load_pack(tmp_path / "missing.yaml")
    bad = tmp_path / "x.yaml"
    bad.write_text("rules: [", encoding="utf-8")
    with pytest.raises(RulePackError, match="invalid YAML"):
        load_pack(bad)


def test_non_text_input(engine: RuleEngine) -> None:
    with pytest.raises(TypeError, match="needs str"):
        engine.analyze(b"bytes")  # type: ignore[arg-type]


def test_pack_without_rules_finds_nothing(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("pack: empty\nkind: policy\nversion: 1\nrules: []\n", encoding="utf-8")
    engine = RuleEngine(load_pack(path))
    assert engine.analyze("本地企业优先。\n不得限制外地企业：\n（一）本地优先；").findings == []
