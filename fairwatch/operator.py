"""Telling the operator: every operator alert goes through `notify_operator`.

Failing sources, sources that stopped yielding, layout changes, missed and timed-out
runs all end here. Each event is recorded in `operator_events` (shown by
`fairwatch sources status` and kept for audit), and a new one is queued in the alert outbox
for every operator route (alerts.notify_operator), which delivers it like any alert;
`dedup_key` makes a detector that fires again for the same episode record and send nothing new.
"""

from __future__ import annotations

from typing import Any

import alerts
from alerts import AlertsConfig
from storage.db import Database
from storage.repository.operator_events import record_operator_event


def notify_operator(
    db: Database,
    *,
    kind: str,
    message: str,
    source_id: str | None = None,
    dedup_key: str | None = None,
    details: dict[str, Any] | None = None,
    config: AlertsConfig | None = None,
) -> bool:
    """Record an operator alert and queue it for the operator routes; False when one with
    this dedup_key was already recorded (the episode was reported already)."""
    recorded = record_operator_event(
        db, kind=kind, message=message, source_id=source_id, dedup_key=dedup_key, details=details
    )
    if recorded:
        alerts.notify_operator(
            db,
            kind=kind,
            message=message,
            source_id=source_id,
            dedup_key=dedup_key,
            details=details,
            config=config,
        )
    return recorded
