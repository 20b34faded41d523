"""Two delivery workers at once (the scheduler's loop and the end of a crawl) send each
alert once: a row is claimed by exactly one of them."""

from __future__ import annotations

import threading
from collections import Counter

from alerts import deliver_due, status_counts
from storage.db import Database
from tests.alerts.factories import finding, store


def test_parallel_workers_send_each_alert_once(db: Database, receiver, alerts_file) -> None:
    hook = receiver()
    _, config = alerts_file(
        f'channels:\n  hook: {{type: webhook, url: "{hook.url}/h"}}\n'
        "routes:\n  - {name: every-flag, channels: [hook]}\n"
    )
    for doc in range(8):
        store(db, config, url=f"https://www.gd.gov.cn/{doc}.html",
              findings=[finding(n) for n in range(3)])
    reports = []
    start = threading.Barrier(3)

    def work() -> None:
        start.wait(10)
        reports.append(deliver_due(db, config))

    workers = [threading.Thread(target=work) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert sum(r.sent for r in reports) == 24
    keys = Counter(r.headers["idempotency-key"] for r in hook.requests)
    assert len(keys) == 24 and set(keys.values()) == {1}
    assert status_counts(db) == {"sent": 24}
