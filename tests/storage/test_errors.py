"""The storage error tree and the translation of SQLAlchemy's exceptions."""

from __future__ import annotations

import inspect

import pytest
from sqlalchemy import exc as sa_exc

import storage.errors as errors
from storage.errors import (
    DatabaseError,
    DatabaseUnavailable,
    IntegrityViolation,
    StorageError,
    translate_db_error,
)


def dbapi_error(cls: type[sa_exc.DBAPIError], message: str) -> sa_exc.DBAPIError:
    return cls("INSERT INTO t VALUES (?)", {}, Exception(message))


# Every DBAPIError subclass SQLAlchemy defines, and what it must become.
EXPECTED = {
    sa_exc.IntegrityError: IntegrityViolation,
    sa_exc.OperationalError: DatabaseError,
    sa_exc.ProgrammingError: DatabaseError,
    sa_exc.DataError: DatabaseError,
    sa_exc.InternalError: DatabaseError,
    sa_exc.NotSupportedError: DatabaseError,
    sa_exc.InterfaceError: DatabaseError,
    sa_exc.DatabaseError: DatabaseError,
    sa_exc.DBAPIError: DatabaseError,
}


def test_every_dbapi_error_is_mapped() -> None:
    defined = {
        cls
        for _, cls in inspect.getmembers(sa_exc, inspect.isclass)
        if issubclass(cls, sa_exc.DBAPIError)
    }
    assert defined == set(EXPECTED)
    for upstream, ours in EXPECTED.items():
        translated = translate_db_error(dbapi_error(upstream, "it failed"), context="doing x")
        assert type(translated) is ours, upstream
        assert str(translated) == "doing x: it failed"


def test_connection_failures_become_unavailable() -> None:
    for message in ("connection refused", "unable to open database file"):
        error = translate_db_error(dbapi_error(sa_exc.OperationalError, message), url="u")
        assert isinstance(error, DatabaseUnavailable) and error.url == "u"


def test_constraint_name_is_extracted_from_sqlite_messages() -> None:
    error = translate_db_error(
        dbapi_error(sa_exc.IntegrityError, "CHECK constraint failed: ck_attachments_size")
    )
    assert isinstance(error, IntegrityViolation)
    assert error.constraint == "ck_attachments_size"


def test_non_dbapi_sqlalchemy_errors_are_database_errors() -> None:
    assert (
        type(translate_db_error(sa_exc.StatementError("bad", "SELECT", {}, None))) is DatabaseError
    )


def test_tree_in_the_docstring_lists_every_error() -> None:
    classes = [
        name
        for name, obj in inspect.getmembers(errors, inspect.isclass)
        if issubclass(obj, StorageError) and obj.__module__ == errors.__name__
    ]
    for name in classes:
        assert name in (errors.__doc__ or ""), name
        assert name in errors.__all__, name


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (
            errors.InvalidRecord("must be a string", field="title", value=3),
            "title: must be a string (got 3)",
        ),
        (errors.DocumentNotFound(7), "document 7 does not exist"),
        (errors.InvalidQuery("bad", field="after", value="x"), "after: bad (got 'x')"),
        (errors.TokenizerError("missing", path="/d.txt"), "/d.txt: missing"),
    ],
)
def test_messages_name_what_was_wrong(error: StorageError, text: str) -> None:
    assert str(error) == text
