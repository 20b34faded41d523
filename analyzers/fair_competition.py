"""The fair-competition (公平竞争审查) analyzer: the rule engine with the FC rule pack.

The rules are data: config/rules/fair_competition.yaml (format: analyzers.engine). Every
rule cites the article of the 公平竞争审查条例 (2024) it applies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from analyzers.engine import RuleEngine, RulePack, load_pack
from analyzers.learned import CharModel, default_model_path
from analyzers.registry import default_pack_path
from analyzers.second_opinion import SecondOpinion

__all__ = ["KIND", "PACK_NAME", "create_analyzer", "exception_note"]

PACK_NAME = "fair_competition"
KIND = "policy"


def exception_note(pack: RulePack) -> str:
    """The article-12 exceptions a reviewer should consider for a finding without a cue."""
    items = "；".join(f"{e.item}{e.label}" for e in pack.exceptions)
    return f"FC-12 可能适用的例外须逐项核实：{items}" if items else ""


def create_analyzer(rules_path: str | Path | None = None, *, learned: bool = True) -> Any:
    """The fair-competition rules (or the pack at `rules_path`); with `learned`, wrapped in
    the learned second opinion of config/models/policy.json."""
    engine = RuleEngine(load_pack(rules_path or default_pack_path(PACK_NAME)))
    if not learned:
        return engine
    model = CharModel.load(default_model_path(KIND))
    return SecondOpinion(engine, model, engine.pack, exception=exception_note(engine.pack))
