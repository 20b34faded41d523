"""Load and validate every source file in a folder, collecting all problems.

A broken file is reported and left out; the other sources load normally, so one typo never
stops the crawl of an unrelated source.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from crawlers.sources.errors import (
    MissingPlaceholderError,
    SourceConfigError,
    SourceProblem,
    UnknownSourceError,
)
from crawlers.sources.schema import PLACEHOLDER, SourceConfig
from crawlers.sources.yamlnodes import YamlSyntaxError, line_for, load_with_lines

logger = logging.getLogger(__name__)


@dataclass
class SourceSet:
    """The valid sources of a folder, and the problems of the files that are not."""

    sources: dict[str, SourceConfig] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    problems: list[SourceProblem] = field(default_factory=list)

    @property
    def broken_files(self) -> list[Path]:
        return sorted({p.file for p in self.problems})

    def get(self, source_id: str, *, site: str | None = None) -> SourceConfig:
        """The source with this id, placeholders filled in; raises UnknownSourceError."""
        try:
            source = self.sources[source_id]
        except KeyError:
            raise UnknownSourceError(source_id, list(self.sources), self.broken_files) from None
        return fill_placeholders(source, site=site)


def fill_placeholders(source: SourceConfig, *, site: str | None) -> SourceConfig:
    """Replace {site} in the URLs; raise MissingPlaceholderError when it has no value."""
    if not source.needs_site:
        return source
    if not site:
        raise MissingPlaceholderError(source.id, "site")
    site = site.rstrip("/")
    data = source.model_dump(mode="python")
    data["start_urls"] = [PLACEHOLDER.sub(site, u) for u in data["start_urls"]]
    pagination = data["list"].get("pagination")
    if pagination and pagination.get("style") == "json":
        pagination["url"] = PLACEHOLDER.sub(site, pagination["url"])
    return SourceConfig.model_validate(data)


def load_source_file(path: Path) -> SourceConfig:
    """Validate one file; raise SourceConfigError listing every problem found in it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceConfigError(
            path, [SourceProblem(path, None, "", f"cannot read: {exc}")]
        ) from exc
    try:
        data, lines = load_with_lines(text)
    except YamlSyntaxError as exc:
        raise SourceConfigError(path, [SourceProblem(path, exc.line, "", str(exc))]) from exc
    if not isinstance(data, dict):
        found = "an empty file" if data is None else type(data).__name__
        raise SourceConfigError(
            path,
            [SourceProblem(path, 1, "", f"expected a mapping of source fields, received {found}")],
        )
    try:
        return SourceConfig.model_validate(data)
    except ValidationError as exc:
        problems = sorted(
            (_problem(path, err, lines) for err in exc.errors()), key=lambda p: p.line or 0
        )
        raise SourceConfigError(path, problems) from exc


def _problem(path: Path, err: Any, lines: dict) -> SourceProblem:
    # Drop the union/tag names pydantic inserts (e.g. 'template', 'LinkRule') that are not keys.
    loc = tuple(err["loc"])
    field_path = ".".join(str(p) for p in loc)
    message = err["msg"]
    if err["type"] == "extra_forbidden":
        message = "unknown field (not part of the source schema; check the spelling)"
    elif err["type"] == "missing":
        message = "required field is missing"
    elif err["type"] == "value_error":
        message = message.removeprefix("Value error, ")
    elif "input" in err and not isinstance(err["input"], dict | list):
        message = f"{message}; received {err['input']!r}"
    return SourceProblem(path, line_for(lines, loc), field_path, message)


def load_sources(folder: Path) -> SourceSet:
    """Load every *.yaml/*.yml file in folder; bad files become problems, never exceptions."""
    result = SourceSet()
    if not folder.is_dir():
        result.problems.append(SourceProblem(folder, None, "", "sources folder does not exist"))
        return result
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        try:
            source = load_source_file(path)
        except SourceConfigError as exc:
            logger.error("source file %s has %d problem(s); it is skipped", path, len(exc.problems))
            result.problems.extend(exc.problems)
            continue
        if source.id in result.sources:
            result.problems.append(
                SourceProblem(
                    path, 1, "id", f"duplicate id {source.id!r}, also in {result.files[source.id]}"
                )
            )
            continue
        result.sources[source.id] = source
        result.files[source.id] = path
    return result
