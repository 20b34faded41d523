"""Alembic environment: run by `storage.db.Database.upgrade()`, never from a CLI config file.

The engine comes in through ``config.attributes["engine"]``. Each migration runs in its own
transaction together with the update of the version table, so a failing migration leaves
the schema and its recorded revision exactly as they were.
"""

from __future__ import annotations

from alembic import context

from storage.models import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:
    raise RuntimeError("storage migrations run through storage.db.Database.upgrade()")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        transaction_per_migration=True,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
