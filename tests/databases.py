"""Helpers behind the shared `db` fixtures: PostgreSQL schemas made and emptied for tests."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

from storage.db import Database


def drop_schema(pg_url: str, schema: str) -> None:
    admin = create_engine(pg_url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        admin.dispose()


def empty_every_table(db: Database) -> None:
    """Truncate every table of the schema but alembic's, including tables that other
    libraries create there (APScheduler's job store), so no test sees another's rows."""
    names = [
        name for name in inspect(db.engine).get_table_names(schema=db.schema)
        if name != "alembic_version"
    ]
    if not names:
        return
    tables = ", ".join(f'"{db.schema}"."{name}"' for name in names)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
