"""A source's schedule as an APScheduler 3 trigger, and a fingerprint to compare schedules.

The fingerprint is stored with the job: on start-up and on SIGHUP a job whose source
schedule is unchanged is left alone (its next run time, and so any missed run, kept); a
changed schedule replaces the job.
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from crawlers.sources.schedule import Schedule, cron_fields


def zone_of(schedule: Schedule, default_zone: str) -> ZoneInfo:
    return ZoneInfo(schedule.timezone or default_zone)


def build_trigger(schedule: Schedule, default_zone: str) -> BaseTrigger:
    zone = zone_of(schedule, default_zone)
    jitter = int(schedule.jitter) or None
    if schedule.cron is not None:
        return CronTrigger(timezone=zone, jitter=jitter, **cron_fields(schedule.cron))
    assert schedule.every is not None
    return IntervalTrigger(seconds=schedule.every, timezone=zone, jitter=jitter)


def fingerprint(schedule: Schedule, default_zone: str) -> str:
    data = schedule.model_dump(mode="json")
    data["timezone"] = schedule.timezone or default_zone
    return json.dumps(data, sort_keys=True)


def next_fire_time(schedule: Schedule, default_zone: str, now: datetime) -> datetime | None:
    """When the schedule fires next after now (without jitter), for the status table."""
    trigger = build_trigger(schedule.model_copy(update={"jitter": 0}), default_zone)
    return trigger.get_next_fire_time(None, now)
