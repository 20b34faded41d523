"""Elasticsearch client exceptions translated into storage.errors.

    SearchError (storage.errors)
    ├── IndexUnavailable        node unreachable, TLS or credentials refused, overloaded
    │                           after retries, index missing (run ensure / rebuild)
    ├── InvalidQuery            (raised by the query builder, never by the node)
    └── DocumentsRejected       the node refused some documents of a bulk request
                                (mapping errors): .doc_ids and .reasons

Everything else the node answers with an error status becomes a plain SearchError naming
the request and the node's reason.
"""

from __future__ import annotations

from elasticsearch import exceptions as es_exc

from storage.errors import IndexUnavailable, SearchError

# Statuses worth retrying: the node is overloaded (429) or briefly failing (5xx).
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class DocumentsRejected(SearchError):
    """Elasticsearch refused some documents of a bulk request; the others were written."""

    def __init__(self, location: str, reasons: dict[int, str]) -> None:
        first = next(iter(reasons.items()))
        super().__init__(
            f"{location}: {len(reasons)} document(s) refused, e.g. doc {first[0]}: {first[1]}"
        )
        self.location = location
        self.reasons = reasons

    @property
    def doc_ids(self) -> list[int]:
        return sorted(self.reasons)


# What the client raises (8.x): ApiError for every answer with an error status, and the
# transport's TransportError (ConnectionError, ConnectionTimeout, SSLError, SerializationError)
# for requests that got no usable answer.
CLIENT_ERRORS = (es_exc.ApiError, es_exc.TransportError)


def _reason(exc: es_exc.ApiError) -> str:
    info = exc.info
    if isinstance(info, dict):
        error = info.get("error")
        if isinstance(error, dict):
            root = (error.get("root_cause") or [error])[0]
            return f"{root.get('type')}: {root.get('reason')}"
        if error:
            return str(error)
    return str(exc.error)


def _cause(exc: es_exc.TransportError) -> str:
    """The transport's message, with the underlying error (refused, reset, bad cert...)."""
    causes = [str(e) for e in exc.errors if str(e)]
    message = str(exc.message)
    return f"{message}: {causes[-1]}" if causes and causes[-1] not in message else message


def translate_es_error(exc: Exception, *, location: str, action: str) -> SearchError:
    """Our error for an exception of the elasticsearch client; the caller raises it `from exc`.

    `location` is the node URL and index (never credentials), `action` what we were doing.
    """
    if isinstance(exc, es_exc.SSLError):
        return IndexUnavailable(
            f"TLS handshake failed while {action}: {_cause(exc)}; "
            "check es_ca_certs / es_verify_certs",
            location=location,
        )
    if isinstance(exc, es_exc.ConnectionTimeout):
        return IndexUnavailable(f"timed out while {action}", location=location)
    if isinstance(exc, es_exc.ConnectionError):
        return IndexUnavailable(
            f"cannot reach Elasticsearch while {action} ({_cause(exc)}); "
            "is the node running? (scripts/elasticsearch.sh status)",
            location=location,
        )
    if isinstance(exc, (es_exc.AuthenticationException, es_exc.AuthorizationException)):
        return IndexUnavailable(
            f"credentials refused while {action} (HTTP {exc.status_code}): {_reason(exc)}; "
            "check es_username / es_password",
            location=location,
        )
    if isinstance(exc, es_exc.NotFoundError):
        return IndexUnavailable(
            f"index not found while {action}: {_reason(exc)}; "
            "create it with `fairwatch index rebuild`",
            location=location,
        )
    if isinstance(exc, es_exc.UnsupportedProductError):
        return SearchError(f"{location}: not an Elasticsearch server while {action}: {exc}")
    if isinstance(exc, es_exc.ApiError):
        status = exc.status_code
        if isinstance(status, int) and status in RETRY_STATUSES:
            return IndexUnavailable(
                f"Elasticsearch answered HTTP {status} while {action}: {_reason(exc)}",
                location=location,
            )
        return SearchError(
            f"{location}: Elasticsearch refused {action} (HTTP {status}): {_reason(exc)}"
        )
    if isinstance(exc, es_exc.TransportError):  # e.g. SerializationError
        return SearchError(f"{location}: {action} failed: {_cause(exc)}")
    raise TypeError(f"not an elasticsearch exception: {exc!r}")
