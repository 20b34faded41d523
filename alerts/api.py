"""The entry points the rest of fairwatch calls: queue operator alerts, build the hook that
queues finding alerts with the findings, load the configuration named by the settings.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from alerts import outbox
from alerts.config import AlertsConfig, empty_config, load_alerts_config
from alerts.errors import AlertsConfigError
from storage.db import Database

__all__ = ["config_from_settings", "finding_hook", "notify_operator"]

logger = logging.getLogger(__name__)


def config_from_settings(settings: Any) -> AlertsConfig:
    """The alerts file the settings name (alerts_file, else config_dir/alerts.yaml)."""
    path = settings.alerts_file or Path(settings.config_dir) / "alerts.yaml"
    return load_alerts_config(Path(path), secrets_file=settings.alerts_secrets_file)


def _default_config() -> AlertsConfig:
    """The configured alerts file; if it cannot be loaded, operator alerts go to the log
    route: an operator alert is never dropped because the alerts file is broken."""
    try:
        # Imported here: settings belong to the application layer, which imports alerts.
        from fairwatch.settings import ConfigError, load_settings

        return config_from_settings(load_settings())
    except (AlertsConfigError, ConfigError) as exc:
        logger.error("alerts file unusable, operator alerts go to the log: %s", exc)
        return empty_config()


def notify_operator(
    db: Database,
    *,
    kind: str,
    message: str,
    source_id: str | None = None,
    dedup_key: str | None = None,
    details: dict | None = None,
    config: AlertsConfig | None = None,
) -> bool:
    """Queue an operator alert (crawl_failed, source_quiet, run_missed, channel_failed, ...)
    durably in the outbox for every operator route; True if it was queued.

    A dedup_key already queued and not yet sent on a route is not queued again, so a source
    failing every five minutes raises one alert until that alert has gone out. Delivery is
    `deliver_due`'s job, as for any alert. Logged at ERROR as well.
    """
    config = config or _default_config()
    queued = outbox.enqueue_operator(
        db, config, kind=kind, message=message, source_id=source_id, dedup_key=dedup_key,
        details=details,
    )
    where = f" ({source_id})" if source_id else ""
    if queued:
        logger.error(
            "operator alert %s%s: %s", kind, where, config.redact(message),
            extra={"source_id": source_id, "alert_kind": kind},
        )
    else:
        logger.debug("operator alert %s%s already queued and unsent (%s)", kind, where, dedup_key)
    return queued


def finding_hook(
    config: AlertsConfig, *, console_url: str = ""
) -> Callable[[Connection, int], None] | None:
    """The `after_findings` hook of storage: queues a version's alerts in its transaction.

    None when no route takes findings, so storing pays nothing for alerts then.
    """
    if not config.finding_routes():
        return None

    def hook(conn: Connection, version_id: int) -> None:
        outbox.enqueue_version(conn, version_id, config, console_url=console_url)

    return hook
