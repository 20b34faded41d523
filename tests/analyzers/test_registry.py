"""get_analyzer(): built-in kinds, registration, and clear errors for unknown kinds."""

from __future__ import annotations

import pytest

from analyzers import registry
from analyzers.engine import RuleEngine
from analyzers.errors import UnknownAnalyzerError
from analyzers.findings import DocumentAnalysis
from analyzers.second_opinion import SecondOpinion


def test_policy_analyzer_is_the_fc_pack_and_cached() -> None:
    a = registry.get_analyzer("policy")
    assert isinstance(a, SecondOpinion) and isinstance(a.base, RuleEngine)
    assert a.pack.name == "fair_competition"
    assert registry.get_analyzer("policy") is a
    assert isinstance(a, registry.Analyzer)


def test_unknown_kind_names_the_known_ones() -> None:
    with pytest.raises(UnknownAnalyzerError, match="unknown analyzer kind 'video'.*policy"):
        registry.get_analyzer("video")


def test_register_a_factory(monkeypatch: pytest.MonkeyPatch) -> None:
    class Dummy:
        def analyze(self, text: str, *, sector: str | None = None,
                    platform: str | None = None) -> DocumentAnalysis:
            return DocumentAnalysis()

    monkeypatch.setattr(registry, "FACTORIES", dict(registry.FACTORIES))
    registry.register("dummy", Dummy)
    assert isinstance(registry.get_analyzer("dummy"), Dummy)


def test_missing_module_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "FACTORIES", dict(registry.FACTORIES))
    registry.register("ghost", "analyzers.no_such_module:create_analyzer")
    with pytest.raises(UnknownAnalyzerError, match="analyzers.no_such_module not found"):
        registry.get_analyzer("ghost")
