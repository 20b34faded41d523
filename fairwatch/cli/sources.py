"""`fairwatch sources status|backfill|alerts`: what the scheduler does and how sources fare."""

from __future__ import annotations

import json
from datetime import datetime

import click

from crawlers.sources import UnknownSourceError, load_sources
from fairwatch.cli._common import domain_errors, settings_or_exit


@click.group("sources")
def sources_group() -> None:
    """Source health, backfills and operator alerts."""


def _short(value: str | None) -> str:
    if not value:
        return "-"
    moment = datetime.fromisoformat(value)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


@sources_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="One JSON object with every row.")
def status(as_json: bool) -> None:
    """Per source: schedule, last run, its status, next run, new items in 7 days, health.

    Health is `ok`, `never run`, or the problems found in the source's own history:
    source_failing, source_quiet, layout_changed (see README, "Running unattended").
    """
    settings = settings_or_exit()
    with domain_errors():
        from fairwatch.app import open_database
        from fairwatch.service.status import leader_line, status_rows

        found = load_sources(settings.sources_dir)
        db = open_database(settings)
        sources = {s: found.sources[s] for s in found.sources}
        rows = status_rows(db, sources, settings)
        leader = leader_line(db)
    if as_json:
        payload = {"leader": leader, "sources": rows, "problems": [str(p) for p in found.problems]}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    header = ("source", "schedule", "last run", "status", "next run", "new 7d", "health")
    table = [header]
    for row in rows:
        last = row["last_run"]
        table.append(
            (
                row["source"],
                row["schedule"] if row["enabled"] else "disabled",
                f"#{last['id']} {_short(last['started_at'])}" if last else "-",
                last["status"] if last else "-",
                _short(row["next_run"]) + ("" if row["scheduled"] or not row["next_run"] else "*"),
                str(row["new_7d"]),
                row["health"],
            )
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for line in table:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
    click.echo(leader)
    if any(not r["scheduled"] and r["next_run"] for r in rows):
        click.echo(
            "* not in the job store yet: the time the schedule gives once `fairwatch run` starts"
        )
    for problem in found.problems:
        click.echo(f"FAIL {problem}", err=True)


@sources_group.command("backfill")
@click.argument("source_id")
def backfill(source_id: str) -> None:
    """Fetch SOURCE_ID's whole archive again on its next scheduled run.

    The next run follows every list page (politely, resumable across restarts); the runs
    after it are incremental again. To do it now: `fairwatch crawl SOURCE_ID --mode backfill`.
    """
    settings = settings_or_exit()
    with domain_errors():
        from fairwatch.app import open_database
        from storage.repository import crawl_state

        found = load_sources(settings.sources_dir)
        if source_id not in found.sources:  # exit 2, naming the known ids and broken files
            raise UnknownSourceError(source_id, list(found.sources), found.broken_files)
        db = open_database(settings)
        crawl_state.set_backfill(db, source_id, "pending")
    click.echo(f"{source_id}: backfill requested; its next run fetches the whole archive")


@sources_group.command("alerts")
@click.option("--source", "source_id", default=None, help="Only this source's alerts.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="JSON lines, one alert per line.")
def alerts(source_id: str | None, limit: int, as_json: bool) -> None:
    """The operator alerts recorded, newest first (failing, quiet, changed, missed, ...)."""
    settings = settings_or_exit()
    with domain_errors():
        from fairwatch.app import open_database
        from storage.repository.operator_events import list_operator_events

        events = list_operator_events(open_database(settings), source_id=source_id, limit=limit)
    for event in events:
        if as_json:
            data = {**event.__dict__, "created_at": event.created_at.isoformat()}
            click.echo(json.dumps(data, ensure_ascii=False))
        else:
            when = event.created_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            click.echo(f"{when}  {event.kind:<20} {event.message}")
    if not events and not as_json:
        click.echo("no operator alerts recorded")
