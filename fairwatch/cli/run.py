"""`fairwatch run [--for SECONDS]`: the long-running scheduler service."""

from __future__ import annotations

import logging
import sys

import click

from fairwatch.cli._common import domain_errors, settings_or_exit


@click.command("run")
@click.option(
    "--for",
    "for_seconds",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="SECONDS",
    help="Stop cleanly after this many seconds (for trials and tests).",
)
def run(for_seconds: float | None) -> None:
    """Crawl every enabled source on its schedule until stopped.

    One leader at a time: a second `fairwatch run` on the same database waits as a
    standby and takes over when the leader stops renewing its lease. Each crawl runs in a
    child process with a time limit. SIGHUP reloads the source files; SIGTERM (or Ctrl-C)
    stops scheduling, lets running crawls finish within service_stop_grace seconds, then
    stops them, and exits 0. Failing, quiet or changed sources and missed runs become
    operator alerts (see `fairwatch sources status`).
    """
    settings = settings_or_exit()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("apscheduler").setLevel(logging.INFO)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with domain_errors():
        from fairwatch.service import Service

        service = Service(settings)
        service.install_signal_handlers()
        code = service.run(for_seconds=for_seconds)
    sys.exit(code)
