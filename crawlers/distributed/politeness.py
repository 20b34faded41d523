"""`DomainLeaseMiddleware`: per-domain concurrency and delay held across all workers.

Before a request goes out, the worker takes a lease on its host in Redis: at most
`concurrency` leases of a host are held at once, and two leases of a host start at least
`delay` seconds apart (both from the source's politeness block). The lease is given back
when the response or the error comes in; one held by a worker that died expires after
`ttl` seconds. Times come from the Redis server's clock, so workers on machines whose
clocks differ still agree.

It sits next to the downloader (after robots.txt and the other middlewares), so a lease
is held only while a request is really on the wire.
"""

from __future__ import annotations

import asyncio
import uuid
from urllib.parse import urlsplit

import redis
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

LEASE = "fairwatch_lease"

# KEYS: leases zset, next-start key. ARGV: concurrency, delay, ttl, token.
# Returns "0" when the lease is taken, else the seconds to wait before asking again.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tostring(math.min(0.05, tonumber(first[2]) - now))
end
local nxt = tonumber(redis.call('GET', KEYS[2]) or '0')
if nxt > now then return tostring(nxt - now) end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[3]) * 1000))
if tonumber(ARGV[2]) > 0 then
  redis.call('SET', KEYS[2], tostring(now + tonumber(ARGV[2])), 'PX',
             math.ceil(tonumber(ARGV[2]) * 1000) + 1000)
end
return '0'
"""


class DomainLease:
    """Leases on hosts, shared by every process using the same Redis and prefix."""

    def __init__(self, client: redis.Redis, *, prefix: str, ttl: float) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl = ttl
        self._acquire = client.register_script(_ACQUIRE)

    def __deepcopy__(self, memo: dict) -> DomainLease:
        # Scrapy deep-copies its settings; this live handle is shared.
        return self

    def try_acquire(self, host: str, token: str, *, concurrency: int, delay: float) -> float:
        """0 if the lease is taken, else how long to wait before trying again."""
        keys = [f"{self.prefix}:domain:{host}:leases", f"{self.prefix}:domain:{host}:next"]
        wait = self._acquire(keys=keys, args=[concurrency, delay, self.ttl, token])
        return max(0.0, float(wait))

    def release(self, host: str, token: str) -> None:
        self.client.zrem(f"{self.prefix}:domain:{host}:leases", token)

    async def acquire(self, host: str, *, concurrency: int, delay: float) -> str:
        token = uuid.uuid4().hex
        while wait := self.try_acquire(host, token, concurrency=concurrency, delay=delay):
            await asyncio.sleep(min(max(wait, 0.005), 0.25))
        return token


class DomainLeaseMiddleware:
    def __init__(
        self,
        lease: DomainLease,
        politeness: dict[str, tuple[int, float]],
        default: tuple[int, float],
        hosts: dict[str, int] | None = None,
    ) -> None:
        self.lease = lease
        self.politeness = politeness  # source id -> (concurrency, delay)
        self.default = default
        self.hosts = hosts or {}  # host -> the largest concurrency a source gives it

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DomainLeaseMiddleware:
        settings = crawler.settings
        default = (settings.getint("FAIRWATCH_DEFAULT_CONCURRENCY"), 0.0)
        return cls(
            settings.get("FAIRWATCH_DOMAIN_LEASE"),
            settings.get("FAIRWATCH_POLITENESS"),
            default,
            settings.get("FAIRWATCH_POLITENESS_HOSTS"),
        )

    async def process_request(self, request: Request) -> None:
        host = urlsplit(request.url).netloc
        policy = self.politeness.get(request.meta.get("fairwatch_source", ""))
        if policy is None:
            # A request of no source (robots.txt) takes a slot but does not push the delay
            # back; it may use as many slots as the host's sources do, or a worker joining a
            # busy host would wait for a moment when fewer leases are out than its default.
            policy = (self.hosts.get(host, self.default[0]), 0.0)
        concurrency, delay = policy
        token = await self.lease.acquire(host, concurrency=concurrency, delay=delay)
        request.meta[LEASE] = (host, token)

    def process_response(self, request: Request, response: Response) -> Response:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self._release(request)

    def _release(self, request: Request) -> None:
        held = request.meta.pop(LEASE, None)
        if held is not None:
            self.lease.release(*held)
