"""`fairwatch serve [--host] [--port]`: the web console (uvicorn)."""

from __future__ import annotations

import click

from fairwatch.cli._common import domain_errors, settings_or_exit


def serve_console(settings, host: str, port: int) -> None:  # noqa: ANN001
    """Run the console until Ctrl-C or SIGTERM."""
    import uvicorn

    from fairwatch.web import create_app

    with domain_errors():
        app = create_app(settings)
    click.echo(f"console serving on http://{host}:{port}/ (Ctrl-C stops it)")
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower(),
                proxy_headers=False)


@click.command("serve")
@click.option("--host", default=None, help="Address to listen on [default: console_host].")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port [default: console_port].")
def serve(host: str | None, port: int | None) -> None:
    """Serve the web console: review queue, documents, search, operations, statistics."""
    settings = settings_or_exit()
    serve_console(settings, host or settings.console_host, port or settings.console_port)
