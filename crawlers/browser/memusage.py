"""BrowserMemoryUsage: MEMUSAGE_LIMIT_MB counts the crawler and every process it started.

scrapy-playwright's ScrapyPlaywrightMemoryUsageExtension finds the browser through private
attributes of the Playwright driver (`_connection._transport._proc`) that the installed
Playwright no longer has, so it adds 0 bytes and the browser escapes the limit. This
subclass reads the same thing from the process tree instead: the resident memory of this
process plus all its descendants (the Playwright driver and every Chromium process).
"""

from __future__ import annotations

import logging
from contextlib import suppress

import psutil
from scrapy_playwright.memusage import ScrapyPlaywrightMemoryUsageExtension

__all__ = ["BrowserMemoryUsage", "tree_rss"]

logger = logging.getLogger(__name__)


def tree_rss(pid: int | None = None) -> tuple[int, int]:
    """(RSS of the process, RSS of all its descendants) in bytes; gone processes count 0."""
    me = psutil.Process(pid)
    own = me.memory_info().rss
    others = 0
    for child in me.children(recursive=True):
        with suppress(psutil.Error):  # exited between listing and reading
            others += child.memory_info().rss
    return own, others


class BrowserMemoryUsage(ScrapyPlaywrightMemoryUsageExtension):
    def _get_total_playwright_process_memory(self) -> int:
        _, descendants = tree_rss()
        logger.debug("memory of the browser and its driver: %d MiB", descendants // 2**20)
        return descendants
