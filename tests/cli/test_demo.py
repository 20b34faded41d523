"""`fairwatch demo --no-serve`, twice: the first run stores and flags, the second skips."""

from __future__ import annotations

import re
from pathlib import Path

from tests.crawl.runner import fairwatch

SUMMARY = re.compile(
    r"demo: (\d+) documents crawled, (\d+) stored as new or changed, (\d+) flagged; "
    r"(\d+) pages skipped \((\d+) unchanged"
)


def run_demo(data_dir: Path) -> tuple[int, ...]:
    """Run the demo without serving; (crawled, stored, flagged, skipped, unchanged)."""
    result = fairwatch("demo", "--no-serve", data_dir=data_dir, timeout=400)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = SUMMARY.search(result.stdout)
    assert summary, result.stdout
    return tuple(map(int, summary.groups()))


def test_demo_twice(tmp_path: Path) -> None:
    crawled, stored, flagged, _, unchanged = run_demo(tmp_path)
    assert crawled == stored >= 40
    assert 5 <= flagged < stored  # planted breaches are flagged, clean documents are not
    assert unchanged == 0

    _, stored_again, _, skipped, unchanged = run_demo(tmp_path)
    assert stored_again == 0
    assert unchanged == stored
    assert skipped >= unchanged
