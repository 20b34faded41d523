"""A fresh PostgreSQL schema and a fresh Redis key prefix, for tests of distributed crawls."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import redis
from sqlalchemy import create_engine, text

from storage.db import Database


@contextmanager
def pg_schema(pg_url: str) -> Iterator[tuple[str, Database]]:
    """(FAIRWATCH_DATABASE_URL of a fresh schema, a handle on it); dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    db = Database(pg_url, schema=schema)
    db.upgrade()
    sep = "&" if "?" in pg_url else "?"
    url = f"{pg_url}{sep}options={quote(f'-csearch_path={schema}')}"
    try:
        yield url, db
    finally:
        db.close()
        admin = create_engine(pg_url)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


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
