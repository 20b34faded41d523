"""The `fairwatch` command line.

Each command lives in its own module under fairwatch/cli/ and is registered here. Library
code raises domain errors; only this layer turns them into exit codes: 0 ok, 1 the job
failed, 2 bad usage or configuration.
"""

from __future__ import annotations

import importlib

import click

# module name -> attribute holding the click command or group
COMMANDS: dict[str, str] = {
    "crawl": "crawl",
    "demo": "demo",
    "config": "config_group",
    "documents": "documents_group",
    "search": "search",
    "index": "index_group",
    "analyze": "analyze",
    "evaluate": "eval_command",
    "alerts": "alerts_group",
    "run": "run",
    "sources": "sources_group",
    "serve": "serve",
    "users": "users_group",
}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="fairwatch")
def main() -> None:
    """fairwatch: flags policy measures and online ads that may break competition and ad law."""


for _module, _attr in COMMANDS.items():
    main.add_command(getattr(importlib.import_module(f"fairwatch.cli.{_module}"), _attr))
