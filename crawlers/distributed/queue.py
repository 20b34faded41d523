"""The shared crawl frontier in Redis: a queue of jobs, a processing list per worker.

A job is one list or detail page of one crawl run, as JSON. Keys (all under a prefix):

    {p}:queue               LIST  jobs waiting for a worker (list pages and reclaimed jobs
                                  at the head, detail pages at the tail)
    {p}:processing:{worker} LIST  jobs a worker took and has not finished
    {p}:workers             ZSET  worker -> time its heartbeat runs out (Redis server clock)
    {p}:run:{id}:seen       SET   "role url" of every page the run queued (the dupefilter)
    {p}:run:{id}:pending    INT   jobs of the run queued or in flight
    {p}:run:{id}:stats      HASH  counts the run's workers add up

A worker takes a job by moving it from the queue to its processing list (LMOVE, atomic)
and finishes it by removing it from there; the children a list page leads to are queued in
the same script that finishes the list page, so at every moment each page found is queued,
in flight or done. A worker whose heartbeat ran out (killed, machine gone) has its
processing list moved back to the queue by the next live worker's heartbeat.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass

import redis

logger = logging.getLogger(__name__)

# KEYS: queue, seen, pending, processing. ARGV: finished job ("" for none), then
# (member, payload, "1" for the head of the queue) triples. Returns {queued, pending left}.
_PUSH = """
local queued = 0
for i = 2, #ARGV, 3 do
  if redis.call('SADD', KEYS[2], ARGV[i]) == 1 then
    if ARGV[i + 2] == '1' then
      redis.call('LPUSH', KEYS[1], ARGV[i + 1])
    else
      redis.call('RPUSH', KEYS[1], ARGV[i + 1])
    end
    queued = queued + 1
  end
end
if queued > 0 then redis.call('INCRBY', KEYS[3], queued) end
local left = tonumber(redis.call('GET', KEYS[3]) or '0')
if ARGV[1] ~= '' and redis.call('LREM', KEYS[4], 1, ARGV[1]) == 1 then
  left = redis.call('DECR', KEYS[3])
end
return {queued, left}
"""

# KEYS: processing, pending. ARGV: job. Returns pending left, or -1 if the job was not ours
# (already reclaimed from a worker thought dead: whoever holds it now finishes it).
_ACK = """
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 1 then
  return redis.call('DECR', KEYS[2])
end
return -1
"""

# KEYS: workers, queue. ARGV: worker, ttl seconds, key prefix, "1" to retire this worker.
# Renews this worker's heartbeat (or retires it) and moves the jobs of every worker whose
# heartbeat ran out back to the head of the queue. Returns how many jobs were moved.
_HEARTBEAT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
if ARGV[4] == '1' then
  table.insert(dead, ARGV[1])
else
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
end
local moved = 0
for _, w in ipairs(dead) do
  local processing = ARGV[3] .. ':processing:' .. w
  while redis.call('LMOVE', processing, KEYS[2], 'RIGHT', 'LEFT') do
    moved = moved + 1
  end
  redis.call('ZREM', KEYS[1], w)
end
return moved
"""


class QueueError(Exception):
    """Redis cannot be used as the frontier; the message names its URL."""


@dataclass(frozen=True)
class Job:
    run: int
    source: str
    role: str  # list | detail
    url: str
    follow: bool = False  # list pages: follow the next-page link
    json: bool = False  # list pages: a JSON list endpoint
    page: int = 1  # list pages: how many next-page links led here, plus one (max_pages)

    @property
    def member(self) -> str:
        """What the run's duplicate filter remembers of the page."""
        return f"{self.role} {self.url}"

    def dumps(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"), sort_keys=True)

    @classmethod
    def loads(cls, raw: str) -> Job:
        return cls(**json.loads(raw))


class RedisQueue:
    """The jobs of every distributed crawl run, for one worker (or the process pushing)."""

    def __init__(self, client: redis.Redis, *, prefix: str, worker: str, ttl: float) -> None:
        self.client = client
        self.prefix = prefix
        self.worker = worker
        self.ttl = ttl
        self._push = client.register_script(_PUSH)
        self._ack = client.register_script(_ACK)
        self._heartbeat = client.register_script(_HEARTBEAT)

    @classmethod
    def connect(cls, url: str, *, prefix: str, worker: str, ttl: float = 30.0) -> RedisQueue:
        """Open and check the connection; QueueError naming url if Redis does not answer."""
        try:
            client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=10)
            client.ping()
        except (redis.RedisError, ValueError) as exc:
            raise QueueError(f"Redis at {url} is unreachable: {exc}") from exc
        return cls(client, prefix=prefix, worker=worker, ttl=ttl)

    # -- keys -------------------------------------------------------------------------
    def key(self, *parts: object) -> str:
        return ":".join([self.prefix, *(str(p) for p in parts)])

    @property
    def processing_key(self) -> str:
        return self.key("processing", self.worker)

    # -- jobs -------------------------------------------------------------------------
    def push(self, run: int, jobs: list[Job], *, finished: str = "") -> tuple[int, int]:
        """Queue the jobs of run not queued before and finish the job `finished` (raw), in
        one step. Returns (jobs queued, jobs of the run still pending)."""
        args: list[str] = [finished]
        for job in jobs:
            # List pages go first: the next list page is asked while its detail pages are,
            # so the workers always have pages to take.
            args += [job.member, job.dumps(), "1" if job.role == "list" else "0"]
        keys = [
            self.key("queue"),
            self.key("run", run, "seen"),
            self.key("run", run, "pending"),
            self.processing_key,
        ]
        queued, left = self._push(keys=keys, args=args)
        return int(queued), int(left)

    def claim(self) -> str | None:
        """Move the next job to this worker's processing list; its raw JSON, or None."""
        return self.client.lmove(self.key("queue"), self.processing_key, "LEFT", "RIGHT")

    def ack(self, run: int, raw: str) -> int:
        """Finish a job; returns the jobs of its run still pending (-1: it was not ours)."""
        return int(
            self._ack(keys=[self.processing_key, self.key("run", run, "pending")], args=[raw])
        )

    def heartbeat(self, *, retire: bool = False) -> int:
        """Renew this worker's heartbeat, give back the jobs of dead workers; with retire,
        give back this worker's own jobs too. Returns how many jobs went back."""
        keys = [self.key("workers"), self.key("queue")]
        args = [self.worker, self.ttl, self.prefix, "1" if retire else "0"]
        moved = int(self._heartbeat(keys=keys, args=args))
        if moved:
            logger.warning("%d job(s) of stopped or dead workers went back to the queue", moved)
        return moved

    # -- runs -------------------------------------------------------------------------
    def count(self, run: int, key: str, n: int = 1) -> None:
        self.client.hincrby(self.key("run", run, "stats"), key, n)

    def stats(self, run: int) -> dict[str, int]:
        return {k: int(v) for k, v in self.client.hgetall(self.key("run", run, "stats")).items()}

    def pending(self, run: int) -> int:
        return int(self.client.get(self.key("run", run, "pending")) or 0)

    def forget_run(self, run: int) -> None:
        self.client.delete(*(self.key("run", run, k) for k in ("seen", "pending", "stats")))

    def waiting(self) -> int:
        return int(self.client.llen(self.key("queue")))
