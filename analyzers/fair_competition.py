"""The fair-competition (公平竞争审查) analyzer: the rule engine with the FC rule pack.

The rules are data: config/rules/fair_competition.yaml (format: analyzers.engine). Every
rule cites the article of the 公平竞争审查条例 (2024) it applies.
"""

from __future__ import annotations

from pathlib import Path

from analyzers.engine import RuleEngine, load_pack
from analyzers.registry import default_pack_path

__all__ = ["PACK_NAME", "create_analyzer"]

PACK_NAME = "fair_competition"


def create_analyzer(rules_path: str | Path | None = None) -> RuleEngine:
    """A RuleEngine over the fair-competition pack (or the pack at `rules_path`)."""
    return RuleEngine(load_pack(rules_path or default_pack_path(PACK_NAME)))
