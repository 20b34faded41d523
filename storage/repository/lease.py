"""The leader lease: one row per lease name, taken by compare-and-set.

Whoever holds an unexpired lease is the leader; it renews before expiry. Taking it is one
UPDATE ... WHERE (expires_at < now OR holder = me), and an INSERT when no row exists yet:
the database serialises these, so two contenders can never both succeed. Clocks of the
machines sharing the database must agree (NTP) to within a small part of the lease time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.errors import StorageError
from storage.models import ServiceLease, utcnow

logger = logging.getLogger(__name__)

_LEASES = ServiceLease.__table__


@dataclass(frozen=True)
class LeaseInfo:
    name: str
    holder: str
    acquired_at: datetime
    expires_at: datetime


def try_acquire(db: Database, name: str, holder: str, *, seconds: float) -> bool:
    """Take or renew lease `name` for `seconds`; True if holder now holds it."""
    now = utcnow()
    expires = now + timedelta(seconds=seconds)
    with db.session(context=f"take lease {name}", write=True) as session:
        conn = session.connection()
        current = conn.execute(
            select(_LEASES.c.holder).where(_LEASES.c.name == name)
        ).scalar_one_or_none()
        values = {"holder": holder, "expires_at": expires}
        if current != holder:
            values["acquired_at"] = now
        taken = conn.execute(
            update(_LEASES)
            .where(
                _LEASES.c.name == name,
                or_(_LEASES.c.expires_at < now, _LEASES.c.holder == holder),
            )
            .values(**values)
        ).rowcount
        if taken:
            return True
        if current is not None:
            return False
    # No row yet: the first INSERT wins; the loser's unique violation means "not leader".
    try:
        with db.session(context=f"create lease {name}", write=True) as session:
            session.connection().execute(
                insert(_LEASES).values(
                    name=name, holder=holder, acquired_at=now, expires_at=expires
                )
            )
        return True
    except StorageError as exc:
        if isinstance(exc.__cause__, IntegrityError):
            return False
        raise


def release(db: Database, name: str, holder: str) -> None:
    """Give the lease up (on a clean stop) so a standby need not wait for it to expire."""
    with db.session(context=f"release lease {name}", write=True) as session:
        session.connection().execute(
            delete(_LEASES).where(_LEASES.c.name == name, _LEASES.c.holder == holder)
        )


def get_lease(db: Database, name: str) -> LeaseInfo | None:
    with db.session(context=f"read lease {name}") as session:
        row = session.get(ServiceLease, name)
        if row is None:
            return None
        return LeaseInfo(row.name, row.holder, row.acquired_at, row.expires_at)
