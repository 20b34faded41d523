"""`fairwatch demo [--no-serve]`: serve the fixture site on loopback and crawl it."""

from __future__ import annotations

import contextlib
import importlib
import sys
from pathlib import Path

import click

from crawlers.sources import load_sources
from fairwatch.cli._common import domain_errors, settings_or_exit
from fairwatch.settings import REPO_ROOT

DEMO_SOURCES = (
    "fixture-trs",
    "fixture-hanweb",
    "fixture-json",
    "fixture-gbk",
    "fixture-hostile",
    "fixture-real",
)


def _fixture_site():  # noqa: ANN202 - tests.site lives in the checkout, not in the package
    # The fixture site is part of the test tree of the checkout; make it importable.
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    try:
        return importlib.import_module("tests.site")
    except ImportError as exc:
        raise click.ClickException(
            f"the fixture site (tests/site in {REPO_ROOT}) is missing: {exc}"
        ) from exc


def _demo_account(settings) -> str:  # noqa: ANN001
    """A reviewer account `demo` with a fresh random password (set anew on each demo)."""
    import secrets

    from fairwatch.app import open_database
    from fairwatch.web.passwords import hash_password
    from storage.errors import UserExists
    from storage.repository import accounts

    password = secrets.token_urlsafe(12)
    with domain_errors():
        db = open_database(settings)
        try:
            accounts.add_user(db, "demo", "reviewer", hash_password(password))
        except UserExists:
            accounts.set_password(db, "demo", hash_password(password))
    return password


def _start_site(site_module, port_file: Path):  # noqa: ANN001, ANN202
    """Bind the port of the previous demo when it is free, else any free port (port 0).

    Documents are keyed by URL, so the same port makes a second demo run find the pages it
    stored the first time (and skip them as unchanged) instead of storing them again.
    """
    try:
        previous = int(port_file.read_text().strip())
    except (OSError, ValueError):
        previous = 0
    try:
        site = site_module.FixtureSite(port=previous)
    except OSError:
        site = site_module.FixtureSite(port=0)
    port_file.parent.mkdir(parents=True, exist_ok=True)
    port_file.write_text(site.url.rsplit(":", 1)[1])
    return site


@click.command("demo")
@click.option(
    "--no-serve", is_flag=True,
    help="Exit after the crawl instead of serving the console (and keeping the site up).",
)
def demo(no_serve: bool) -> None:
    """Crawl the local fixture site (government-portal stand-ins) into the data directory,
    then serve the web console with a demo account whose password it prints.

    Prints how many documents were crawled, stored and flagged. Run it twice: the second
    run stores nothing new and says how many pages it skipped as unchanged.
    """
    settings = settings_or_exit()
    site_module = _fixture_site()
    site = _start_site(site_module, settings.data_dir / "demo-site-port").start()
    try:
        click.echo(f"fixture site serving on {site.url}")
        with domain_errors():
            from alerts import config_from_settings

            alerts = config_from_settings(settings)
            sources = load_sources(site_module.SOURCES_DIR)
            chosen = [sources.get(s, site=site.url) for s in DEMO_SOURCES]
            from fairwatch.crawl import crawl_sources, deliver_alerts

            outcomes = crawl_sources(settings, chosen, alerts=alerts)
        for outcome in outcomes:
            click.echo(outcome.summary())
        total = sum(o.documents for o in outcomes)
        stored = sum(o.count("items_new") + o.count("items_changed") for o in outcomes)
        flagged = sum(o.count("items_flagged") for o in outcomes)
        skipped = sum(o.count("pages_skipped") for o in outcomes)
        unchanged = sum(
            o.count("pages_skipped/not_modified") + o.count("pages_skipped/unchanged")
            for o in outcomes
        )
        click.echo(
            f"demo: {total} documents crawled, {stored} stored as new or changed, "
            f"{flagged} flagged; "
            f"{skipped} pages skipped ({unchanged} unchanged since the last run). "
            f"Data in {settings.data_dir.resolve()}"
        )
        if settings.alerts_deliver:
            with domain_errors():
                click.echo(deliver_alerts(settings, alerts).summary())
        if not no_serve:
            password = _demo_account(settings)
            click.echo(f"site still serving on {site.url}")
            click.echo(f"console account: demo (reviewer), password: {password}")
            from fairwatch.cli.serve import serve_console

            with contextlib.suppress(KeyboardInterrupt):
                serve_console(settings, settings.console_host, settings.console_port)
    finally:
        site.stop()
