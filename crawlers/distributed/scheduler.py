"""`RedisScheduler`: a worker's Scrapy scheduler, fed by the shared queue in Redis.

Pages (list and detail) enter the shared queue only through `RedisFrontier.expand` or the
process that starts a run, so the list and detail requests a spider yields are already
queued and are not scheduled again here. What stays local is the follow-up work of a job
this worker holds: retries and redirects (they carry the job in their meta) and the
attachments of a detail page (fetched one after the other before the page's item). A
looping call polls the queue (the engine's own heartbeat is every 5 s) and renews this
worker's heartbeat, which also gives back the jobs of dead workers.
"""

from __future__ import annotations

import logging
import time
from collections import deque

import redis
from scrapy import Request, Spider
from scrapy.core.scheduler import BaseScheduler
from scrapy.crawler import Crawler
from twisted.internet import task

from crawlers.distributed.frontier import RedisFrontier
from crawlers.distributed.spider import JOB

logger = logging.getLogger(__name__)


class RedisScheduler(BaseScheduler):
    def __init__(self, frontier: RedisFrontier, *, crawler: Crawler, poll: float) -> None:
        self.frontier = frontier
        self.crawler = crawler
        self.poll = poll
        self._local: deque[Request] = deque()
        self._loop: task.LoopingCall | None = None
        self._beat_at = 0.0
        self._redis_down = False
        self.spider: Spider | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisScheduler:
        frontier = crawler.settings.get("FAIRWATCH_FRONTIER")
        if not isinstance(frontier, RedisFrontier):
            raise ValueError("RedisScheduler needs a RedisFrontier in FAIRWATCH_FRONTIER")
        return cls(frontier, crawler=crawler, poll=crawler.settings.getfloat("FAIRWATCH_POLL"))

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.frontier.queue.heartbeat()
        self._beat_at = time.monotonic()
        self._loop = task.LoopingCall(self._tick)
        self._loop.start(self.poll, now=False)

    def close(self, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.frontier.close()
        logger.info(
            "worker stopped (%s) after %d page(s) done; pages it held went back to the queue",
            reason,
            self.frontier.finished,
        )

    def _tick(self) -> None:
        now = time.monotonic()
        try:
            if now - self._beat_at >= self.frontier.queue.ttl / 3:
                self._beat_at = now
                self.frontier.queue.heartbeat()
        except Exception:  # Redis away for a moment: keep going, the next beat retries
            logger.exception("worker heartbeat failed")
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)
        if slot is not None and not engine.needs_backout():
            slot.nextcall.schedule()

    def has_pending_requests(self) -> bool:
        return bool(self._local)

    def enqueue_request(self, request: Request) -> bool:
        if JOB in request.meta or request.meta.get("fairwatch_role") == "attachment":
            self._local.append(request)
        # Otherwise a page `expand` already queued in Redis for whichever worker is free.
        return True

    def next_request(self) -> Request | None:
        if self._local:
            return self._local.popleft()
        while True:
            try:
                job = self.frontier.claim()
            except redis.RedisError as exc:  # Redis away: the queue waits there, ask again
                if not self._redis_down:
                    logger.error("cannot take pages from Redis (will keep trying): %s", exc)
                self._redis_down = True
                return None
            if self._redis_down:
                logger.info("Redis answers again; taking pages")
                self._redis_down = False
            if job is None:
                return None
            request = self.spider.request_for(job)  # type: ignore[union-attr]
            if request is not None:
                return request
