"""When a live-room line was said, in seconds from the start of the watch.

Rooms stamp their lines (the `at` of a Line) in one of two ways, and a third covers the rest:

- a clock, `HH:MM` or `HH:MM:SS[.fff]`: the time of day shown in the room, in the local
  time zone of the browser (the machine's). It is placed on the watch's date, or the day
  before or after when that is nearer (a watch across midnight).
- an offset, `+MM:SS`, `+HH:MM:SS[.fff]` or a number of seconds (`75`, `75.5s`): time since
  the stream began. The watch began part-way through the stream, so the offsets are tied
  to it by the first poll that carries any: its latest line is taken as said at that poll.
- anything else (empty, `昨天`, `25:99`): the poll's capture time, so a line is never
  later than when it was seen. Such lines are counted in `estimated`.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

__all__ = ["WatchClock", "parse_at"]

logger = logging.getLogger(__name__)

_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?")
_OFFSET_HMS = re.compile(r"\+(?:(\d+):)?(\d{1,2}):(\d{2}(?:\.\d+)?)")
_OFFSET_SECONDS = re.compile(r"\+?(\d+(?:\.\d+)?)s?")
_HALF_DAY = 12 * 3600.0


def parse_at(at: str) -> tuple[str, float] | None:
    """("clock", seconds after midnight) or ("offset", seconds since the stream began);
    None when `at` is neither."""
    at = at.strip()
    if m := _CLOCK.fullmatch(at):
        hours, minutes, secs = int(m[1]), int(m[2]), float(m[3] or 0)
        if hours < 24 and minutes < 60 and secs < 60:
            return "clock", hours * 3600 + minutes * 60 + secs
        return None
    if m := _OFFSET_HMS.fullmatch(at):
        hours, minutes, secs = int(m[1] or 0), int(m[2]), float(m[3])
        if minutes < 60 and secs < 60:
            return "offset", hours * 3600 + minutes * 60 + secs
        return None
    if m := _OFFSET_SECONDS.fullmatch(at):
        return "offset", float(m[1])
    return None


class WatchClock:
    """Places each poll's lines on the watch's time line (seconds from `started`)."""

    def __init__(self, started: datetime, *, url: str = "") -> None:
        if started.tzinfo is None:
            raise ValueError("the watch's start must be an aware datetime")
        self.started = started
        self.url = url
        self.stream_offset: float | None = None  # the stream's offset when the watch began
        self.estimated = 0  # lines whose `at` could not be read

    def elapsed(self, seen: datetime) -> float:
        return round((seen - self.started).total_seconds(), 3)

    def place(self, ats: list[str], seen: datetime) -> list[float]:
        """The watch time of each `at` of one poll captured at `seen`."""
        parsed = [parse_at(at) for at in ats]
        offsets = [value for p in parsed if p and p[0] == "offset" for value in (p[1],)]
        if self.stream_offset is None and offsets:
            self.stream_offset = max(offsets) - self.elapsed(seen)
        out = []
        for at, p in zip(ats, parsed, strict=True):
            if p is None:
                if not self.estimated:
                    logger.warning("live room %s: line time %r is not a clock or an offset; "
                                   "using the poll's capture time", self.url, at)
                self.estimated += 1
                out.append(self.elapsed(seen))
            elif p[0] == "clock":
                out.append(self._clock(p[1]))
            else:
                assert self.stream_offset is not None  # set above from this poll's offsets
                out.append(round(p[1] - self.stream_offset, 3))
        return out

    def _clock(self, of_day: float) -> float:
        local = self.started.astimezone()
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        delta = (midnight + timedelta(seconds=of_day) - local).total_seconds()
        if delta < -_HALF_DAY:
            delta += 2 * _HALF_DAY
        elif delta > _HALF_DAY:
            delta -= 2 * _HALF_DAY
        return round(delta, 3)
