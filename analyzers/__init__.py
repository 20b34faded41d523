"""Analyzers: pure functions from text to findings. No I/O during analysis, deterministic.

- `analyzers.registry.get_analyzer(kind)`: the analyzer of "policy" (fair competition) or
  "ad" (advertising law); each has `analyze(text, *, sector=None, platform=None)`.
- `analyzers.engine`: the data-driven rule engine and the YAML rule-pack format
  (documented in its module docstring); packs live in config/rules/.
- `analyzers.findings`: `Finding` and `DocumentAnalysis`, the shapes every caller sees.
- `analyzers.normalize` / `analyzers.clauses`: normalisation and clause splitting that keep
  offsets into the original text.
- `analyzers.evaluation`: precision/recall scoring shared by `fairwatch eval` and the tests.

This package imports nothing else of the project (see shared/DESIGN.md, Layout).
"""
