"""`fairwatch crawl SOURCE... [--limit N]`: crawl sources into the database."""

from __future__ import annotations

import click

from crawlers.sources import load_sources
from fairwatch.cli._common import domain_errors, settings_or_exit


@click.command("crawl")
@click.argument("source_ids", metavar="SOURCE...", nargs=-1, required=True)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="Stop after N detail pages per source.",
)
@click.option(
    "--mode",
    type=click.Choice(["single", "auto", "backfill", "incremental"]),
    default="single",
    show_default=True,
    help="single: pagination as the source file says; backfill: the whole archive; "
    "incremental: stop at the first list page with nothing new; auto: backfill until the "
    "archive was fetched once, then incremental (what `fairwatch run` uses).",
)
@click.option(
    "--distributed",
    is_flag=True,
    help="Queue each source's start pages in Redis for `fairwatch worker` processes and "
    "return (needs PostgreSQL and FAIRWATCH_REDIS_URL); pagination as the source file says.",
)
def crawl(source_ids: tuple[str, ...], limit: int | None, mode: str, distributed: bool) -> None:
    """Crawl each SOURCE (an id from the source files) through store, analyze and index.

    Sources are crawled one after the other; each gets its own run record. Exit status:
    0 every crawl ran, 1 a crawl failed (for example its site is unreachable; the run is
    recorded as failed with the reason), 2 bad usage or configuration (nothing is crawled).
    """
    if distributed and (limit is not None or mode != "single"):
        raise click.UsageError("--limit and --mode cannot be used with --distributed")
    settings = settings_or_exit()
    with domain_errors():
        from alerts import config_from_settings

        alerts = config_from_settings(settings)  # a broken alerts file stops us before crawling
        found = load_sources(settings.sources_dir)
        sources = [found.get(s, site=settings.crawl_site_url) for s in dict.fromkeys(source_ids)]
        if distributed:
            from fairwatch.distributed import push_sources

            for pushed in push_sources(settings, sources):
                click.echo(pushed.summary())
            return
        from fairwatch.crawl import crawl_sources, deliver_alerts

        outcomes = crawl_sources(settings, sources, limit=limit, mode=mode, alerts=alerts)
    for outcome in outcomes:
        click.echo(f"run {outcome.run_id} {outcome.summary()}")
    if settings.alerts_deliver:
        with domain_errors():
            click.echo(deliver_alerts(settings, alerts).summary())
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        reasons = "; ".join(f"{o.source_id}: {o.reason}" for o in failed)
        raise click.ClickException(
            f"crawl of {', '.join(o.source_id for o in failed)} failed: {reasons}"
        )
