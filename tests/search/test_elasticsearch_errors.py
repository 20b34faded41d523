"""Every exception of the elasticsearch client maps onto storage.errors (no node needed)."""

from __future__ import annotations

import inspect

import pytest
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
from elasticsearch import exceptions as es_exc

from storage.errors import IndexUnavailable, SearchError
from storage.search.es_errors import translate_es_error

LOCATION = "http://127.0.0.1:59200 [fairwatch]"


def _meta(status: int) -> ApiResponseMeta:
    return ApiResponseMeta(
        status, "1.1", HttpHeaders(), 0.0, NodeConfig("http", "127.0.0.1", 59200)
    )


def _http(cls: type, status: int, kind: str) -> Exception:
    """An error answer of the node, built the way the client builds it."""
    info = {"error": {"root_cause": [{"type": kind, "reason": f"{kind} reason"}], "type": kind}}
    return cls(kind, meta=_meta(status), body=info)


CASES = [
    (
        es_exc.ConnectionError("refused", errors=(OSError("refused"),)),
        IndexUnavailable,
        "cannot reach",
    ),
    (es_exc.ConnectionTimeout("timed out"), IndexUnavailable, "timed out"),
    (es_exc.SSLError("bad cert", errors=(OSError("bad cert"),)), IndexUnavailable, "es_ca_certs"),
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
    (_http(es_exc.ApiError, 429, "es_rejected_execution_exception"), IndexUnavailable, "429"),
    (_http(es_exc.ApiError, 503, "unavailable"), IndexUnavailable, "503"),
    (
        _http(es_exc.BadRequestError, 400, "parsing_exception"),
        SearchError,
        "parsing_exception",
    ),
    (_http(es_exc.ConflictError, 409, "version_conflict"), SearchError, "HTTP 409"),
    (es_exc.SerializationError("cannot encode"), SearchError, "cannot encode"),
    (
        es_exc.UnsupportedProductError("not Elasticsearch", meta=_meta(200), body={}),
        SearchError,
        "not an Elasticsearch server",
    ),
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
        if issubclass(obj, (es_exc.ApiError, es_exc.TransportError))
    }
    covered = {type(exc) for exc, _, _ in CASES}
    # Base classes are covered through their leaves; any other class must still become
    # a SearchError.
    bases = {es_exc.ApiError, es_exc.TransportError}
    unchecked = upstream - covered - bases
    for cls in unchecked:
        instance = (
            cls("x", meta=_meta(500), body={}) if issubclass(cls, es_exc.ApiError) else cls("x")
        )
        assert isinstance(translate_es_error(instance, location=LOCATION, action="a"), SearchError)


def test_non_client_errors_are_not_swallowed() -> None:
    with pytest.raises(TypeError, match="not an elasticsearch exception"):
        translate_es_error(ValueError("x"), location=LOCATION, action="a")
