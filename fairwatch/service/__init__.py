"""`fairwatch run`: the long-running service that crawls every enabled source on schedule.

    scheduler.py  the Service: leader lease, APScheduler with its jobs in the database,
                  signals (SIGHUP reloads sources, SIGTERM stops cleanly), --for
    triggers.py   a source's schedule as an APScheduler trigger, and its fingerprint
    lease.py      the leader lease, renewed by the leader, taken over by a standby
    runner.py     each crawl in a child process, with a timeout
    liveness.py   whether the process that started a run is still alive
    health.py     per-source health from its run history, and the detectors
    jobs.py       the job function the job store names

Documented in README.md, "Running unattended".
"""

from fairwatch.service.scheduler import Service

__all__ = ["Service"]
