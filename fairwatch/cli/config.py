"""`fairwatch config check`: validate the settings and every source file, report all problems."""

from __future__ import annotations

import sys

import click

from crawlers.sources import load_sources
from fairwatch.settings import ConfigError, load_settings


@click.group("config")
def config_group() -> None:
    """Inspect and validate the configuration."""


@config_group.command("check")
@click.option(
    "--sources-dir",
    type=click.Path(file_okay=False, path_type=__import__("pathlib").Path),
    default=None,
    help="Check this folder of source files instead of the configured one.",
)
def check(sources_dir) -> None:  # noqa: ANN001 - click passes a Path or None
    """Validate settings.yaml and every source file; exit 2 if anything is wrong.

    Each problem is printed as FILE:LINE: FIELD: what was expected and what was found.
    Valid sources are listed too, so one bad file never hides the others.
    """
    problems: list[str] = []
    try:
        settings = load_settings()
    except ConfigError as exc:
        click.echo(f"settings: {exc}", err=True)
        sys.exit(2)
    folder = sources_dir or settings.sources_dir
    found = load_sources(folder)
    for source_id, path in sorted(found.files.items()):
        source = found.sources[source_id]
        mark = "" if source.verified else " (unverified)"
        click.echo(f"ok   {path.name}: {source_id} [{source.kind}] {source.name}{mark}")
    for problem in found.problems:
        problems.append(str(problem))
        click.echo(f"FAIL {problem}", err=True)
    click.echo(
        f"{len(found.sources)} source(s) valid, {len(found.broken_files)} file(s) with "
        f"{len(problems)} problem(s) in {folder}"
    )
    problems += _check_alerts(settings)
    if problems:
        sys.exit(2)


def _check_alerts(settings) -> list[str]:  # noqa: ANN001 - fairwatch.settings.Settings
    """Validate the alerts file (routes, channels, secret references); its problems."""
    from alerts import AlertsConfigError, config_from_settings

    try:
        config = config_from_settings(settings)
    except AlertsConfigError as exc:
        for problem in exc.problems:
            click.echo(f"FAIL {problem}", err=True)
        return [str(p) for p in exc.problems]
    where = config.path if config.path and config.path.exists() else "no alerts file"
    click.echo(
        f"ok   alerts: {len(config.finding_routes())} route(s), "
        f"{len(config.operator_routes())} operator route(s), "
        f"{len(config.channels)} channel(s) ({where})"
    )
    return []
