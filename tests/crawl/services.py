"""A fresh PostgreSQL schema and a fresh Redis key prefix, for tests of distributed crawls."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis

from storage.db import Database
from tests.databases import drop_schema, service_url


@contextmanager
def pg_schema(pg_url: str) -> Iterator[tuple[str, Database]]:
    """(FAIRWATCH_DATABASE_URL of a fresh schema, a handle on it); dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    db = Database(pg_url, schema=schema)
    db.upgrade()
    try:
        yield service_url(db), db
    finally:
        db.close()
        drop_schema(pg_url, schema)


@contextmanager
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of one test alone; its keys are deleted afterwards."""
    name = f"fwtest-{uuid.uuid4().hex[:12]}"
    try:
        yield name
    finally:
        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(f"{name}:*"))
        if keys:
            client.delete(*keys)
        client.close()
