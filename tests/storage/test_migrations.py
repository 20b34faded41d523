"""Migrations: run programmatically, agree with the models, and fail atomically."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from storage import repository as repo
from storage.db import MIGRATIONS_DIR, Database
from storage.errors import DatabaseUnavailable, MigrationError
from storage.models import Base

TABLES = [
    "alembic_version",
    "alert_outbox",
    "api_tokens",
    "attachments",
    "crawl_frontier",
    "crawl_runs",
    "document_events",
    "document_versions",
    "documents",
    "findings",
    "login_attempts",
    "media_parts",
    "operator_events",
    "reviews",
    "service_leases",
    "source_states",
    "sources",
    "stage_states",
    "users",
    "web_sessions",
]
HEAD = "0005"

FAILING_MIGRATION = '''
"""A migration that fails after doing some work."""
import sqlalchemy as sa
from alembic import op

revision = "0999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("half_done", sa.Column("id", sa.Integer, primary_key=True))
    op.execute("INSERT INTO half_done (id) VALUES (1)")
    op.execute("UPDATE sources SET name = 'changed by a failing migration'")
    raise RuntimeError("boom in the middle of 0999")


def downgrade() -> None:
    pass
'''


def test_upgrade_creates_the_schema_and_is_idempotent(empty_db: Database) -> None:
    assert empty_db.current_revision() is None
    empty_db.upgrade()
    head = empty_db.current_revision()
    assert head == HEAD
    assert empty_db.table_names() == TABLES
    empty_db.upgrade()
    assert empty_db.current_revision() == head


def test_models_match_the_migrations(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert diff == []


def test_failing_migration_rolls_back_with_its_record(
    make_record, db: Database, tmp_path: Path
) -> None:
    repo.store_document(db, make_record(1))
    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "0999_failing.py").write_text(
        FAILING_MIGRATION.replace("{head}", HEAD), encoding="utf-8"
    )
    broken = Database(db.url, schema=db.schema, migrations_dir=scripts)
    try:
        with pytest.raises(MigrationError, match="boom in the middle of 0999"):
            broken.upgrade()
        assert broken.current_revision() == HEAD
        assert "half_done" not in broken.table_names()
    finally:
        broken.close()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM sources")).scalars().all() == ["gd-gov"]


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    with Database(tmp_path / "db.sqlite") as db:
        db.upgrade()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_plain_path_means_sqlite(tmp_path: Path) -> None:
    db = Database(tmp_path / "sub" / "fairwatch.db")
    try:
        assert db.dialect == "sqlite" and db.url.startswith("sqlite:///")
        db.upgrade()
        assert (tmp_path / "sub" / "fairwatch.db").is_file()
    finally:
        db.close()


def test_unreachable_postgresql_is_reported_with_its_url() -> None:
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    db = Database("postgresql+psycopg://fairwatch:secret@127.0.0.1:1/nowhere")
    try:
        with pytest.raises(DatabaseUnavailable) as err:
            db.upgrade()
        assert "127.0.0.1:1" in err.value.url and "secret" not in str(err.value)
    finally:
        db.close()


def test_sqlite_file_that_cannot_be_opened(tmp_path: Path) -> None:
    (tmp_path / "adir").mkdir()
    db = Database(tmp_path / "adir")  # a directory, not a database file
    try:
        with pytest.raises(DatabaseUnavailable, match="unable to open"):
            db.upgrade()
    finally:
        db.close()


@pytest.mark.parametrize("url", ["nosuchdb://x/y", "postgresql+nosuchdriver://h/d"])
def test_unusable_urls_are_rejected(url: str) -> None:
    with pytest.raises(DatabaseUnavailable, match="cannot use this URL"):
        Database(url)


def test_concurrent_upgrades_of_one_database_both_succeed(empty_db: Database) -> None:
    other = Database(empty_db.url, schema=empty_db.schema)
    errors: list[BaseException] = []

    def upgrade(db: Database) -> None:
        try:
            db.upgrade()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=upgrade, args=(d,)) for d in (empty_db, other)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        other.close()
    assert errors == []
    assert empty_db.current_revision() == HEAD
