"""What a spider records of the pages it still has to do: a `Frontier`, injected like the sink.

The crawler knows nothing of databases: `fairwatch.service.frontier.DatabaseFrontier`
implements this protocol and the crawl runner puts it in the Scrapy setting
`FAIRWATCH_FRONTIER`. A list page's detail links (and its next list page) are recorded in
the same step that marks the list page done, so a crash at any moment leaves every page
found either stored or still in the frontier; the next crawl starts with `pending()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class Frontier(Protocol):
    def pending(self, source_id: str) -> list[tuple[str, str]]:
        """(role, url) of the pages an earlier crawl found and did not finish."""

    def expand(
        self, source_id: str, list_url: str, details: Iterable[str], next_lists: Iterable[str]
    ) -> None:
        """list_url is parsed: record the pages it led to and forget list_url, at once."""

    def done(self, source_id: str, role: str, url: str) -> None:
        """The page is finished (stored, unchanged, or given up with its reason recorded)."""

    def close(self) -> None:
        """Write what is still buffered."""
