"""Acceptance 1 (live rooms): a room is watched over a window; each poll stores only the
lines that are new, and each increment is analyzed as it is stored, so a breach spoken
after the first poll is flagged while the room is still being watched."""

from __future__ import annotations

import uuid

import pytest

from crawlers.browser.rules import LiveWindow
from storage import repository
from storage.db import Database
from tests.browser.harness import run_crawl
from tests.site.platform.content import PLANTED

pytestmark = pytest.mark.browser

TICK = 1.5  # seconds between two lines of the fixture room; breaches come at ticks 2 and 3


def test_live_room_increments_are_flagged_while_the_stream_is_on(
    ad_source, platform_site: str, tmp_path
) -> None:
    room = f"{platform_site}/platform/live/room-5?session={uuid.uuid4().hex}&tick={TICK}"
    shipped = ad_source("ad_live")
    window = LiveWindow(poll_seconds=1.0, window_minutes=0.15, line_id="data-seq")
    source = shipped.model_copy(
        update={"start_urls": (room,), "ad": shipped.ad.model_copy(update={"live": window})}
    )
    seen_at_arrival: list[tuple[int, bool]] = []  # (poll, analyzed and flagged on arrival)
    db_path = tmp_path / "fairwatch.db"

    def on_item(record) -> None:
        db = Database(db_path)
        try:
            doc = repository.list_documents(db, kind="ad", limit=5).items[0]
            versions = repository.show_document(db, doc.id).versions
            mine = [v for v in versions if v.body == record.body]
            flagged = bool(mine) and any(f.grade in ("明显违反", "疑似") for f in mine[-1].findings)
            seen_at_arrival.append((record.metadata["live_poll"], flagged))
        finally:
            db.close()

    outcome = run_crawl([source], tmp_path, on_item=on_item)
    increments = outcome.items
    assert len(increments) >= 3, [r.metadata["live_poll"] for r in increments]

    # Only new lines in each increment: no line is stored twice, and later polls hold
    # lines that appeared after the first poll.
    keys = [line["key"] for r in increments for line in r.metadata["transcript"]]
    assert len(keys) == len(set(keys))
    first_max = max(int(line["key"]) for line in increments[0].metadata["transcript"])
    later = [r for r in increments[1:] if r.metadata["transcript"]]
    assert later and all(
        int(line["key"]) > first_max for r in later for line in r.metadata["transcript"]
    )

    # The planted breaches were spoken after the first poll and flagged in their increment.
    db = Database(db_path)
    try:
        doc = repository.list_documents(db, kind="ad", limit=5).items[0]
        detail = repository.show_document(db, doc.id)
        assert len(detail.versions) == len(increments)  # one version per increment
        for phrase, standards in PLANTED["/platform/live/room-5"].items():
            holders = [v for v in detail.versions if phrase in v.body]
            assert holders, f"{phrase!r} never captured"
            version = holders[0]
            assert version.number > 1, f"{phrase!r} was already there at the first poll"
            hits = [f for f in version.findings if phrase in f.quote]
            assert {f.standard for f in hits} & standards, (phrase, version.findings)
            assert version.metadata["live_poll"] > 1
            assert version.screenshot_path is None and version.has_screenshot
        run = repository.get_run(db, outcome.runs["ad_live"])
        assert run.status == "succeeded", (run.reason, run.errors)
    finally:
        db.close()

    # Analyzed as stored: the first flagged increment was already flagged when it reached
    # the test, and more increments followed it, so the stream was still being watched.
    flagged_polls = [poll for poll, flagged in seen_at_arrival if flagged]
    assert flagged_polls, seen_at_arrival
    assert flagged_polls[0] < seen_at_arrival[-1][0]
    stats = outcome.stats["ad_live"]
    assert stats["fairwatch/ad/live_increments"] == len(increments)
