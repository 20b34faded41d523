"""The README documents every service setting and command, and the systemd unit is sound."""

from __future__ import annotations

import configparser
from pathlib import Path

from fairwatch.cli import main
from fairwatch.settings import Settings

REPO = Path(__file__).resolve().parents[2]


def test_every_service_setting_and_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    keys = [k for k in Settings.model_fields if k.startswith("service_")]
    keys.append("crawl_backfill_max_pages")
    assert [k for k in keys if f"`{k}`" not in readme] == []
    for command in ("run", "sources status", "sources backfill", "sources alerts"):
        assert f"`fairwatch {command}" in readme, command
    assert main.commands["sources"].commands.keys() == {"status", "backfill", "alerts"}


def test_the_systemd_unit_runs_the_service_and_stops_it_gracefully() -> None:
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.optionxform = str  # keys are case-sensitive in systemd
    unit.read(REPO / "deploy" / "fairwatch.service", encoding="utf-8")
    service = unit["Service"]
    assert service["ExecStart"].endswith("fairwatch run")
    assert service["ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert service["KillMode"] == "mixed" and service["KillSignal"] == "SIGTERM"
    # Room for the crawls' grace period plus the time a stopped crawl takes to die.
    assert int(service["TimeoutStopSec"]) > Settings().service_stop_grace + 10
    assert service["Restart"] == "on-failure"
    assert unit["Install"]["WantedBy"] == "multi-user.target"
