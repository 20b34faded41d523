"""Which analyzer serves which document kind.

`get_analyzer("policy")` returns the fair-competition analyzer, `get_analyzer("ad")` the
ad-law one. Each kind maps to a factory, named as "module:function" so a kind's module is
imported only when asked for. The built-in kinds are registered in `FACTORIES` below, and
`register(kind, factory)` adds or replaces one at run time (tests, plug-ins) through the
same mechanism.

A factory takes an optional rule pack path and returns an object with
`analyze(text, *, sector=None, platform=None) -> DocumentAnalysis`. The default packs
live in config/rules/*.yaml at the repository root (`default_pack_path`).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

from analyzers.errors import UnknownAnalyzerError
from analyzers.findings import DocumentAnalysis

__all__ = [
    "FACTORIES", "RULES_DIR", "Analyzer", "default_pack_path", "get_analyzer", "known_kinds",
    "register",
]

# analyzers/ sits at the repository root; the default rule packs are data beside it.
RULES_DIR = Path(__file__).resolve().parent.parent / "config" / "rules"


@runtime_checkable
class Analyzer(Protocol):
    def analyze(
        self, text: str, *, sector: str | None = None, platform: str | None = None
    ) -> DocumentAnalysis: ...


Factory = Callable[..., Analyzer]

# kind -> factory or "module:function". The ad-law analyzer lives in analyzers/ad_law.py
# and exposes create_analyzer(rules_path=None).
FACTORIES: dict[str, str | Factory] = {
    "policy": "analyzers.fair_competition:create_analyzer",
    "ad": "analyzers.ad_law:create_analyzer",
}

_cache: dict[str, Analyzer] = {}
_lock = threading.Lock()


def default_pack_path(name: str) -> Path:
    """config/rules/<name>.yaml at the repository root."""
    return RULES_DIR / f"{name}.yaml"


def known_kinds() -> list[str]:
    return sorted(FACTORIES)


def register(kind: str, factory: str | Factory) -> None:
    """Register (or replace) the factory of `kind`; drops a cached instance."""
    with _lock:
        FACTORIES[kind] = factory
        _cache.pop(kind, None)


def _resolve(kind: str, factory: str | Factory) -> Factory:
    if not isinstance(factory, str):
        return factory
    module_name, _, attr = factory.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise UnknownAnalyzerError(
            kind, f"analyzer for kind {kind!r} is not installed: module {module_name} not found"
        ) from exc
    try:
        return getattr(module, attr)
    except AttributeError as exc:
        raise UnknownAnalyzerError(
            kind, f"analyzer for kind {kind!r}: {module_name} has no factory {attr!r}"
        ) from exc


def get_analyzer(kind: str, rules_path: str | Path | None = None) -> Analyzer:
    """The analyzer of `kind` ("policy" or "ad"), built once and cached.

    With `rules_path`, a fresh analyzer is built from that rule pack (not cached).
    Raises UnknownAnalyzerError for a kind nobody registered.
    """
    if kind not in FACTORIES:
        raise UnknownAnalyzerError(
            kind, f"unknown analyzer kind {kind!r}: expected one of {', '.join(known_kinds())}"
        )
    if rules_path is not None:
        return _resolve(kind, FACTORIES[kind])(rules_path)
    with _lock:
        analyzer = _cache.get(kind)
        if analyzer is None:
            analyzer = _resolve(kind, FACTORIES[kind])()
            _cache[kind] = analyzer
        return analyzer
