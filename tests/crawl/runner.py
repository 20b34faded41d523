"""Run the `fairwatch` CLI in a subprocess: each crawl needs its own Twisted reactor."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SITE_SOURCES = REPO / "tests" / "site" / "sources"


def fairwatch(
    *args: str,
    data_dir: Path,
    site_url: str = "",
    sources_dir: Path = SITE_SOURCES,
    timeout: float = 240,
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAIRWATCH_")}
    env.update(
        FAIRWATCH_DATA_DIR=str(data_dir),
        FAIRWATCH_CRAWL_SOURCES_DIR=str(sources_dir),
        FAIRWATCH_CRAWL_SITE_URL=site_url,
        FAIRWATCH_CRAWL_RETRY_BACKOFF="0.05",
        FAIRWATCH_CRAWL_PROGRESS_INTERVAL="0",
        PYTHONWARNINGS="ignore::DeprecationWarning",
    )
    return subprocess.run(
        [sys.executable, "-m", "fairwatch.cli", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
