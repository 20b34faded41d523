"""The function every scheduled job names in the job store.

APScheduler keeps jobs in the database as a textual reference to a function plus its
arguments, so the function must be importable by name; it hands the work to the Service
running in this process.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fairwatch.service.scheduler import Service

logger = logging.getLogger(__name__)

JOB_FUNC = "fairwatch.service.jobs:crawl_source"
_current: Service | None = None


def bind(service: Service | None) -> None:
    global _current
    _current = service


def crawl_source(source_id: str, schedule: str = "") -> None:
    """Run one scheduled crawl of source_id (schedule is the job's fingerprint, unused here)."""
    if _current is None:
        logger.error("job for %s fired with no service running in this process", source_id)
        return
    _current.run_job(source_id)
