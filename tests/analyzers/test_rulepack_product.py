"""Rule packs state a pattern once: "$A*$B" is every term of A followed by every term of B."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzers.engine import RuleEngine, load_pack
from analyzers.registry import default_pack_path
from analyzers.rulepack import RulePackError

PACK = """pack: t
kind: policy
sets:
  PROHIBIT: [不得, 严禁]
  RESTRICTING: [限定, 指定]
rules:
- id: r
  standard: FC-8-3
  citation: c
  explanation: e
  cues:
  - {role: a, terms: [指定, 限定]}
  - {role: b, terms: [企业]}
  unless: [$PROHIBIT*$RESTRICTING]
"""


def test_product_expands_and_states_the_compliant_rule(tmp_path: Path) -> None:
    p = tmp_path / "p.yaml"
    p.write_text(PACK, encoding="utf-8")
    pack = load_pack(p)
    assert set(pack.rules[0].unless) == {"不得限定", "不得指定", "严禁限定", "严禁指定"}
    engine = RuleEngine(pack)
    assert engine.analyze("指定企业供货。").flagged
    assert not engine.analyze("严禁指定企业供货。").flagged


def test_unknown_set_in_a_product_is_named(tmp_path: Path) -> None:
    p = tmp_path / "p.yaml"
    p.write_text(PACK.replace("$PROHIBIT*$RESTRICTING", "$PROHIBIT*$VERBS"), encoding="utf-8")
    with pytest.raises(RulePackError, match=r"unknown set \$VERBS"):
        load_pack(p)


def test_the_fc_pack_writes_negation_x_verb_once() -> None:
    text = default_pack_path("fair_competition").read_text(encoding="utf-8")
    assert "$PROHIBIT*$RESTRICTING" in text and "严禁限定" not in text
    assert "不得限定" in load_pack(default_pack_path("fair_competition")).rules[0].unless or any(
        "不得限定" in r.unless for r in load_pack(default_pack_path("fair_competition")).rules)
