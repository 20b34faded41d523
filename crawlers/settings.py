"""Scrapy settings for fairwatch crawls: every default declared once, then per-source values.

`FAIRWATCH_*` keys are ours (read only in the `from_crawler` of the component named in the
comment); the rest are Scrapy's. `crawl_settings(source)` applies a source file's
politeness, robots and attachment rules on top of the defaults; callers may override
anything afterwards (tests shorten timeouts, the bench raises concurrency).
"""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from crawlers.sources.schema import SourceConfig

logger = logging.getLogger(__name__)

try:
    VERSION = version("fairwatch")
except PackageNotFoundError:  # running from a checkout that was never installed
    VERSION = "0.0.0"

PROJECT_URL = "https://github.com/fairwatch/fairwatch"
MB = 1024 * 1024

DEFAULTS: dict[str, Any] = {
    "BOT_NAME": "fairwatch",
    "USER_AGENT": f"fairwatch/{VERSION} (+{PROJECT_URL})",
    # scrapy-playwright needs the asyncio reactor; every crawl uses it so both can share a process.
    "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    "ROBOTSTXT_OBEY": True,
    "TELNETCONSOLE_ENABLED": False,
    "COOKIES_ENABLED": False,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "DOWNLOAD_DELAY": 1.0,
    "DOWNLOAD_TIMEOUT": 30,
    "AUTOTHROTTLE_ENABLED": True,
    "AUTOTHROTTLE_START_DELAY": 1.0,
    "AUTOTHROTTLE_MAX_DELAY": 30.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 2.0,
    # Scrapy starts this many asyncio tasks for the output of every callback, however
    # little it yields: 100 (its default) for the one item of each detail page cost more
    # reactor time than extracting the page. A detail page yields one item or request, a
    # list page requests that are only scheduled; the store has one writer anyway.
    "CONCURRENT_ITEMS": 1,
    "RETRY_ENABLED": True,
    "RETRY_TIMES": 2,
    # A page over DOWNLOAD_MAXSIZE is cancelled, counted under
    # fairwatch/pages_skipped/too_large and the crawl goes on.
    "DOWNLOAD_MAXSIZE": 10 * MB,
    "DOWNLOAD_WARNSIZE": 2 * MB,
    "LOG_LEVEL": "INFO",
    "LOGSTATS_INTERVAL": 0,  # our ProgressExtension reports instead
    "DOWNLOADER_MIDDLEWARES": {
        "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
        "crawlers.middlewares.backoff.BackoffRetryMiddleware": 550,
        "crawlers.middlewares.conditional.ConditionalRequestMiddleware": 560,
        "crawlers.middlewares.encoding.EncodingMiddleware": 590,
    },
    "ITEM_PIPELINES": {"crawlers.pipelines.store.StorePipeline": 300},
    "EXTENSIONS": {
        "crawlers.extensions.runstats.RunStatsExtension": 500,
        "crawlers.extensions.progress.ProgressExtension": 510,
    },
    # BackoffRetryMiddleware: seconds before retry n is base * 2**(n-1), capped.
    "FAIRWATCH_RETRY_BACKOFF_BASE": 1.0,
    "FAIRWATCH_RETRY_BACKOFF_MAX": 30.0,
    # ProgressExtension: seconds between progress lines (0 disables).
    "FAIRWATCH_PROGRESS_INTERVAL": 10.0,
    # SourceSpider: processes that extract detail pages off the reactor (0: the spider
    # extracts them itself, on the reactor's thread).
    "FAIRWATCH_EXTRACT_WORKERS": 2,
    # StorePipeline / ConditionalRequestMiddleware: the DocumentSink object (crawlers.sink).
    "FAIRWATCH_SINK": None,
}


def crawl_settings(source: SourceConfig, **overrides: Any) -> dict[str, Any]:
    """Scrapy settings for one source: defaults, then the source file, then overrides."""
    settings = dict(DEFAULTS)
    settings["CONCURRENT_REQUESTS_PER_DOMAIN"] = source.politeness.concurrency
    settings["DOWNLOAD_DELAY"] = source.politeness.delay
    settings["AUTOTHROTTLE_START_DELAY"] = max(source.politeness.delay, 0.01)
    settings["AUTOTHROTTLE_TARGET_CONCURRENCY"] = float(source.politeness.concurrency)
    settings["ROBOTSTXT_OBEY"] = source.robots == "obey"
    if source.robots == "ignore":
        logger.warning(
            "source %s overrides robots.txt (robots: ignore in its source file)", source.id
        )
    if source.browser:
        # Rendered in Chromium through scrapy-playwright (crawlers/browser/settings.py).
        from crawlers.browser.settings import with_browser

        settings = with_browser(settings)
    settings.update(overrides)
    return settings
