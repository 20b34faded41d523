"""`RedisFrontier`: the spider's `Frontier` (crawlers.frontier) over the shared queue.

The spider already tells its frontier the moments that matter: a list page is parsed
(`expand`: queue what it led to and finish the list page, in one Redis script) and a detail
page is done (`done`: stored, unchanged, or given up). This class maps those calls back to
the job this worker took for the page, and calls `on_run_done(run)` when the job it
finished was the last one of its run, whichever worker did the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from crawlers.distributed.queue import Job, RedisQueue

logger = logging.getLogger(__name__)


class RedisFrontier:
    def __init__(
        self, queue: RedisQueue, *, on_run_done: Callable[[int], None] | None = None
    ) -> None:
        self.queue = queue
        self.on_run_done = on_run_done
        # (source, role, url) -> (job, raw JSON as claimed) for the jobs this worker holds.
        self._held: dict[tuple[str, str, str], tuple[Job, str]] = {}
        self._latest_run: dict[str, int] = {}  # source -> run of the last job taken
        self.finished = 0  # jobs this worker finished

    def __deepcopy__(self, memo: dict) -> RedisFrontier:
        # Scrapy deep-copies its settings; this live handle is shared.
        return self

    # -- taking jobs (the scheduler) -------------------------------------------------------
    def claim(self) -> Job | None:
        raw = self.queue.claim()
        if raw is None:
            return None
        job = Job.loads(raw)
        self._held[(job.source, job.role, job.url)] = (job, raw)
        self._latest_run[job.source] = job.run
        return job

    def latest_run(self, source_id: str) -> int | None:
        """The run of the last job of source_id this worker took (one run per source at a
        time is the rule: the service does not start a source's run while one is open)."""
        return self._latest_run.get(source_id)

    def run_of(self, source_id: str, role: str, url: str) -> int | None:
        held = self._held.get((source_id, role, url))
        return held[0].run if held else None

    def release(self, job: Job) -> None:
        """Finish job if it is still held (a list page whose callback found nothing to
        expand: not HTML, bad JSON, or given up after its retries)."""
        self._finish(job.source, job.role, job.url)

    # -- the Frontier protocol (the spider) ----------------------------------------------
    def pending(self, source_id: str) -> list[tuple[str, str]]:
        return []  # what is unfinished is in the queue, not replayed at spider start

    def expand(
        self, source_id: str, list_url: str, details: Iterable[str], next_lists: Iterable[str]
    ) -> None:
        held = self._held.pop((source_id, "list", list_url), None)
        if held is None:
            logger.error("list page %s of %s was not taken from the queue", list_url, source_id)
            return
        job, raw = held
        children = [Job(job.run, source_id, "detail", u) for u in details]
        children += [
            Job(job.run, source_id, "list", u, follow=True, page=job.page + 1) for u in next_lists
        ]
        _, left = self.queue.push(job.run, children, finished=raw)
        self.finished += 1
        self._after_ack(job.run, left)

    def done(self, source_id: str, role: str, url: str) -> None:
        self._finish(source_id, role, url)

    def close(self) -> None:
        """Give the jobs still held back to the queue (a worker stopping in good order)."""
        self._held.clear()
        self.queue.heartbeat(retire=True)

    # -- internals ------------------------------------------------------------------------
    def _finish(self, source_id: str, role: str, url: str) -> None:
        held = self._held.pop((source_id, role, url), None)
        if held is None:
            return
        job, raw = held
        self.finished += 1
        self._after_ack(job.run, self.queue.ack(job.run, raw))

    def _after_ack(self, run: int, left: int) -> None:
        if left == 0 and self.on_run_done is not None:
            try:
                self.on_run_done(run)
            except Exception:  # the pages are stored; the run row is only bookkeeping
                logger.exception("could not close distributed run %d", run)
