"""Distributed crawling: one request queue, duplicate filter and politeness in Redis.

`queue.RedisQueue` holds the shared frontier, `frontier.RedisFrontier` is the spider's
`Frontier` over it, `scheduler.RedisScheduler` feeds a worker's engine from it,
`politeness.DomainLeaseMiddleware` keeps per-domain concurrency and delay across workers
and `spider.WorkerSpider` runs the pages of any source. `fairwatch.distributed` wires them.
"""
