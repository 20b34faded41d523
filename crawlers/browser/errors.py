"""Errors of the browser path, each with the URL and a short `reason` code stored with the
crawl's record of failures.

    CrawlerError (crawlers.errors)
    └── BrowserError                 reason, url
        ├── NavigationTimeoutError   the page did not finish loading in time
        ├── ContentMissingError      the source's content selector never appeared
        ├── RendererCrashedError     the page's renderer process died (memory, bug)
        ├── ResponseTooLargeError    the document is over FAIRWATCH_BROWSER_MAX_RESPONSE_MB
        ├── EmptyContentError        the page rendered but carries no text to analyze
        └── BrowserUnavailableError  Chromium could not be launched or went away for good
    BrowserConfigError (ValueError)  a browser setting or source rule that cannot be used

`map_playwright_error` translates Playwright's exceptions at the boundary.
"""

from __future__ import annotations

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from crawlers.errors import CrawlerError

__all__ = [
    "BrowserConfigError",
    "BrowserError",
    "BrowserUnavailableError",
    "ContentMissingError",
    "EmptyContentError",
    "NavigationTimeoutError",
    "RendererCrashedError",
    "ResponseTooLargeError",
    "map_playwright_error",
]


class BrowserConfigError(ValueError):
    """A browser setting or ad source rule that cannot be used; the message names it."""


class BrowserError(CrawlerError):
    reason = "browser_error"

    def __init__(self, message: str, *, url: str = "") -> None:
        self.url = url
        where = f" ({url})" if url else ""
        super().__init__(f"{message}{where}")


class NavigationTimeoutError(BrowserError):
    reason = "navigation_timeout"


class ContentMissingError(BrowserError):
    reason = "content_missing"


class RendererCrashedError(BrowserError):
    reason = "renderer_crashed"


class ResponseTooLargeError(BrowserError):
    reason = "too_large"

    def __init__(self, size: int, limit: int, *, url: str = "") -> None:
        self.size = size
        self.limit = limit
        super().__init__(f"document is {size} bytes, over the {limit}-byte browser limit", url=url)


class EmptyContentError(BrowserError):
    reason = "no_text"


class BrowserUnavailableError(BrowserError):
    reason = "browser_unavailable"


def map_playwright_error(exc: BaseException, *, url: str) -> BrowserError:
    """Our error for a Playwright exception (or the BrowserError itself, unchanged)."""
    if isinstance(exc, BrowserError):
        return exc
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, PlaywrightTimeoutError):
        return NavigationTimeoutError(f"page did not load in time: {message}", url=url)
    if isinstance(exc, PlaywrightError):
        if "crash" in message.lower():
            return RendererCrashedError(f"renderer crashed: {message}", url=url)
        if "executable doesn't exist" in message.lower() or "failed to launch" in message.lower():
            return BrowserUnavailableError(f"cannot launch Chromium: {message}", url=url)
        return BrowserError(f"browser failed: {message}", url=url)
    return BrowserError(f"browser failed: {type(exc).__name__}: {message}", url=url)
