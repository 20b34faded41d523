"""Exceptions raised by the storage package.

Callers catch these, never SQLAlchemy's, sqlite3's or psycopg's: third-party errors are
translated at the boundary (`translate_db_error`) and chained with ``raise ... from exc``.

    StorageError                     base of everything raised by storage/
    ├── DatabaseError                the database refused or failed a statement
    │   ├── DatabaseUnavailable      cannot connect / the file cannot be opened (.url)
    │   ├── IntegrityViolation       a constraint was violated (.constraint, .context)
    │   └── MigrationError           a migration failed and was rolled back (.revision)
    ├── InvalidRecord                bad input to a repository function (.field, .value)
    ├── UserExists                   a console account of that name exists already
    ├── NotFound                     (.kind, .key)
    │   ├── DocumentNotFound
    │   ├── VersionNotFound
    │   ├── FindingNotFound
    │   ├── RunNotFound
    │   └── UserNotFound
    └── SearchError                  the search index failed
        ├── IndexUnavailable         the index cannot be opened or reached (.location)
        ├── InvalidQuery             a search query or cursor is malformed (.field, .value)
        └── TokenizerError           the segmentation dictionary cannot be loaded (.path)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exc as sa_exc

__all__ = [
    "DatabaseError",
    "DatabaseUnavailable",
    "DocumentNotFound",
    "FindingNotFound",
    "IndexUnavailable",
    "IntegrityViolation",
    "InvalidQuery",
    "InvalidRecord",
    "MigrationError",
    "NotFound",
    "RunNotFound",
    "SearchError",
    "StorageError",
    "TokenizerError",
    "UserExists",
    "UserNotFound",
    "VersionNotFound",
    "translate_db_error",
]


class StorageError(Exception):
    """Base class of every error raised by the storage package."""


class DatabaseError(StorageError):
    """The database refused or failed a statement; `context` says what we were doing."""

    def __init__(self, message: str, *, context: str = "") -> None:
        super().__init__(f"{context}: {message}" if context else message)
        self.context = context


class DatabaseUnavailable(DatabaseError):
    """The database cannot be reached or opened."""

    def __init__(self, message: str, *, url: str = "", context: str = "") -> None:
        super().__init__(message, context=context)
        self.url = url


class IntegrityViolation(DatabaseError):
    """A unique, foreign-key, not-null or check constraint rejected the write."""

    def __init__(self, message: str, *, constraint: str | None = None, context: str = "") -> None:
        super().__init__(message, context=context)
        self.constraint = constraint


class MigrationError(DatabaseError):
    """A schema migration failed; it and its version record were rolled back."""

    def __init__(self, message: str, *, revision: str | None = None, context: str = "") -> None:
        super().__init__(message, context=context)
        self.revision = revision


class InvalidRecord(StorageError):
    """A value handed to a repository function cannot be stored as it is."""

    def __init__(self, message: str, *, field: str, value: Any = None) -> None:
        super().__init__(f"{field}: {message} (got {value!r})")
        self.field = field
        self.value = value


class NotFound(StorageError):
    kind = "object"

    def __init__(self, key: Any) -> None:
        super().__init__(f"{self.kind} {key!r} does not exist")
        self.key = key


class DocumentNotFound(NotFound):
    kind = "document"


class VersionNotFound(NotFound):
    kind = "document version"


class FindingNotFound(NotFound):
    kind = "finding"


class RunNotFound(NotFound):
    kind = "crawl run"


class UserNotFound(NotFound):
    kind = "user"


class UserExists(StorageError):
    """A console account of that name exists already."""


class SearchError(StorageError):
    """The search index failed."""


class IndexUnavailable(SearchError):
    """The index cannot be opened or reached; documents stay pending in the database."""

    def __init__(self, message: str, *, location: str = "") -> None:
        super().__init__(f"{location}: {message}" if location else message)
        self.location = location


class InvalidQuery(SearchError):
    """A search query, filter or cursor is malformed."""

    def __init__(self, message: str, *, field: str, value: Any = None) -> None:
        super().__init__(f"{field}: {message} (got {value!r})")
        self.field = field
        self.value = value


class TokenizerError(SearchError):
    """The Chinese segmentation dictionary is missing or malformed."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


def _constraint_name(exc: sa_exc.DBAPIError) -> str | None:
    diag = getattr(exc.orig, "diag", None)  # psycopg exposes the violated constraint
    name = getattr(diag, "constraint_name", None)
    if name:
        return str(name)
    text = str(exc.orig)
    # sqlite3: "CHECK constraint failed: ck_attachments_size" / "UNIQUE constraint failed: t.c"
    if "constraint failed:" in text:
        return text.split("constraint failed:", 1)[1].strip() or None
    return None


def translate_db_error(
    exc: sa_exc.SQLAlchemyError, *, context: str = "", url: str = ""
) -> StorageError:
    """Map a SQLAlchemy exception onto our tree; the caller raises the result ``from exc``.

    IntegrityError -> IntegrityViolation; OperationalError / InterfaceError raised while
    connecting -> DatabaseUnavailable; any other SQLAlchemy error -> DatabaseError.
    """
    message = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    if isinstance(exc, sa_exc.IntegrityError):
        return IntegrityViolation(message, constraint=_constraint_name(exc), context=context)
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return DatabaseUnavailable(message, url=url, context=context)
    if isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError)) and _is_connect_failure(
        exc
    ):
        return DatabaseUnavailable(message, url=url, context=context)
    return DatabaseError(message, context=context)


def _is_connect_failure(exc: sa_exc.DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return any(
        needle in text
        for needle in (
            "unable to open database",
            "connection refused",
            "could not connect",
            "connection failed",
            "server closed the connection",
            "no such host",
            "does not exist",  # database "x" does not exist
            "password authentication failed",
        )
    )
