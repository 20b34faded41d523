"""Errors raised by the analyzers package.

Tree::

    AnalyzerError                 base of everything raised here
    ├── RulePackError             a rule pack file is unreadable or invalid (path, field)
    ├── UnknownAnalyzerError      get_analyzer() was asked for a kind nobody registered
    ├── EvaluationError           an evaluation corpus line is invalid (path, line, field)
    ├── analyzers.sectors.UnknownSectorError   a sector hint names no sector (also ValueError)
    └── analyzers.ad_law.AdInputError          a bad ad analyze() argument (also ValueError)
"""

from __future__ import annotations

__all__ = ["AnalyzerError", "EvaluationError", "RulePackError", "UnknownAnalyzerError"]


class AnalyzerError(Exception):
    """Base class of the errors raised by analyzers."""


class RulePackError(AnalyzerError):
    """A rule pack could not be loaded; names the file and the field path that is wrong."""

    def __init__(self, path: object, field: str, message: str) -> None:
        self.path = str(path)
        self.field = field
        self.message = message
        where = f"{self.path}: {field}" if field else self.path
        super().__init__(f"{where}: {message}")


class UnknownAnalyzerError(AnalyzerError):
    """No analyzer is registered (or importable) for the requested kind."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(message)


class EvaluationError(AnalyzerError):
    """An evaluation corpus is invalid; names the file, the line and the field."""

    def __init__(self, path: object, line: int, field: str, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.field = field
        super().__init__(f"{self.path}:{line}: {field}: {message}")
