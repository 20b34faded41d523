"""Name why a request failed, as a short stats-friendly reason.

The reasons appear in stats keys (`fairwatch/pages_skipped/<reason>`,
`fairwatch/attachments/failed/<ext>`) and in the run's failure reason, so they are stable
words: http_<status>, too_large, timeout, unreachable, robots, not_modified, error.
"""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import defer, error
from twisted.python.failure import Failure

from crawlers.middlewares.conditional import NotModified

UNREACHABLE = (
    DownloadConnectionRefusedError,
    CannotResolveHostError,
    error.ConnectionRefusedError,
    error.DNSLookupError,
    error.NoRouteError,
    error.ConnectError,
)
TIMEOUT = (DownloadTimeoutError, error.TimeoutError, defer.TimeoutError)
# Scrapy cancels a download that passes DOWNLOAD_MAXSIZE: before it starts when the
# Content-Length says so (DownloadCancelledError), mid-body otherwise (CancelledError).
TOO_LARGE = (DownloadCancelledError, defer.CancelledError)


def failure_reason(failure: Failure | BaseException) -> tuple[str, str]:
    """(reason word, one-line detail) for a failed request."""
    exc = failure.value if isinstance(failure, Failure) else failure
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, NotModified):
        return "not_modified", detail
    if isinstance(exc, HttpError):
        status = exc.response.status
        return f"http_{status}", f"HTTP {status} from {exc.response.url}"
    if isinstance(exc, TOO_LARGE):
        return "too_large", detail
    if isinstance(exc, TIMEOUT):
        return "timeout", detail
    if isinstance(exc, UNREACHABLE):
        return "unreachable", detail
    if isinstance(exc, IgnoreRequest):
        return ("robots", detail) if "robots" in detail.lower() else ("ignored", detail)
    return "error", f"{type(exc).__name__}: {detail}"
