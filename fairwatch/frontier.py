"""The crawl frontier kept in the database (crawlers.frontier.Frontier for the spider).

Pages found are written when their list page is parsed; finished detail pages are
forgotten in small batches (a crash loses at most a batch of "done" marks, and those
pages are simply asked again, conditionally, by the next crawl: never a page lost).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from storage.db import Database
from storage.repository.crawl_state import expand_frontier, frontier, remove_from_frontier

logger = logging.getLogger(__name__)


class DatabaseFrontier:
    def __init__(self, db: Database, *, run_id: int | None = None, batch: int = 20) -> None:
        self.db = db
        self.run_id = run_id
        self.batch = batch
        self._done: dict[tuple[str, str], list[str]] = {}

    def __deepcopy__(self, memo: dict) -> DatabaseFrontier:
        # Scrapy deep-copies its settings; this live handle is shared.
        return self

    def pending(self, source_id: str) -> list[tuple[str, str]]:
        return frontier(self.db, source_id)

    def expand(
        self, source_id: str, list_url: str, details: Iterable[str], next_lists: Iterable[str]
    ) -> None:
        expand_frontier(
            self.db,
            source_id,
            list_url,
            {"detail": list(details), "list": list(next_lists)},
            run_id=self.run_id,
        )

    def done(self, source_id: str, role: str, url: str) -> None:
        urls = self._done.setdefault((source_id, role), [])
        urls.append(url)
        if len(urls) >= self.batch:
            self._flush(source_id, role)

    def done_many(self, source_id: str, role: str, urls: Iterable[str]) -> None:
        for url in urls:
            self.done(source_id, role, url)

    def close(self) -> None:
        for source_id, role in list(self._done):
            self._flush(source_id, role)

    def _flush(self, source_id: str, role: str) -> None:
        urls = self._done.pop((source_id, role), [])
        try:
            remove_from_frontier(self.db, source_id, role, urls)
        except Exception:  # the pages are stored; at worst they are asked again next time
            logger.exception("could not mark %d frontier page(s) of %s done", len(urls), source_id)
