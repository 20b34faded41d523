"""Watching a live room: poll the open page every N seconds over a window of M minutes.

The room's page stays open (its scripts keep appending transcript lines and danmaku);
each poll reads the rendered DOM, keeps only the lines not seen before (identified by the
source's `line_id` attribute, else position and text) and hands them on as an Increment.
The spider turns each increment into a document version, so the ad analyzer runs on it
while the stream is still on. Polls with nothing new yield nothing.

Each increment also carries its new lines as a `live` media part: a JSON list of
{"time", "end", "text", "kind": "transcript" | "danmaku" | "card"} in seconds from the
start of the watch (crawlers.live_time): from when a line was said to when the poll
captured it, so the media stage's findings on them carry that time range.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from crawlers.browser.capture import Capture, Product, capture
from crawlers.browser.rules import AdRules
from crawlers.live_time import WatchClock
from storage.records import MediaRecord

__all__ = ["Increment", "LiveRoomWatch"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Increment:
    poll: int  # 1-based number of the poll that found these lines
    at: datetime
    capture: Capture  # transcript and danmaku hold only the new lines
    html: bytes
    screenshot: bytes | None
    # The new lines and cards on the watch's time line, as the `live` media type reads them.
    timeline: list[dict[str, object]]

    @property
    def new_lines(self) -> int:
        return len(self.capture.transcript) + len(self.capture.danmaku)

    def media(self) -> MediaRecord:
        """The increment's timed lines as an inline `live` media part."""
        data = json.dumps(self.timeline, ensure_ascii=False).encode("utf-8")
        return MediaRecord(url=f"live:poll-{self.poll}", media_type="live", data=data)


def _card_key(product: Product) -> str:
    return f"c:{product.name}|{product.price}|{product.link}"


def _card_text(product: Product) -> str:
    return " ".join(v for v in (product.name, product.price) if v)


class LiveRoomWatch:
    def __init__(
        self,
        page: Page,
        url: str,
        rules: AdRules,
        *,
        poll_seconds: float,
        window_seconds: float,
        screenshot: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if poll_seconds <= 0 or window_seconds <= 0:
            raise ValueError(
                f"poll ({poll_seconds}) and window ({window_seconds}) must be positive seconds"
            )
        self.page = page
        self.url = url
        self.rules = rules
        self.poll_seconds = poll_seconds
        self.window_seconds = window_seconds
        self.screenshot = screenshot
        self.clock = clock
        self.seen: set[str] = set()
        self.polls = 0
        self.watch_clock = WatchClock(datetime.now(UTC), url=url)

    def new_part(self, cap: Capture) -> Capture | None:
        """The capture reduced to lines not seen before, or None when nothing is new."""
        transcript = [line for line in cap.transcript if f"t:{line.key}" not in self.seen]
        danmaku = [line for line in cap.danmaku if f"d:{line.key}" not in self.seen]
        # A product card goes into the increment that first shows it, so a card pinned
        # later in the stream is timed when it appeared.
        products = [p for p in cap.products if _card_key(p) not in self.seen]
        if not transcript and not danmaku and not products:
            return None
        self.seen.update(f"t:{line.key}" for line in transcript)
        self.seen.update(f"d:{line.key}" for line in danmaku)
        self.seen.update(_card_key(p) for p in products)
        return replace(
            cap,
            transcript=transcript,
            danmaku=danmaku,
            comments=[],
            products=products,
        )

    def timeline(self, part: Capture, seen: datetime) -> list[dict[str, object]]:
        """The part's lines and cards, each with its time from the start of the watch."""
        kinds = [("transcript", line) for line in part.transcript]
        kinds += [("danmaku", line) for line in part.danmaku]
        times = self.watch_clock.place([line.at for _, line in kinds], seen)
        polled = self.watch_clock.elapsed(seen)
        # A line runs from when it was said to when this poll captured it: the page
        # evidence of that poll shows it.
        out: list[dict[str, object]] = [
            {"time": t, "end": max(t, polled), "text": line.text, "kind": kind}
            for (kind, line), t in zip(kinds, times, strict=True)
        ]
        # Cards carry no time of their own: they were on screen when the poll saw them.
        out += [{"time": polled, "end": polled, "text": _card_text(p), "kind": "card"}
                for p in part.products if _card_text(p)]
        return out

    async def increments(self) -> AsyncIterator[Increment]:
        deadline = self.clock() + self.window_seconds
        self.watch_clock = WatchClock(datetime.now(UTC), url=self.url)
        while True:
            self.polls += 1
            html = await self.page.content()
            seen = datetime.now(UTC)
            part = self.new_part(capture(html, self.url, self.rules))
            if part is not None:
                shot = await self.page.screenshot(type="png") if self.screenshot else None
                logger.info(
                    "live room %s poll %d: %d new line(s)",
                    self.url,
                    self.polls,
                    len(part.transcript) + len(part.danmaku),
                )
                yield Increment(self.polls, seen, part, html.encode("utf-8"), shot,
                                self.timeline(part, seen))
            if self.clock() + self.poll_seconds > deadline:
                break
            # The poll interval, not a wait for content: the room is read again after it.
            await asyncio.sleep(self.poll_seconds)

    async def close(self) -> None:
        with suppress(PlaywrightError):
            await self.page.close()
