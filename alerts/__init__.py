"""Alerts: routes from the alerts file, a durable outbox in the database, and channels.

    hook = finding_hook(config)                 # storage writes alerts with the findings
    notify_operator(db, kind="crawl_failed", message="...", source_id="samr-policy")
    report = deliver_due(db, config, policy=DeliveryPolicy.from_settings(settings))

Documented in README.md "Alerts"; the webhook payload in alerts/webhook.schema.json.
"""

from alerts.api import config_from_settings, finding_hook, notify_operator
from alerts.config import AlertsConfig, Route, load_alerts_config
from alerts.delivery import DeliveryPolicy, DeliveryReport, deliver_due
from alerts.errors import AlertsConfigError, AlertsError, ChannelError, UnknownRoute
from alerts.messages import Message
from alerts.outbox import OutboxRow, list_rows, requeue, status_counts

__all__ = [
    "AlertsConfig",
    "AlertsConfigError",
    "AlertsError",
    "ChannelError",
    "DeliveryPolicy",
    "DeliveryReport",
    "Message",
    "OutboxRow",
    "Route",
    "UnknownRoute",
    "config_from_settings",
    "deliver_due",
    "finding_hook",
    "list_rows",
    "load_alerts_config",
    "notify_operator",
    "requeue",
    "status_counts",
]
