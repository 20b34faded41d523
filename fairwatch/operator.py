"""Telling the operator: every operator alert goes through `notify_operator`.

Failing sources, sources that stopped yielding, layout changes, missed and timed-out
runs all end here. Each event is recorded in `operator_events` (shown by
`fairwatch sources status` and kept for audit) and logged at WARNING; `dedup_key` makes a
detector that fires again for the same episode record nothing new.
"""

from __future__ import annotations

import logging
from typing import Any

from storage.db import Database
from storage.repository.operator_events import record_operator_event

logger = logging.getLogger(__name__)


def notify_operator(
    db: Database,
    *,
    kind: str,
    message: str,
    source_id: str | None = None,
    dedup_key: str | None = None,
    details: dict[str, Any] | None = None,
) -> bool:
    """Record an operator alert; False when one with this dedup_key was already recorded."""
    recorded = record_operator_event(
        db, kind=kind, message=message, source_id=source_id, dedup_key=dedup_key, details=details
    )
    if recorded:
        logger.warning(
            "operator alert %s: %s", kind, message, extra={"source_id": source_id, "kind": kind}
        )
    return recorded
