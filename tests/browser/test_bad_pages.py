"""Acceptance 4: a page that never finishes loading, a page that crashes its renderer, a
200 MB response and a post with no text are each recorded with their reason, and the
crawl goes on to the good post after them."""

from __future__ import annotations

import pytest

from storage import repository
from storage.db import Database
from tests.browser.harness import run_crawl

pytestmark = pytest.mark.browser

EXPECTED = {
    "/platform/hang": "navigation_timeout",
    "/platform/crash": "renderer_crashed",
    "/platform/huge": "too_large",
    "/platform/seeding/empty": "no_text",
}


def test_bad_pages_are_recorded_and_the_crawl_goes_on(
    ad_source, platform_site: str, tmp_path
) -> None:
    outcome = run_crawl(
        [ad_source("ad_hostile")],
        tmp_path,
        browser={
            "FAIRWATCH_BROWSER_NAVIGATION_TIMEOUT_MS": 8000,
            "FAIRWATCH_BROWSER_CONTENT_TIMEOUT_MS": 4000,
            # A smaller heap makes the memory-exhausting page crash sooner, same code path.
            "FAIRWATCH_BROWSER_JS_HEAP_MB": 128,
        },
    )
    stats = outcome.stats["ad_hostile"]
    failures = {f["url"].removeprefix(platform_site): f for f in stats["fairwatch/ad/failures"]}
    assert {path: f["reason"] for path, f in failures.items()} == EXPECTED
    assert "209715200 bytes" in failures["/platform/huge"]["detail"]
    for reason in EXPECTED.values():
        assert stats[f"fairwatch/pages_failed/{reason}"] == 1

    # The good post after the bad ones was stored and analyzed.
    assert [r.url.removeprefix(platform_site) for r in outcome.items] == ["/platform/seeding/1001"]
    db = Database(tmp_path / "fairwatch.db")
    try:
        run = repository.get_run(db, outcome.runs["ad_hostile"])
        assert run.status == "partial"
        recorded = {
            e["url"].removeprefix(platform_site): e["reason"] for e in run.errors if "url" in e
        }
        assert recorded == EXPECTED
        docs = repository.list_documents(db, kind="ad").items
        assert [d.url.removeprefix(platform_site) for d in docs] == ["/platform/seeding/1001"]
    finally:
        db.close()
