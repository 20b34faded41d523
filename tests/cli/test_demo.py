"""`fairwatch demo --no-serve`, twice: the first run stores and flags, the second skips."""

from __future__ import annotations

import re
from pathlib import Path

from tests.crawl.runner import fairwatch


def test_demo_twice(tmp_path: Path) -> None:
    first = fairwatch("demo", "--no-serve", data_dir=tmp_path, timeout=400)
    assert first.returncode == 0, first.stderr[-3000:]
    summary = re.search(
        r"demo: (\d+) documents crawled, (\d+) stored as new or changed, (\d+) flagged; "
        r"(\d+) pages skipped \((\d+) unchanged",
        first.stdout,
    )
    assert summary, first.stdout
    crawled, stored, flagged, _, unchanged = map(int, summary.groups())
    assert crawled == stored >= 40
    assert 5 <= flagged < stored  # planted breaches are flagged, clean documents are not
    assert unchanged == 0

    second = fairwatch("demo", "--no-serve", data_dir=tmp_path, timeout=400)
    assert second.returncode == 0, second.stderr[-3000:]
    summary = re.search(
        r"demo: (\d+) documents crawled, (\d+) stored as new or changed, (\d+) flagged; "
        r"(\d+) pages skipped \((\d+) unchanged",
        second.stdout,
    )
    assert summary, second.stdout
    _, stored_again, _, skipped, unchanged = map(int, summary.groups())
    assert stored_again == 0
    assert unchanged == stored
    assert skipped >= unchanged
