"""Watching a live room: poll the open page every N seconds over a window of M minutes.

The room's page stays open (its scripts keep appending transcript lines and danmaku);
each poll reads the rendered DOM, keeps only the lines not seen before (identified by the
source's `line_id` attribute, else position and text) and hands them on as an Increment.
The spider turns each increment into a document version, so the ad analyzer runs on it
while the stream is still on. Polls with nothing new yield nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from crawlers.browser.capture import Capture, capture
from crawlers.browser.rules import AdRules

__all__ = ["Increment", "LiveRoomWatch"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Increment:
    poll: int  # 1-based number of the poll that found these lines
    at: datetime
    capture: Capture  # transcript and danmaku hold only the new lines
    html: bytes
    screenshot: bytes | None

    @property
    def new_lines(self) -> int:
        return len(self.capture.transcript) + len(self.capture.danmaku)


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

    def new_part(self, cap: Capture) -> Capture | None:
        """The capture reduced to lines not seen before, or None when nothing is new."""
        transcript = [line for line in cap.transcript if f"t:{line.key}" not in self.seen]
        danmaku = [line for line in cap.danmaku if f"d:{line.key}" not in self.seen]
        if not transcript and not danmaku:
            return None
        first = not self.seen
        self.seen.update(f"t:{line.key}" for line in transcript)
        self.seen.update(f"d:{line.key}" for line in danmaku)
        # Product cards go into the first increment's text only; later ones carry the new lines.
        return replace(
            cap,
            transcript=transcript,
            danmaku=danmaku,
            comments=[],
            products=cap.products if first else [],
        )

    async def increments(self) -> AsyncIterator[Increment]:
        deadline = self.clock() + self.window_seconds
        while True:
            self.polls += 1
            html = await self.page.content()
            part = self.new_part(capture(html, self.url, self.rules))
            if part is not None:
                shot = await self.page.screenshot(type="png") if self.screenshot else None
                logger.info(
                    "live room %s poll %d: %d new line(s)",
                    self.url,
                    self.polls,
                    len(part.transcript) + len(part.danmaku),
                )
                yield Increment(self.polls, datetime.now(UTC), part, html.encode("utf-8"), shot)
            if self.clock() + self.poll_seconds > deadline:
                break
            # The poll interval, not a wait for content: the room is read again after it.
            await asyncio.sleep(self.poll_seconds)

    async def close(self) -> None:
        with suppress(PlaywrightError):
            await self.page.close()
