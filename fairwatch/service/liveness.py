"""Whether the process that started a run still runs, and closing the runs of dead ones.

A pid alone is not enough: after a crash and a reboot the pid may belong to a newer
process. A process that started after the run did cannot be the one that started it.
"""

from __future__ import annotations

import logging
import socket
from datetime import datetime

import psutil

from storage.db import Database
from storage.repository import runs
from storage.repository.views import RunInfo

logger = logging.getLogger(__name__)

# psutil's create_time and our timestamps come from different clocks reads: allow slack.
_SLACK_S = 2.0


def is_alive(pid: int, started_at: datetime) -> bool:
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        created = process.create_time()
    except (psutil.NoSuchProcess, psutil.AccessDenied, ProcessLookupError):
        return False
    return created <= started_at.timestamp() + _SLACK_S


def close_dead_runs(db: Database) -> list[RunInfo]:
    """Mark `interrupted` every run of this host left `running` by a process now dead."""
    return runs.close_orphaned_runs(db, host=socket.gethostname(), is_alive=is_alive)
