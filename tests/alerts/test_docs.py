"""README.md documents every alerts setting, channel type and `fairwatch alerts` command."""

from __future__ import annotations

from pathlib import Path

from alerts.config import CHANNEL_TYPES
from fairwatch.cli.alerts import alerts_group
from fairwatch.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_settings_documented() -> None:
    names = [n for n in Settings.model_fields if n.startswith("alerts_") or n == "console_url"]
    assert len(names) >= 9
    for name in names:
        assert f"`{name}`" in README and f"`FAIRWATCH_{name.upper()}`" in README, name


def test_channel_types_documented() -> None:
    for kind in CHANNEL_TYPES:
        assert f"| `{kind}` |" in README, kind


def test_commands_documented_with_help() -> None:
    for name, command in alerts_group.commands.items():
        assert f"`fairwatch alerts {name}" in README, name
        assert command.help, name
