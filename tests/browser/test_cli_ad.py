"""`fairwatch crawl` on an ad source: the runner picks the ad spider and the browser path,
and the run's summary counts the flagged documents."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]


def test_fairwatch_crawl_an_ad_source(platform_site: str, tmp_path: Path) -> None:
    env = os.environ | {
        "FAIRWATCH_DATA_DIR": str(tmp_path),
        "FAIRWATCH_CRAWL_SITE_URL": platform_site,
        "FAIRWATCH_DATABASE_URL": "",
        "FAIRWATCH_SEARCH_URL": "",
    }
    done = subprocess.run(
        [sys.executable, "-m", "fairwatch.cli", "crawl", "ad_advertorial"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ad_advertorial: succeeded; 1 documents crawled (1 new" in done.stdout
    assert "1 flagged" in done.stdout
