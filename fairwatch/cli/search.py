"""`fairwatch search QUERY [filters]`: full-text search through the configured index."""

from __future__ import annotations

from datetime import date

import click

from analyzers.sectors import SECTOR_LABELS
from fairwatch.cli._common import domain_errors, settings_or_exit
from storage.search.base import GRADES, SearchQuery


@click.command("search")
@click.argument("query", required=False, default="")
@click.option("--source", "sources", multiple=True, help="Only this source id (repeatable).")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(["policy", "ad"]))
@click.option("--standard", "standards", multiple=True, help="Only documents with this finding id.")
@click.option("--sector", "sectors", multiple=True, type=click.Choice(list(SECTOR_LABELS)),
              help="Only ads whose findings assumed this sector (repeatable).")
@click.option("--grade", "grades", multiple=True, type=click.Choice(list(GRADES)),
              help="Only documents whose strongest grade is this one (repeatable).")
@click.option("--flagged/--not-flagged", default=None)
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--size", type=click.IntRange(1, 100), default=10, show_default=True)
def search(
    query: str,
    sources: tuple[str, ...],
    kinds: tuple[str, ...],
    standards: tuple[str, ...],
    sectors: tuple[str, ...],
    grades: tuple[str, ...],
    flagged: bool | None,
    date_from,  # noqa: ANN001 - datetime or None from click
    date_to,  # noqa: ANN001
    size: int,
) -> None:
    """Search stored documents (embedded FTS5 index by default, Elasticsearch by URL)."""
    settings = settings_or_exit()
    q = SearchQuery(
        text=query,
        source_ids=list(sources),
        kinds=list(kinds),
        standards=list(standards),
        sectors=list(sectors),
        grades=list(grades),
        flagged=flagged,
        date_from=_day(date_from),
        date_to=_day(date_to),
        size=size,
    )
    with domain_errors():
        from fairwatch.app import open_search_index

        index = open_search_index(settings)
        try:
            result = index.search(q)
        finally:
            index.close()
    for hit in result.hits:
        click.echo(f"{hit.doc_id:>6}  {hit.score:6.2f}  {hit.source_id}  {hit.title}")
        for fragment in hit.highlights[:2]:
            click.echo(f"        {fragment}")
    click.echo(f"{len(result.hits)} of {result.total} hit(s)")


def _day(value) -> date | None:  # noqa: ANN001
    return value.date() if value is not None else None
