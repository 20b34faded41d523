"""The `fairwatch run` service: schedule every enabled source, one leader at a time.

APScheduler 3 (BackgroundScheduler) keeps one job per enabled source in the project
database (SQLAlchemyJobStore, table `apscheduler_jobs`). Job defaults, chosen explicitly
because APScheduler's own (misfire grace 1 s) silently skip runs:

- misfire_grace_time = service_misfire_grace (default 3600 s): a run that could not start
  on time (service down, workers busy) still starts if no later than that; later, it is
  reported as missed (operator alert `run_missed`) instead of run;
- coalesce = service_coalesce (default true): several missed times of one source give
  one run, not a burst;
- max_instances = 1: a source never has two crawls at once; a run that comes due while
  the previous one still runs is reported as missed.

Only the holder of the leader lease starts its scheduler; a standby waits, retrying the
lease, and takes over once the leader stops renewing it. SIGHUP reloads the source files
(jobs of unchanged schedules are kept, changed ones replaced, removed or disabled sources
dropped); the leader delivers due alerts every service_alerts_interval seconds on its own
thread, so a slow channel never delays a lease renewal; SIGTERM or SIGINT stops
scheduling, gives running crawls service_stop_grace seconds, then stops them, and exits 0;
`run(for_seconds=...)` stops the same way.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from datetime import datetime
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from alerts import DeliveryPolicy, config_from_settings, deliver_due
from crawlers.sources import SourceConfig, load_sources
from crawlers.sources.schedule import in_window
from fairwatch.app import open_database
from fairwatch.operator import notify_operator
from fairwatch.service import jobs
from fairwatch.service.health import check_source
from fairwatch.service.lease import LeaderLease
from fairwatch.service.liveness import close_dead_runs
from fairwatch.service.runner import CrawlRunner
from fairwatch.service.triggers import build_trigger, fingerprint, zone_of
from fairwatch.settings import Settings
from storage.db import Database

logger = logging.getLogger(__name__)

JOBS_TABLE = "apscheduler_jobs"
JOB_PREFIX = "crawl:"


def job_id(source_id: str) -> str:
    return f"{JOB_PREFIX}{source_id}"


class Service:
    def __init__(self, settings: Settings, *, db: Database | None = None) -> None:
        self.settings = settings
        self.db = db or open_database(settings)
        self.lease = LeaderLease(self.db, seconds=settings.service_lease_seconds)
        self.runner = CrawlRunner(
            self.db,
            timeout=settings.service_crawl_timeout,
            distributed=settings.crawl_distributed,
        )
        # Loaded now: a broken alerts file stops the service at start, naming the problem.
        self.alerts = config_from_settings(settings)
        self._delivery: threading.Thread | None = None
        self.sources: dict[str, SourceConfig] = {}
        self.scheduler: BackgroundScheduler | None = None
        self.leader = False
        self._stop = threading.Event()
        self._reload = threading.Event()
        self.exit_code = 0

    # -- scheduler ----------------------------------------------------------------------
    def job_defaults(self) -> dict[str, Any]:
        return {
            "misfire_grace_time": int(self.settings.service_misfire_grace),
            "coalesce": self.settings.service_coalesce,
            "max_instances": 1,
        }

    def _new_scheduler(self) -> BackgroundScheduler:
        scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.db.engine, tablename=JOBS_TABLE)},
            executors={"default": ThreadPoolExecutor(self.settings.service_max_crawls)},
            job_defaults=self.job_defaults(),
            timezone=self.settings.service_timezone,
        )
        scheduler.add_listener(
            self._on_event, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES | EVENT_JOB_ERROR
        )
        return scheduler

    def load_sources(self) -> dict[str, SourceConfig]:
        """The enabled, valid sources; a broken file is logged (and alerted) and left out."""
        found = load_sources(self.settings.sources_dir)
        for problem in found.problems:
            logger.error("source file problem: %s", problem)
            notify_operator(
                self.db,
                kind="source_config_error",
                message=str(problem),
                dedup_key=f"source_config_error:{problem}",
            )
        chosen = {}
        for source_id in found.sources:
            source = found.sources[source_id]
            if not source.enabled:
                logger.info("source %s is disabled (enabled: false); not scheduled", source_id)
                continue
            chosen[source_id] = found.get(source_id, site=self.settings.crawl_site_url)
        return chosen

    def reconcile(self) -> None:
        """Make the job store hold exactly one job per enabled source, with its schedule."""
        assert self.scheduler is not None
        zone = self.settings.service_timezone
        existing = {j.id: j for j in self.scheduler.get_jobs() if j.id.startswith(JOB_PREFIX)}
        kept = added = 0
        for source_id, source in self.sources.items():
            print_ = fingerprint(source.schedule, zone)
            job = existing.pop(job_id(source_id), None)
            if job is not None and job.kwargs.get("schedule") == print_:
                kept += 1
                continue
            if job is not None:
                job.remove()
            self.scheduler.add_job(
                jobs.JOB_FUNC,
                trigger=build_trigger(source.schedule, zone),
                id=job_id(source_id),
                name=f"crawl {source_id}",
                kwargs={"source_id": source_id, "schedule": print_},
                replace_existing=True,
            )
            added += 1
        for job in existing.values():
            logger.info("source of job %s is gone or disabled; job removed", job.id)
            job.remove()
        logger.info(
            "scheduled %d source(s): %d kept, %d new or changed, %d removed",
            len(self.sources),
            kept,
            added,
            len(existing),
        )
        for job in self.scheduler.get_jobs():
            logger.info("  %s next at %s", job.id, job.next_run_time)

    # -- jobs -----------------------------------------------------------------------------
    def run_job(self, source_id: str) -> None:
        """Called on an executor thread when a source's job fires."""
        source = self.sources.get(source_id)
        if source is None:
            logger.warning("job for %s fired but the source is no longer configured", source_id)
            return
        if self._stop.is_set() or not self.lease.held:
            logger.warning("not crawling %s: the service is stopping or lost its lease", source_id)
            return
        local = datetime.now(zone_of(source.schedule, self.settings.service_timezone))
        if not in_window(source.schedule.window, local.time()):
            logger.info(
                "%s: %s is outside its window %s; run skipped",
                source_id,
                local.strftime("%H:%M"),
                source.schedule.window,
            )
            return
        result = self.runner.crawl(source_id)
        if result.timed_out:
            notify_operator(
                self.db,
                kind="run_timed_out",
                source_id=source_id,
                message=f"{source_id}: crawl killed after its time limit of "
                f"{self.settings.service_crawl_timeout:g}s",
                details={"seconds": round(result.seconds, 1)},
            )
        logger.info(
            "crawl of %s ended (exit %s) after %.1fs", source_id, result.returncode, result.seconds
        )
        try:
            check_source(self.db, source_id, self.settings)
        except Exception:  # health is advisory; never let it break the schedule
            logger.exception("health check of %s failed", source_id)

    def _on_event(self, event: JobEvent) -> None:
        source_id = event.job_id.removeprefix(JOB_PREFIX)
        if event.code == EVENT_JOB_ERROR:
            logger.error("job %s raised: %s", event.job_id, getattr(event, "exception", None))
            return
        times = getattr(event, "scheduled_run_times", None) or [
            getattr(event, "scheduled_run_time", None)
        ]
        when = ", ".join(t.isoformat() for t in times if t is not None)
        why = (
            "the previous run was still going"
            if event.code == EVENT_JOB_MAX_INSTANCES
            else f"it was due more than {self.settings.service_misfire_grace:g}s ago "
            "(service stopped or busy)"
        )
        # A run skipped because the previous one still runs recurs at every tick of a
        # too-tight schedule: one alert per source and hour says it without flooding.
        busy = event.code == EVENT_JOB_MAX_INSTANCES
        key = (
            f"run_missed:busy:{source_id}:{datetime.now().strftime('%Y-%m-%dT%H')}"
            if busy
            else f"run_missed:{source_id}:{when}"
        )
        notify_operator(
            self.db,
            kind="run_missed",
            source_id=source_id,
            message=f"{source_id}: scheduled run at {when} did not run: {why}",
            dedup_key=key,
            details={"scheduled": when, "reason": why},
        )

    # -- alerts ---------------------------------------------------------------------------
    def _deliver_loop(self) -> None:
        policy = DeliveryPolicy.from_settings(self.settings)
        while not self._stop.wait(self.settings.service_alerts_interval):
            if self.leader:
                self.deliver_alerts(policy)

    def deliver_alerts(self, policy: DeliveryPolicy | None = None) -> None:
        """One delivery pass; a failure is logged and the next pass tries again."""
        try:
            report = deliver_due(
                self.db, self.alerts, policy=policy or DeliveryPolicy.from_settings(self.settings)
            )
        except Exception:  # delivery must never stop the schedule
            logger.exception("alert delivery failed; the next pass retries")
            return
        if report.sent or report.retried or report.failed:
            logger.info(report.summary())

    # -- the main loop --------------------------------------------------------------------
    def request_stop(self, *_: Any) -> None:
        self._stop.set()

    def request_reload(self, *_: Any) -> None:
        self._reload.set()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        signal.signal(signal.SIGHUP, self.request_reload)

    def run(self, *, for_seconds: float | None = None) -> int:
        """Serve until stopped (signal, `for_seconds`, lost database); returns the exit code."""
        jobs.bind(self)
        deadline = time.monotonic() + for_seconds if for_seconds else None
        self.sources = self.load_sources()
        closed = close_dead_runs(self.db)
        logger.info(
            "fairwatch run %s: %d enabled source(s), %d run(s) of dead processes marked "
            "interrupted; job defaults %s, time zone %s",
            self.lease.holder,
            len(self.sources),
            len(closed),
            self.job_defaults(),
            self.settings.service_timezone,
        )
        self._delivery = threading.Thread(
            target=self._deliver_loop, name="alert-delivery", daemon=True
        )
        self._delivery.start()
        try:
            while not self._stop.is_set():
                self._tick()
                wait = self.settings.service_lease_renew
                if deadline is not None:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        logger.info("--for time is up; stopping")
                        break
                    wait = min(wait, left)
                self._stop.wait(wait)
        finally:
            self._shutdown()
            jobs.bind(None)
        return self.exit_code

    def _tick(self) -> None:
        if self._reload.is_set():
            self._reload.clear()
            logger.info("SIGHUP: reloading source files from %s", self.settings.sources_dir)
            self.sources = self.load_sources()
            if self.leader:
                self.reconcile()
        if self.lease.try_acquire():
            if not self.leader:
                self._become_leader()
        elif self.leader and not self.lease.held:
            self._step_down()

    def _become_leader(self) -> None:
        logger.info("%s is now the leader; scheduling starts", self.lease.holder)
        self.leader = True
        # Runs of dead processes on this host (the previous leader, a crashed crawl).
        close_dead_runs(self.db)
        if self.scheduler is None:
            self.scheduler = self._new_scheduler()
            self.scheduler.start(paused=True)
        self.reconcile()
        self.scheduler.resume()

    def _step_down(self) -> None:
        logger.error(
            "%s could not renew the leader lease in time; it stops scheduling and its crawls "
            "so that the new leader runs alone",
            self.lease.holder,
        )
        self.leader = False
        if self.scheduler is not None:
            self.scheduler.pause()
        self.runner.stop_all(for_good=False)
        notify_operator(
            self.db,
            kind="leader_lost",
            message=f"{self.lease.holder} lost the leader lease (database unreachable or slow)",
        )

    def _shutdown(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.pause()  # no new runs from here on
        running = self.runner.running()
        if running:
            grace = self.settings.service_stop_grace
            logger.info("stopping: waiting up to %gs for %d running crawl(s)", grace, running)
            if not self.runner.wait_all(grace):
                logger.warning("grace period over; stopping the crawls still running")
        self.runner.stop_all()  # and start none: a job firing now finds the service stopping
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        self._stop.set()
        if self._delivery is not None:
            self._delivery.join(30)
        if self.leader:
            self.deliver_alerts()  # what the last crawls queued goes out before exiting
            self.lease.release()
            self.leader = False
        logger.info("fairwatch run stopped")
