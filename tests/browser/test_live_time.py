"""Live-room line times: clocks and offsets read from a line's `at`, placed on the watch's
time line; an `at` that is neither falls back to the poll's capture time and is counted.
And the increment's `live` media part, as the media stage reads it."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

import pytest

from crawlers.browser.capture import capture
from crawlers.live import Increment, LiveRoomWatch
from crawlers.live_time import WatchClock, parse_at
from media.captions import live_lines
from media.lines import for_analysis, join_lines
from tests.browser.test_components import HTML, RULES

# 20:00:00 local time: clocks on the page are the browser's (the machine's) local time.
STARTED = datetime(2026, 12, 4, 20, 0, 0).astimezone()


@pytest.mark.parametrize(
    ("at", "parsed"),
    [
        ("20:15", ("clock", 72900.0)),
        ("20:15:30", ("clock", 72930.0)),
        (" 08:00:01.25 ", ("clock", 28801.25)),
        ("+01:15", ("offset", 75.0)),
        ("+1:02:03", ("offset", 3723.0)),
        ("75", ("offset", 75.0)),
        ("75.5s", ("offset", 75.5)),
    ],
)
def test_clocks_and_offsets_are_read(at: str, parsed: tuple[str, float]) -> None:
    assert parse_at(at) == parsed


@pytest.mark.parametrize("at", ["", "昨天 20:15", "25:00", "12:61:00", "10:00:75", "+1:75",
                                "20h15", "-5", "1e3"])
def test_malformed_times_are_not_guessed(at: str) -> None:
    assert parse_at(at) is None


def test_clock_times_are_seconds_from_the_watch_start() -> None:
    clock = WatchClock(STARTED)
    seen = STARTED + timedelta(seconds=95)
    assert clock.place(["20:00:00", "20:01:30", "19:59:40.5"], seen) == [0.0, 90.0, -19.5]
    assert clock.estimated == 0


def test_clock_times_across_midnight_land_on_the_nearer_day() -> None:
    late = datetime(2026, 12, 4, 23, 59, 0).astimezone()
    clock = WatchClock(late)
    assert clock.place(["00:01:00", "23:58:30"], late + timedelta(minutes=3)) == [120.0, -30.0]


def test_offsets_are_tied_to_the_watch_by_its_first_poll() -> None:
    clock = WatchClock(STARTED)
    # The stream had run 10 minutes when the first poll, 2 s into the watch, saw its lines.
    first = clock.place(["+09:50", "+10:00"], STARTED + timedelta(seconds=2))
    assert first == [-8.0, 2.0]
    later = clock.place(["610.5", "+10:20"], STARTED + timedelta(seconds=25))
    assert later == [12.5, 22.0]


def test_a_malformed_at_takes_the_poll_time_and_is_counted(caplog) -> None:
    clock = WatchClock(STARTED, url="http://x/live")
    seen = STARTED + timedelta(seconds=42.5)
    with caplog.at_level(logging.WARNING, logger="crawlers.live_time"):
        times = clock.place(["刚刚", "20:00:30", "", "99:99"], seen)
    assert times == [42.5, 30.0, 42.5, 42.5]
    assert clock.estimated == 3
    warned = [r.getMessage() for r in caplog.records]
    assert len(warned) == 1 and "'刚刚'" in warned[0] and "http://x/live" in warned[0]


def test_watch_clock_needs_an_aware_start() -> None:
    with pytest.raises(ValueError, match="aware"):
        WatchClock(datetime(2026, 12, 4, 20, 0))


def test_increment_live_part_holds_timed_lines_of_three_kinds() -> None:
    watch = LiveRoomWatch(None, "http://x/live", RULES, poll_seconds=1, window_seconds=5)  # type: ignore[arg-type]
    watch.watch_clock = WatchClock(datetime(2026, 12, 4, 9, 59, 50).astimezone())
    cap = capture(HTML, "http://x/live", RULES)
    seen = watch.watch_clock.started + timedelta(seconds=12)
    part = watch.new_part(cap)
    assert part is not None
    inc = Increment(1, seen, part, b"", None, watch.timeline(part, seen))
    media = inc.media()
    assert media.media_type == "live" and media.url == "live:poll-1"
    items = json.loads(media.data)  # type: ignore[arg-type]
    # "10:00:00" is 10 s after the start; the unstamped line and the card at the poll, 12 s.
    # Each runs to the poll's capture, 12 s, which the page evidence of that poll shows.
    assert sorted((i["kind"], i["text"], i["time"], i["end"]) for i in items) == [
        ("card", "面霜 ¥99", 12.0, 12.0),
        ("danmaku", "666", 12.0, 12.0),
        ("transcript", "今天开播", 10.0, 12.0),
        ("transcript", "第二句", 12.0, 12.0),
    ]
    assert watch.watch_clock.estimated == 2
    lines = live_lines(media.data)  # type: ignore[arg-type]
    assert [(ln.origin, ln.start, ln.end) for ln in lines][0] == ("transcript", 10.0, 12.0)
    # Danmaku stay on the part but the ad analyzer reads them blanked, at the same offsets.
    stored, read = join_lines(lines)[0], join_lines(for_analysis(lines))[0]
    assert "666" in stored and "666" not in read and len(read) == len(stored)
    assert stored.index("666") < stored.index("面霜 ¥99") == read.index("面霜 ¥99")
    # A card pinned later is timed when it first appears; one already seen is not repeated.
    grown = HTML.replace('<ul><li class="c">', '<div class="card"><span class="name">降糖茶'
                         '</span><a href="/p/2">买</a></div><ul><li class="c">')
    later = watch.new_part(capture(grown, "http://x/live", RULES))
    assert later is not None and [p.name for p in later.products] == ["降糖茶"]
    assert watch.timeline(later, seen + timedelta(seconds=30)) == [
        {"time": 42.0, "end": 42.0, "text": "降糖茶", "kind": "card"}]
