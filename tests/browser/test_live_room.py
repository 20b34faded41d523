"""Acceptance 1 (live rooms): a room is watched over a window; each poll stores only the
lines that are new, and each increment is analyzed as it is stored, so a breach spoken
after the first poll is flagged while the room is still being watched."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

import pytest

from crawlers.browser.rules import LiveWindow
from storage import repository
from storage.db import Database
from tests.browser.harness import run_crawl
from tests.site.platform.content import PLANTED

pytestmark = pytest.mark.browser


def _clock_seconds(at: str, started: float) -> float:
    """The fixture room's "HH:MM:SS" (local time) as seconds from the watch's start."""
    day = datetime.fromtimestamp(started).date()
    stamps = [datetime.combine(day + timedelta(days=d), time.fromisoformat(at)).timestamp()
              for d in (-1, 0, 1)]
    return min((s - started for s in stamps), key=abs)

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


def test_live_room_lines_are_timed_and_danmaku_kept_out_of_findings(
    ad_source, platform_site: str, tmp_path
) -> None:
    """Each increment stores its new transcript lines, danmaku and cards as a `live` media
    part timed from the watch's start; the media stage's findings on the anchor's words
    carry that time range, and a viewer's "真的包过吗" is stored but never flagged."""
    from fairwatch.app import analyzer_lookup
    from fairwatch.media_stage import MediaStage

    room = f"{platform_site}/platform/live/room-5?session={uuid.uuid4().hex}&tick={TICK}"
    shipped = ad_source("ad_live")
    window = LiveWindow(poll_seconds=1.0, window_minutes=0.12, line_id="data-seq")
    ad = shipped.ad.model_copy(update={"live": window, "screenshot": False})
    source = shipped.model_copy(update={"start_urls": (room,), "ad": ad})
    outcome = run_crawl([source], tmp_path)
    increments = outcome.items
    assert len(increments) >= 3, [r.metadata["live_poll"] for r in increments]
    assert "fairwatch/ad/live_times_estimated" not in outcome.stats["ad_live"]

    db = Database(tmp_path / "fairwatch.db")
    try:
        stats = MediaStage(db, analyzer_for=analyzer_lookup(), workers=1).run()
        assert (stats.documents, stats.parts_failed) == (len(increments), 0), stats
        (doc,) = repository.list_documents(db, kind="ad", limit=5).items
        versions = repository.show_document(db, doc.id).versions
        assert len(versions) == len(increments)
        parts = {}
        for version in versions:
            (part,) = repository.media_parts(db, version.id)
            assert (part.media_type, part.status, part.url) == (
                "live", "done", f"live:poll-{version.metadata['live_poll']}")
            parts[version.number] = part
        # The first poll's cards are on screen when it was captured: that is the watch's
        # time of the first poll, so the watch began at its capture time minus that.
        (card,) = [ln for ln in parts[1].lines if ln["origin"] == "card"]
        assert card["text"] == "考证冲刺全程班 ¥1,980.00"
        assert 0 <= card["start"] < 15, card
        started = increments[0].fetched_at.timestamp() - card["start"]
        kinds: set[str] = set()
        previous = None  # the watch time of the poll before: new lines were said after it
        for version, record in zip(versions, increments, strict=True):
            polled = record.fetched_at.timestamp() - started
            lines = parts[version.number].lines
            kinds |= {ln["origin"] for ln in lines}
            for ln in lines:
                # Said before this poll and after the one before (the room stamps whole
                # seconds, and its page may be slow to show a line), on screen until captured.
                assert ln["start"] <= polled + 0.01, (ln, polled)
                if previous is not None:
                    assert ln["start"] >= previous - 3.0, (ln, previous)
                assert abs(ln["end"] - polled) < 0.01, (ln, polled)
            # Each transcript line's time is the room's clock stamp, from the watch's start.
            transcript = [ln for ln in lines if ln["origin"] == "transcript"]
            stamped = record.metadata["transcript"]
            assert [ln["text"] for ln in transcript] == [t["text"] for t in stamped]
            for ln, line in zip(transcript, stamped, strict=True):
                assert abs(ln["start"] - _clock_seconds(line["at"], started)) < 0.01, (ln, line)
            previous = polled
        assert kinds == {"transcript", "danmaku", "card"}

        found = [f for v in versions for f in v.findings if f.field.startswith("media:")]
        on_transcript = [loc for f in found if "包过" in f.quote and f.standard == "AD-24"
                         for loc in f.location or []]
        assert on_transcript, found
        assert all(loc["origin"] == "transcript" and loc["media"].startswith("live:poll-")
                   and 0 <= loc["start"] < loc["end"] for loc in on_transcript), on_transcript
        # The viewer's question is stored on its part, searchable, and flagged nowhere.
        asked = [ln for p in parts.values() for ln in p.lines if ln["text"] == "真的包过吗"]
        assert asked and all(ln["origin"] == "danmaku" for ln in asked)
        assert any("真的包过吗" in (p.text or "") for p in parts.values())
        assert not [f for f in found if any(loc["origin"] == "danmaku" for loc in f.location)]
        assert not [f for v in versions for f in v.findings if "真的包过吗" in f.quote]
    finally:
        db.close()
