"""The database handle: engine, unit-of-work sessions and migrations.

`Database` accepts a SQLAlchemy URL (``postgresql+psycopg://...``, ``sqlite:///...``) or a
plain file path, which means SQLite. SQLite runs in WAL mode with foreign keys on, and
SQLAlchemy (not the sqlite3 driver) emits BEGIN so that DDL is transactional too: a
migration and its version record commit together or not at all.

    db = Database("data/fairwatch.db")
    db.upgrade()
    with db.session() as session:   # one transaction: committed on exit, rolled back on error
        ...
"""

from __future__ import annotations

import fcntl
import logging
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from storage.errors import DatabaseUnavailable, MigrationError, StorageError, translate_db_error

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_IMMEDIATE = "fairwatch_sqlite_immediate"
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def to_url(url_or_path: str | Path) -> str:
    """A SQLAlchemy URL for a URL or a SQLite file path (``:memory:`` allowed)."""
    text = str(url_or_path)
    if "://" in text:
        return text
    if text == ":memory:":
        return "sqlite://"
    return f"sqlite:///{Path(text).expanduser().resolve()}"


class Database:
    """One database: a connection pool plus the session factory bound to it."""

    def __init__(
        self,
        url: str | Path,
        *,
        schema: str | None = None,
        migrations_dir: Path | None = None,
        echo: bool = False,
    ) -> None:
        """`schema` (PostgreSQL only) puts every table in that schema via search_path;
        tests use it to give each test a clean schema. `migrations_dir` replaces the
        packaged migrations (tests of migration failures use it)."""
        self.url = to_url(url)
        try:
            parsed = make_url(self.url)
        except sa_exc.ArgumentError as exc:
            raise DatabaseUnavailable(f"not a database URL: {exc}", url=str(url)) from exc
        self.dialect = parsed.get_backend_name()
        if schema is not None and (self.dialect != "postgresql" or not _SCHEMA_NAME.match(schema)):
            raise StorageError(f"schema {schema!r}: only lower-case identifiers on PostgreSQL")
        self.schema = schema
        self.migrations_dir = migrations_dir or MIGRATIONS_DIR
        self._safe_url = parsed.render_as_string(hide_password=True)
        if self.dialect == "sqlite" and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs: dict[str, Any] = {"echo": echo}
        if self.dialect == "postgresql":
            kwargs["pool_pre_ping"] = True
        try:
            self.engine: Engine = create_engine(self.url, **kwargs)
        except (sa_exc.ArgumentError, ImportError) as exc:  # unknown dialect or driver
            raise DatabaseUnavailable(f"cannot use this URL: {exc}", url=self._safe_url) from exc
        if self.dialect == "sqlite":
            _configure_sqlite(self.engine)
        elif schema:
            _configure_search_path(self.engine, schema)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Committed source ids -> platform, so storing a page need not re-read its source.
        self.known_sources: dict[str, str | None] = {}

    def __repr__(self) -> str:
        return f"Database({self._safe_url!r})"

    @contextmanager
    def session(self, *, context: str = "", write: bool = False) -> Iterator[Session]:
        """A session in one transaction: committed on normal exit, rolled back on any error.

        SQLAlchemy errors leave as `StorageError` subclasses; `context` names the work
        (e.g. "store document https://...") in their message. `write=True` on SQLite takes
        the write lock when the transaction begins (BEGIN IMMEDIATE), so concurrent writers
        queue for up to the busy timeout instead of failing with "database is locked" when
        a read turns into a write.
        """
        session = self._sessions()
        if write and self.dialect == "sqlite":
            session.connection(execution_options={_IMMEDIATE: True})
        try:
            yield session
            session.commit()
        except sa_exc.SQLAlchemyError as exc:
            session.rollback()
            raise translate_db_error(exc, context=context, url=self._safe_url) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def upgrade(self, revision: str = "head") -> None:
        """Run the Alembic migrations up to `revision`; each commits with its version record."""
        from alembic import command

        logger.info("migrating %s to %s", self._safe_url, revision)
        try:
            with self._migration_lock():
                command.upgrade(self._alembic_config(), revision)
        except sa_exc.SQLAlchemyError as exc:
            error = translate_db_error(exc, context=f"upgrade {self._safe_url}", url=self._safe_url)
            if isinstance(error, DatabaseUnavailable):
                raise error from exc
            raise MigrationError(str(error), revision=revision) from exc
        except StorageError:
            raise
        except Exception as exc:  # a failing migration script raises anything at all
            raise MigrationError(
                f"upgrade {self._safe_url} to {revision}: {type(exc).__name__}: {exc}",
                revision=revision,
            ) from exc

    @contextmanager
    def _migration_lock(self) -> Iterator[None]:
        """Serialise upgrades of one database across processes (a crawl and the CLI may start
        together): a PostgreSQL advisory lock, or a lock file beside a SQLite file."""
        if self.dialect == "postgresql":
            key = zlib.crc32(f"fairwatch-migrations:{self.schema or ''}".encode()) & 0x7FFFFFFF
            with self.engine.connect() as conn:
                conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
                conn.commit()
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    conn.commit()
            return
        database = make_url(self.url).database
        if not database or database == ":memory:":
            yield
            return
        with open(f"{database}.migrate-lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def current_revision(self) -> str | None:
        """The revision the schema is at, or None for an empty database."""
        from alembic.runtime.migration import MigrationContext

        try:
            with self.engine.connect() as conn:
                return MigrationContext.configure(conn).get_current_revision()
        except sa_exc.SQLAlchemyError as exc:
            raise translate_db_error(
                exc, context="read schema revision", url=self._safe_url
            ) from exc

    def table_names(self) -> list[str]:
        try:
            with self.engine.connect() as conn:
                return sorted(inspect(conn).get_table_names())
        except sa_exc.SQLAlchemyError as exc:
            raise translate_db_error(exc, context="list tables", url=self._safe_url) from exc

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _alembic_config(self) -> Any:
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(self.migrations_dir))
        config.attributes["engine"] = self.engine
        return config


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN (below) so DDL and SELECTs are inside transactions.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 30000")  # ms: writers wait for each other
        cursor.execute("PRAGMA journal_mode = WAL")
        # With WAL, NORMAL syncs the log at checkpoints instead of at every commit: a process
        # crash loses nothing committed, a power cut may lose the last commits but never
        # corrupts the file. FULL would add one fsync per stored document for that margin;
        # a crawl re-fetches anything lost, so NORMAL is the durable-enough choice.
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(
            "BEGIN IMMEDIATE" if conn.get_execution_options().get(_IMMEDIATE) else "BEGIN"
        )


def _configure_search_path(engine: Engine, schema: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            dbapi_conn.commit()
        except Exception:
            # Two first connections may race: IF NOT EXISTS is not atomic in PostgreSQL and
            # the loser gets a unique violation. The schema exists either way; check it.
            dbapi_conn.rollback()
            cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,))
            if cursor.fetchone() is None:
                raise
        cursor.execute(f'SET search_path TO "{schema}"')
        cursor.close()
        dbapi_conn.commit()
