"""Shared CLI plumbing: load settings and sources, translate domain errors to exit codes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from alerts.errors import AlertsConfigError, AlertsError
from crawlers.sources import SourceError
from fairwatch.errors import FairwatchError
from fairwatch.settings import ConfigError, Settings, load_settings
from storage.errors import StorageError


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc


@contextmanager
def domain_errors() -> Iterator[None]:
    """Configuration problems exit 2, failures of the job exit 1, each with one line."""
    try:
        yield
    except (SourceError, ConfigError, AlertsConfigError) as exc:
        raise click.UsageError(str(exc)) from exc
    except AlertsError as exc:
        raise click.ClickException(str(exc)) from exc
    except StorageError as exc:
        raise click.ClickException(str(exc)) from exc
    except FairwatchError as exc:  # the job could not run: exit 1, one line
        raise click.ClickException(str(exc)) from exc
