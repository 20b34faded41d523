"""`fairwatch worker`: crawl the pages queued in Redis until stopped."""

from __future__ import annotations

import click

from crawlers.sources import SourceError, load_sources
from fairwatch.cli._common import domain_errors, settings_or_exit


@click.command("worker")
@click.option("--name", default="", help="Worker name in Redis (default host:pid); must be unique.")
def worker(name: str) -> None:
    """Pull pages from the shared Redis queue and crawl them into PostgreSQL.

    Start any number, on any machine, with the same settings (FAIRWATCH_REDIS_URL,
    FAIRWATCH_DATABASE_URL, the same source files). Runs until SIGTERM or Ctrl-C; the pages
    a worker held when it stopped or died go back to the queue for the others. Exit status
    2 when the database is not PostgreSQL or a source file is broken, 1 when Redis cannot
    be reached.
    """
    settings = settings_or_exit()
    with domain_errors():
        from fairwatch.distributed import check_settings, run_worker

        check_settings(settings)
        found = load_sources(settings.sources_dir)
        for problem in found.problems:
            click.echo(f"warning: source file skipped: {problem}", err=True)
        sources = []
        for source_id in found.sources:
            try:
                sources.append(found.get(source_id, site=settings.crawl_site_url))
            except SourceError as exc:  # e.g. {site} with no value: its pages cannot run here
                click.echo(f"warning: source {source_id} skipped: {exc}", err=True)
        run_worker(settings, sources, name=name)
