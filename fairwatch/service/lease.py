"""The leader lease of `fairwatch run`: only the holder's scheduler fires jobs.

The leader renews the lease every `service_lease_renew` seconds; a standby tries to take
it at the same pace and succeeds once the leader has not renewed for
`service_lease_seconds` (it died, hung, or lost the database). A leader that cannot renew
before its own lease runs out stops firing jobs at once: it never runs beside another.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid

from storage.db import Database
from storage.errors import StorageError
from storage.repository import lease as lease_repo

logger = logging.getLogger(__name__)

LEASE_NAME = "scheduler"


def new_holder_id() -> str:
    """host:pid:random, unique per process start, readable in the database."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class LeaderLease:
    def __init__(
        self, db: Database, *, seconds: float, holder: str | None = None, name: str = LEASE_NAME
    ) -> None:
        self.db = db
        self.seconds = seconds
        self.holder = holder or new_holder_id()
        self.name = name
        self._valid_until = 0.0  # monotonic time our lease surely lasts until

    @property
    def held(self) -> bool:
        """True while our last successful renewal still covers now."""
        return time.monotonic() < self._valid_until

    def try_acquire(self) -> bool:
        """Take or renew the lease; False if another holds it or the database failed."""
        started = time.monotonic()
        try:
            ok = lease_repo.try_acquire(self.db, self.name, self.holder, seconds=self.seconds)
        except StorageError as exc:
            logger.error("leader lease %s: database error: %s", self.name, exc)
            return False
        if ok:
            # Counted from before the call: the database may have written it a bit later.
            self._valid_until = started + self.seconds
        return ok

    def release(self) -> None:
        self._valid_until = 0.0
        try:
            lease_repo.release(self.db, self.name, self.holder)
        except StorageError as exc:
            logger.warning("could not release lease %s (it expires by itself): %s", self.name, exc)
