"""`fairwatch alerts list|retry|test|deliver`: the outbox as operators see and steer it."""

from __future__ import annotations

import click

from fairwatch.cli._common import domain_errors, settings_or_exit

STATUSES = ("pending", "sending", "sent", "failed")


@click.group("alerts")
def alerts_group() -> None:
    """The alert outbox: what is queued, sent and failed; retry; test a route."""


def _open():  # noqa: ANN202 - (settings, alerts config, database)
    from alerts import config_from_settings
    from fairwatch.app import open_database

    settings = settings_or_exit()
    with domain_errors():
        config = config_from_settings(settings)
        db = open_database(settings)
    return settings, config, db


@alerts_group.command("list")
@click.option("--status", type=click.Choice(STATUSES), default=None, help="Only this status.")
@click.option("--limit", type=click.IntRange(min=1), default=50, help="Newest N rows.")
def list_command(status: str | None, limit: int) -> None:
    """List outbox rows, newest first: id, status, route/channel, attempts, due, what."""
    from alerts import list_rows, status_counts

    _settings, _config, db = _open()
    with domain_errors():
        rows = list_rows(db, status=status, limit=limit)
        counts = status_counts(db)
    db.close()
    for row in rows:
        what = row.payload.get("title") or row.payload.get("message") or ""
        if row.kind == "finding":
            what = f"{row.payload.get('grade')} {row.payload.get('standard')} {what}"
        line = (
            f"{row.id:>6} {row.status:<8} {row.route}/{row.channel} "
            f"attempts={row.attempts} due={row.due_at:%Y-%m-%d %H:%M}Z {row.kind}: {what[:80]}"
        )
        if row.last_error and row.status != "sent":
            line += f"\n       last error: {row.last_error[:300]}"
        click.echo(line)
    click.echo(
        "outbox: " + ", ".join(f"{counts.get(s, 0)} {s}" for s in STATUSES)
    )


@alerts_group.command("retry")
@click.argument("ids", metavar="[ID]...", nargs=-1, type=int)
@click.option("--failed", is_flag=True, help="Retry every failed alert.")
def retry(ids: tuple[int, ...], failed: bool) -> None:
    """Queue failed alerts again (attempts reset) and deliver what is due now."""
    if not ids and not failed:
        raise click.UsageError("give alert IDs or --failed")
    from alerts import DeliveryPolicy, deliver_due, requeue

    settings, config, db = _open()
    with domain_errors():
        count = requeue(db, ids=ids or None, failed=failed)
        click.echo(f"{count} alert(s) queued again")
        report = deliver_due(db, config, policy=DeliveryPolicy.from_settings(settings))
    db.close()
    click.echo(report.summary())
    if report.failed:
        raise click.ClickException(f"{report.failed} alert(s) failed again")


@alerts_group.command("deliver")
def deliver() -> None:
    """Send every alert that is due now (what a crawl does when it ends)."""
    from alerts import DeliveryPolicy, deliver_due

    settings, config, db = _open()
    with domain_errors():
        report = deliver_due(db, config, policy=DeliveryPolicy.from_settings(settings))
    db.close()
    click.echo(report.summary())
    if report.failed:
        raise click.ClickException(f"{report.failed} alert(s) failed")


@alerts_group.command("test")
@click.argument("route")
def test(route: str) -> None:
    """Send a sample message through each channel of ROUTE, now (not through the outbox).

    Exit 1 if a channel refused it, naming the channel and the reason.
    """
    from alerts.channels import build_sender
    from alerts.errors import ChannelError
    from alerts.messages import sample_message

    _settings, config, db = _open()
    db.close()
    failures = []
    with domain_errors():
        chosen = config.route(route)
        for channel in chosen.channels:
            message = sample_message(f"test/{route}/{channel}", route)
            try:
                build_sender(channel, config.channel(channel)).send(message)
            except ChannelError as exc:
                failures.append(config.redact(str(exc)))
                click.echo(f"FAIL {channel}: {config.redact(str(exc))}", err=True)
            else:
                click.echo(f"ok   {channel}: sample message accepted")
    if failures:
        raise click.ClickException(f"{len(failures)} channel(s) of route {route} failed")
