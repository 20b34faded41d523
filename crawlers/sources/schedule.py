"""When a source is crawled: the `schedule:` of a source file.

    schedule: "0 8 * * 1-5"              # cron: minute hour day month weekday (crontab)
    schedule: "*/20 * * * * *"           # six fields: seconds first
    schedule:
      cron: "0 8 * * 1-5"                # or  every: 6h  (s, m, h, d; or a number of seconds)
      jitter: 300                        # fire up to this many seconds late, at random
      window: "07:00-22:00"              # only inside these hours (may cross midnight)
      timezone: Asia/Shanghai            # default: the service_timezone setting

Weekdays follow crontab (0 or 7 = Sunday, 1 = Monday); `cron_fields` translates them to
names because APScheduler 3 numbers weekdays from Monday = 0. Checked here without
APScheduler, so `fairwatch config check` reports a bad schedule with its file and line.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

FIELD = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?$")
# name, lowest, highest of each crontab field, seconds first when there are six
BOUNDS = {
    "second": (0, 59),
    "minute": (0, 59),
    "hour": (0, 23),
    "day": (1, 31),
    "month": (1, 12),
    "day_of_week": (0, 7),
}
WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
UNIT = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
WINDOW = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


def cron_fields(expr: str) -> dict[str, str]:
    """APScheduler CronTrigger keyword arguments for a 5- or 6-field crontab expression.

    Raises ValueError naming the field that is wrong.
    """
    parts = expr.split()
    if len(parts) not in (5, 6):
        raise ValueError(
            "expected a 5-field cron expression like '0 6 * * *' (or 6 fields, seconds "
            f"first), received {expr!r}"
        )
    names = list(BOUNDS)[1:] if len(parts) == 5 else list(BOUNDS)
    fields: dict[str, str] = {}
    for name, part in zip(names, parts, strict=True):
        low, high = BOUNDS[name]
        values = []
        for item in part.split(","):
            match = FIELD.match(item)
            if not match:
                raise ValueError(f"cron field {name} {part!r} in {expr!r} is not valid")
            numbers = [int(n) for n in re.findall(r"\d+", match.group(1))]
            if any(not low <= n <= high for n in numbers):
                raise ValueError(
                    f"cron field {name} {part!r} in {expr!r}: values must be {low}-{high}"
                )
            values.append(item)
        fields[name] = part
        if name == "day_of_week" and part != "*":
            fields[name] = _weekday_names(part)
    if "second" not in fields:
        fields["second"] = "0"
    return fields


def _weekday_names(part: str) -> str:
    days: set[int] = set()
    for item in part.split(","):
        body, _, step = item.partition("/")
        if body == "*":
            start, end = 0, 6
        elif "-" in body:
            start, end = (int(x) for x in body.split("-"))
        else:
            start = end = int(body)
        days.update(d % 7 for d in range(start, end + 1, int(step or 1)))
    return ",".join(WEEKDAYS[d] for d in sorted(days))


def parse_every(value: Any) -> float:
    """Seconds of an interval given as a number or as '30s', '15m', '6h', '1d'."""
    if isinstance(value, bool):
        raise ValueError(f"expected seconds or a duration like '6h', received {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = EVERY.match(str(value))
        if not match:
            raise ValueError(f"expected seconds or a duration like '30s', '6h', received {value!r}")
        seconds = float(match.group(1)) * UNIT[match.group(2)]
    if seconds < 1:
        raise ValueError(f"interval must be at least 1 second, received {value!r}")
    return seconds


class Schedule(BaseModel):
    """A cron or interval schedule with optional jitter, time window and time zone."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cron: str | None = Field(None, description="Crontab expression, 5 fields or 6 (seconds).")
    every: float | None = Field(None, description="Interval: seconds, or '30s', '15m', '6h'.")
    jitter: float = Field(0, ge=0, le=86400, description="Random delay up to this many seconds.")
    window: str | None = Field(None, description="Only fire between HH:MM-HH:MM (local time).")
    timezone: str | None = Field(None, description="IANA zone; default service_timezone.")

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is not None:
            cron_fields(value)
        return value

    @field_validator("every", mode="before")
    @classmethod
    def _every(cls, value: Any) -> float | None:
        return None if value is None else parse_every(value)

    @field_validator("window")
    @classmethod
    def _window(cls, value: str | None) -> str | None:
        if value is not None:
            parse_window(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Shanghai)") from exc
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> Schedule:
        if (self.cron is None) == (self.every is None):
            raise ValueError("give exactly one of cron or every")
        return self

    def describe(self) -> str:
        """One line for tables: 'cron 0 8 * * 1-5 ±300s 07:00-22:00'."""
        text = f"cron {self.cron}" if self.cron else f"every {self.every:g}s"
        if self.jitter:
            text += f" ±{self.jitter:g}s"
        if self.window:
            text += f" {self.window}"
        if self.timezone:
            text += f" {self.timezone}"
        return text


def parse_window(value: str) -> tuple[time, time]:
    match = WINDOW.match(value.strip())
    if not match:
        raise ValueError(f"expected a window like '07:00-22:00', received {value!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise ValueError(f"window {value!r}: hours must be 0-23 and minutes 0-59")
    if (h1, m1) == (h2, m2):
        raise ValueError(f"window {value!r} is empty: start and end are the same")
    return time(h1, m1), time(h2, m2)


def in_window(window: str | None, local: time) -> bool:
    """True when local time-of-day lies inside the window (which may cross midnight)."""
    if window is None:
        return True
    start, end = parse_window(window)
    if start < end:
        return start <= local < end
    return local >= start or local < end
