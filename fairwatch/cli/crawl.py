"""`fairwatch crawl SOURCE [--limit N]`: crawl one source into the database."""

from __future__ import annotations

import click

from crawlers.sources import load_sources
from fairwatch.cli._common import domain_errors, settings_or_exit


@click.command("crawl")
@click.argument("source_id")
@click.option(
    "--limit", type=click.IntRange(min=1), default=None, help="Stop after N detail pages."
)
def crawl(source_id: str, limit: int | None) -> None:
    """Crawl SOURCE (an id from the source files) through store, analyze and index.

    Exit status: 0 the crawl ran, 1 it failed (for example the site is unreachable; the
    run is recorded as failed with the reason), 2 bad usage or configuration.
    """
    settings = settings_or_exit()
    with domain_errors():
        source = load_sources(settings.sources_dir).get(source_id, site=settings.crawl_site_url)
        from fairwatch.crawl import crawl_sources

        (outcome,) = crawl_sources(settings, [source], limit=limit)
    click.echo(f"run {outcome.run_id} {outcome.summary()}")
    if outcome.status == "failed":
        raise click.ClickException(f"crawl of {source_id} failed: {outcome.reason}")
