"""Every exception of the elasticsearch client maps onto storage.errors (no node needed)."""

from __future__ import annotations

import inspect

import pytest
from elasticsearch import exceptions as es_exc

from storage.errors import IndexUnavailable, SearchError
from storage.search.es_errors import translate_es_error

LOCATION = "http://127.0.0.1:59200 [fairwatch]"


def _http(cls: type, status: int, kind: str) -> Exception:
    info = {"error": {"root_cause": [{"type": kind, "reason": f"{kind} reason"}], "type": kind}}
    return cls(status, kind, info)


CASES = [
    (es_exc.ConnectionError("N/A", "refused", OSError()), IndexUnavailable, "cannot reach"),
    (es_exc.ConnectionTimeout("TIMEOUT", "timed out", OSError()), IndexUnavailable, "timed out"),
    (es_exc.SSLError("N/A", "bad cert", OSError()), IndexUnavailable, "es_ca_certs"),
    (
        _http(es_exc.AuthenticationException, 401, "security_exception"),
        IndexUnavailable,
        "es_username",
    ),
    (
        _http(es_exc.AuthorizationException, 403, "security_exception"),
        IndexUnavailable,
        "HTTP 403",
    ),
    (
        _http(es_exc.NotFoundError, 404, "index_not_found_exception"),
        IndexUnavailable,
        "fairwatch index rebuild",
    ),
    (es_exc.TransportError(429, "es_rejected_execution_exception", {}), IndexUnavailable, "429"),
    (es_exc.TransportError(503, "unavailable", {}), IndexUnavailable, "503"),
    (
        _http(es_exc.RequestError, 400, "parsing_exception"),
        SearchError,
        "parsing_exception",
    ),
    (es_exc.ConflictError(409, "version_conflict", {}), SearchError, "HTTP 409"),
    (es_exc.SerializationError("cannot encode"), SearchError, "cannot encode"),
    (es_exc.ImproperlyConfigured("bad option"), SearchError, "bad option"),
]


@pytest.mark.parametrize(("exc", "expected", "needle"), CASES)
def test_client_errors_are_translated(exc: Exception, expected: type, needle: str) -> None:
    ours = translate_es_error(exc, location=LOCATION, action="searching")
    assert type(ours) is expected
    assert needle in str(ours)
    assert LOCATION in str(ours)


def test_every_client_exception_class_is_mapped() -> None:
    # A client upgrade that adds an exception class must be looked at here.
    upstream = {
        obj
        for _, obj in inspect.getmembers(es_exc, inspect.isclass)
        if issubclass(obj, (es_exc.ElasticsearchException, es_exc.ImproperlyConfigured))
    }
    covered = {type(exc) for exc, _, _ in CASES}
    # Base classes are covered through their leaves; the rest (e.g. UnsupportedProductError,
    # raised when the server is not Elasticsearch) must still become a SearchError.
    bases = {es_exc.ElasticsearchException, es_exc.TransportError}
    unchecked = upstream - covered - bases
    for cls in unchecked:
        instance = cls("N/A", "x", {}) if issubclass(cls, es_exc.TransportError) else cls("x")
        assert isinstance(translate_es_error(instance, location=LOCATION, action="a"), SearchError)


def test_non_client_errors_are_not_swallowed() -> None:
    with pytest.raises(TypeError, match="not an elasticsearch exception"):
        translate_es_error(ValueError("x"), location=LOCATION, action="a")
