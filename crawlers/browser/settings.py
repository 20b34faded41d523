"""Settings of the browser path: every knob declared once, with its default and help.

`browser_settings(**overrides)` turns them into the Scrapy settings that put a crawl on
scrapy-playwright with the system Chromium: the handler registered for http and https (a
request goes through the browser only when its meta says `playwright`), the asyncio
reactor, bounded contexts and pages, a navigation timeout, heavy resources aborted,
contexts recycled, and the plugin's memory extension (crawlers.browser.memusage) in place
of Scrapy's MemoryUsage so browser memory counts toward MEMUSAGE_LIMIT_MB.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crawlers.browser.errors import BrowserConfigError

__all__ = [
    "BROWSER_SETTINGS",
    "CHROMIUM_ARGS",
    "BrowserSetting",
    "browser_settings",
    "with_browser",
]

# Without the background-networking flags Chromium dials out at start-up, and on a closed
# network those connections are refused and slow every launch.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


@dataclass(frozen=True)
class BrowserSetting:
    name: str
    default: Any
    help: str


BROWSER_SETTINGS: tuple[BrowserSetting, ...] = (
    BrowserSetting(
        "FAIRWATCH_BROWSER_EXECUTABLE",
        "/usr/bin/chromium",
        "Chromium binary (Debian package `chromium`); never a downloaded browser.",
    ),
    BrowserSetting(
        "FAIRWATCH_BROWSER_MAX_CONTEXTS",
        2,
        "Browser contexts open at once (PLAYWRIGHT_MAX_CONTEXTS).",
    ),
    BrowserSetting(
        "FAIRWATCH_BROWSER_MAX_PAGES_PER_CONTEXT",
        4,
        "Pages open at once in one context (PLAYWRIGHT_MAX_PAGES_PER_CONTEXT).",
    ),
    BrowserSetting(
        "FAIRWATCH_BROWSER_NAVIGATION_TIMEOUT_MS",
        20_000,
        "Milliseconds a page may take to load before it is given up.",
    ),
    BrowserSetting(
        "FAIRWATCH_BROWSER_CONTENT_TIMEOUT_MS",
        10_000,
        "Milliseconds to wait for a source's content selector after loading.",
    ),
    BrowserSetting(
        "FAIRWATCH_BROWSER_RECYCLE_PAGES",
        50,
        "A browser context is closed and replaced after serving this many pages.",
    ),
    BrowserSetting(
        "FAIRWATCH_BROWSER_JS_HEAP_MB",
        512,
        "V8 old-space limit per renderer (MB); a page over it crashes alone.",
    ),
    BrowserSetting(
        "FAIRWATCH_BROWSER_MAX_RESPONSE_MB",
        50,
        "A page whose document is larger than this (MB) is abandoned.",
    ),
    BrowserSetting(
        "FAIRWATCH_BROWSER_CONCURRENCY",
        4,
        "Concurrent browser requests of one crawl (CONCURRENT_REQUESTS).",
    ),
)
_DEFAULTS = {s.name: s.default for s in BROWSER_SETTINGS}


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise BrowserConfigError(f"{name}: expected a positive integer, received {value!r}")
    return value


def browser_settings(**overrides: Any) -> dict[str, Any]:
    """Scrapy settings for a crawl that may use the browser; overrides use the names above."""
    unknown = sorted(set(overrides) - set(_DEFAULTS))
    if unknown:
        raise BrowserConfigError(
            f"unknown browser setting(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(_DEFAULTS))}"
        )
    v = _DEFAULTS | overrides
    for name, default in _DEFAULTS.items():
        if isinstance(default, int):
            _positive_int(name, v[name])
    handler = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
    return {
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {
            "executable_path": v["FAIRWATCH_BROWSER_EXECUTABLE"],
            "headless": True,
            "args": [
                *CHROMIUM_ARGS,
                f"--js-flags=--max-old-space-size={v['FAIRWATCH_BROWSER_JS_HEAP_MB']}",
            ],
        },
        "PLAYWRIGHT_MAX_CONTEXTS": v["FAIRWATCH_BROWSER_MAX_CONTEXTS"],
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": v["FAIRWATCH_BROWSER_MAX_PAGES_PER_CONTEXT"],
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": v["FAIRWATCH_BROWSER_NAVIGATION_TIMEOUT_MS"],
        "PLAYWRIGHT_ABORT_REQUEST": "crawlers.browser.blocking.should_abort_request",
        "PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER": True,
        "CONCURRENT_REQUESTS": v["FAIRWATCH_BROWSER_CONCURRENCY"],
        "EXTENSIONS": {
            "scrapy.extensions.memusage.MemoryUsage": None,
            # The plugin's extension, reading the browser's memory from the process tree.
            "crawlers.browser.memusage.BrowserMemoryUsage": 0,
        },
        "DOWNLOADER_MIDDLEWARES": {
            # Close to the handler, so a request it tags reaches the browser untouched.
            "crawlers.browser.recycle.ContextRecycleMiddleware": 950,
        },
        "FAIRWATCH_BROWSER_RECYCLE_PAGES": v["FAIRWATCH_BROWSER_RECYCLE_PAGES"],
        "FAIRWATCH_BROWSER_CONTENT_TIMEOUT_MS": v["FAIRWATCH_BROWSER_CONTENT_TIMEOUT_MS"],
        "FAIRWATCH_BROWSER_MAX_RESPONSE_MB": v["FAIRWATCH_BROWSER_MAX_RESPONSE_MB"],
    }


_MERGED = ("DOWNLOADER_MIDDLEWARES", "EXTENSIONS", "DOWNLOAD_HANDLERS")


def with_browser(settings: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """settings plus the browser path; component dicts are merged, not replaced."""
    extra = browser_settings(**overrides)
    merged = dict(settings)
    for key, value in extra.items():
        if key in _MERGED:
            merged[key] = {**settings.get(key, {}), **value}
        elif key == "CONCURRENT_REQUESTS" and key in settings:
            continue  # the crawl's own bound stays; the browser bounds itself by pages
        else:
            merged[key] = value
    return merged
