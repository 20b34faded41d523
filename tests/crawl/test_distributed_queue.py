"""The Redis parts of distributed crawling, on the real Redis: queue, reclaim, leases."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from crawlers.distributed.frontier import RedisFrontier
from crawlers.distributed.politeness import DomainLease
from crawlers.distributed.queue import Job, QueueError, RedisQueue

pytestmark = pytest.mark.redis


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    conn = redis.Redis.from_url(redis_url, decode_responses=True)
    yield conn
    conn.close()


@pytest.fixture
def prefix(client: redis.Redis) -> Iterator[str]:
    name = f"fwtest-{uuid.uuid4().hex[:12]}"
    yield name
    keys = list(client.scan_iter(f"{name}:*"))
    if keys:
        client.delete(*keys)


def queue(client: redis.Redis, prefix: str, worker: str, ttl: float = 30.0) -> RedisQueue:
    return RedisQueue(client, prefix=prefix, worker=worker, ttl=ttl)


def test_a_page_is_queued_once_per_run_and_counted_until_done(client, prefix) -> None:
    q = queue(client, prefix, "w1")
    start = Job(7, "src", "list", "http://site/index.html", follow=True)
    assert q.push(7, [start]) == (1, 1)
    assert q.push(7, [start]) == (0, 1)  # the run's duplicate filter
    frontier = RedisFrontier(q)
    done: list[int] = []
    frontier.on_run_done = done.append
    job = frontier.claim()
    assert job == start
    details = ["http://site/a.html", "http://site/b.html", "http://site/a.html"]
    frontier.expand("src", start.url, details, [])
    assert q.pending(7) == 2  # a.html once, b.html; the list page finished
    for _ in range(2):
        claimed = frontier.claim()
        assert claimed is not None and claimed.role == "detail"
        frontier.done("src", "detail", claimed.url)
    assert done == [7]  # run 7 closed by its last page
    assert q.waiting() == 0
    assert q.push(8, [Job(8, "src", "list", start.url)]) == (1, 1)  # the next run asks again


def test_a_dead_workers_pages_go_back_and_a_stopping_worker_gives_them_back(client, prefix) -> None:
    dead = queue(client, prefix, "dead", ttl=0.5)
    live = queue(client, prefix, "live", ttl=30)
    dead.push(1, [Job(1, "src", "detail", f"http://site/{i}.html") for i in range(3)])
    dead.heartbeat()
    assert [dead.claim(), dead.claim()] != [None, None]
    assert q_len(client, f"{prefix}:processing:dead") == 2
    assert live.heartbeat() == 0  # still beating: nothing taken from it
    time.sleep(0.7)
    assert live.heartbeat() == 2  # its heartbeat ran out
    assert q_len(client, f"{prefix}:processing:dead") == 0
    assert live.waiting() == 3
    # A job the dead worker finishes late (it was only slow) is not counted twice.
    assert dead.ack(1, live.client.lindex(f"{prefix}:queue", 0)) == -1
    assert live.pending(1) == 3
    live.claim()
    assert live.heartbeat(retire=True) == 1
    assert live.waiting() == 3
    assert client.zscore(f"{prefix}:workers", "live") is None


def q_len(client: redis.Redis, key: str) -> int:
    return int(client.llen(key))


def test_domain_leases_hold_concurrency_and_delay_across_holders(client, prefix) -> None:
    a = DomainLease(client, prefix=prefix, ttl=30)
    b = DomainLease(client, prefix=prefix, ttl=30)  # another worker
    assert a.try_acquire("site:80", "t1", concurrency=2, delay=0) == 0
    assert b.try_acquire("site:80", "t2", concurrency=2, delay=0) == 0
    assert b.try_acquire("site:80", "t3", concurrency=2, delay=0) > 0  # full
    assert a.try_acquire("other:80", "t4", concurrency=2, delay=0) == 0  # per host
    a.release("site:80", "t1")
    assert b.try_acquire("site:80", "t3", concurrency=2, delay=0) == 0
    assert a.try_acquire("slow:80", "d1", concurrency=5, delay=0.3) == 0
    wait = b.try_acquire("slow:80", "d2", concurrency=5, delay=0.3)
    assert 0.2 < wait <= 0.3
    time.sleep(wait + 0.01)
    assert b.try_acquire("slow:80", "d2", concurrency=5, delay=0.3) == 0


def test_a_lease_of_a_dead_holder_expires(client, prefix) -> None:
    lease = DomainLease(client, prefix=prefix, ttl=0.3)
    assert lease.try_acquire("site:80", "gone", concurrency=1, delay=0) == 0
    assert lease.try_acquire("site:80", "next", concurrency=1, delay=0) > 0
    time.sleep(0.35)
    assert lease.try_acquire("site:80", "next", concurrency=1, delay=0) == 0


def test_an_unreachable_redis_is_named() -> None:
    with pytest.raises(QueueError, match=r"Redis at redis://127\.0\.0\.1:1/0 is unreachable"):
        RedisQueue.connect("redis://127.0.0.1:1/0", prefix="x", worker="w")


def test_a_robots_request_on_a_busy_host_is_not_starved(client, prefix) -> None:
    """A worker joining a host its peers keep busy gets robots.txt in the host's slots."""
    import asyncio

    from scrapy import Request

    from crawlers.distributed.politeness import DomainLeaseMiddleware

    lease = DomainLease(client, prefix=prefix, ttl=30)
    for n in range(4):  # another worker has 4 of the source's 8 slots
        assert lease.try_acquire("site:80", f"busy{n}", concurrency=8, delay=0) == 0
    mw = DomainLeaseMiddleware(lease, {"src": (8, 0.0)}, (2, 0.0), {"site:80": 8})
    robots = Request("http://site:80/robots.txt")
    asyncio.run(asyncio.wait_for(mw.process_request(robots), timeout=2))
    assert robots.meta["fairwatch_lease"][0] == "site:80"
    mw.process_response(robots, None)  # type: ignore[arg-type]
    assert client.zcard(f"{prefix}:domain:site:80:leases") == 4
    # A page of a source keeps to that source's limit, robots or not.
    page = Request("http://site:80/a.html", meta={"fairwatch_source": "src"})
    for n in range(4, 8):
        assert lease.try_acquire("site:80", f"busy{n}", concurrency=8, delay=0) == 0
    with pytest.raises(TimeoutError):
        asyncio.run(asyncio.wait_for(mw.process_request(page), timeout=0.5))
