"""Errors about source files.

SourceError
├── SourceConfigError   one or more problems in one source file (file, line, field)
├── UnknownSourceError  a source id that no valid file declares
└── MissingPlaceholderError  a {site} URL with no value to fill in
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crawlers.errors import CrawlerError


@dataclass(frozen=True)
class SourceProblem:
    """One problem in one source file, located by line and field path."""

    file: Path
    line: int | None
    field: str  # dotted path, "" for the whole file
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class SourceError(CrawlerError):
    """Base class of source configuration errors."""


class SourceConfigError(SourceError):
    def __init__(self, file: Path, problems: list[SourceProblem]) -> None:
        self.file = file
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


class UnknownSourceError(SourceError):
    def __init__(self, source_id: str, known: list[str], broken: list[Path]) -> None:
        self.source_id = source_id
        hint = f"known sources: {', '.join(sorted(known)) or 'none'}"
        if broken:
            hint += (
                f"; files with errors (run `fairwatch config check`): {', '.join(map(str, broken))}"
            )
        super().__init__(f"no source with id {source_id!r} ({hint})")


class MissingPlaceholderError(SourceError):
    def __init__(self, source_id: str, placeholder: str) -> None:
        self.source_id = source_id
        super().__init__(
            f"source {source_id!r} uses {{{placeholder}}} in its URLs but no value is set "
            f"(set FAIRWATCH_CRAWL_SITE_URL or run it through `fairwatch demo`)"
        )
