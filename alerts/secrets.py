"""Secrets of the alerts file: ${NAME} references resolved from the environment, then
from a NAME=VALUE file outside the repository (the `alerts_secrets_file` setting).

Resolved values are collected so that errors, the outbox and logs can mask them
(`AlertsConfig.redact`). A problem names the file, line and field, never the value.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from alerts.errors import ConfigProblem

# A pure YAML helper (values plus the line of each field), shared with the source files.
from crawlers.sources.yamlnodes import line_for

__all__ = ["REF", "SecretLookup", "resolve_refs"]

REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class SecretLookup:
    """Resolves ${NAME} from the environment, then from the secrets file (KEY=VALUE lines)."""

    def __init__(self, env: dict[str, str], secrets_file: Path | None) -> None:
        self.env = env
        self.secrets_file = secrets_file
        self.used: set[str] = set()
        self.problems: list[ConfigProblem] = []
        self._file: dict[str, str] | None = None

    def get(self, name: str) -> str | None:
        if name in self.env:
            return self.env[name]
        return self._from_file().get(name)

    def _from_file(self) -> dict[str, str]:
        if self._file is not None:
            return self._file
        self._file = {}
        if self.secrets_file is None:
            return self._file
        path = self.secrets_file.expanduser().resolve()
        repo = Path(__file__).resolve().parent.parent
        if path.is_relative_to(repo):
            self.problems.append(
                ConfigProblem(
                    path, None, "alerts_secrets_file",
                    f"the secrets file must live outside the repository ({repo})",
                )
            )
            return self._file
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.problems.append(ConfigProblem(path, None, "", f"cannot read secrets: {exc}"))
            return self._file
        for number, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, sep, value = line.partition("=")
            if not sep:
                # Never echo the line: it may be a secret written without its name.
                self.problems.append(ConfigProblem(path, number, "", "expected NAME=VALUE"))
                continue
            self._file[key.strip()] = value.strip().strip("'\"")
        return self._file


def resolve_refs(
    value: Any, lookup: SecretLookup, path: Path, lines: dict, loc: tuple, problems: list
) -> Any:
    """value with every ${NAME} replaced; unknown names become problems at loc."""
    if isinstance(value, dict):
        return {
            k: resolve_refs(v, lookup, path, lines, (*loc, k), problems) for k, v in value.items()
        }
    if isinstance(value, list):
        return [
            resolve_refs(v, lookup, path, lines, (*loc, i), problems) for i, v in enumerate(value)
        ]
    if not isinstance(value, str) or "${" not in value:
        return value

    def substitute(found: re.Match[str]) -> str:
        name = found.group(1)
        resolved = lookup.get(name)
        if resolved is None:
            problems.append(
                ConfigProblem(
                    path, line_for(lines, loc), ".".join(str(p) for p in loc),
                    f"${{{name}}} is not set (environment or alerts_secrets_file)",
                )
            )
            return ""
        lookup.used.add(resolved)
        return resolved

    return REF.sub(substitute, value)
