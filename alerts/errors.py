"""Errors of the alerts package.

AlertsError
├── AlertsConfigError  the alerts file is unusable: every problem with file, line and field
├── ChannelError       one send through one channel failed (retried by the worker)
└── UnknownRoute       a route name that the alerts file does not declare
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class AlertsError(Exception):
    """Base class of alerts errors."""


@dataclass(frozen=True)
class ConfigProblem:
    """One problem in the alerts file, located by line and field path."""

    file: Path
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class AlertsConfigError(AlertsError):
    def __init__(self, file: Path, problems: list[ConfigProblem]) -> None:
        self.file = file
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


class ChannelError(AlertsError):
    """A send failed; the message never carries a secret (channels redact before raising)."""

    def __init__(self, channel: str, message: str, *, retryable: bool = True) -> None:
        self.channel = channel
        self.retryable = retryable
        super().__init__(f"channel {channel}: {message}")


class UnknownRoute(AlertsError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"no route named {name!r} (routes: {', '.join(known) or 'none'})")
