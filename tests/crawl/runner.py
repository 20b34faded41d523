"""Run the `fairwatch` CLI in a subprocess: each crawl needs its own Twisted reactor."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SITE_SOURCES = REPO / "tests" / "site" / "sources"


def cli_env(
    *, data_dir: Path, site_url: str = "", sources_dir: Path = SITE_SOURCES, **extra: str
) -> dict[str, str]:
    """The environment of a `fairwatch` subprocess: none of the caller's FAIRWATCH_*
    settings, the given data dir and sources, fast retries, no progress lines; extra
    FAIRWATCH_* settings (e.g. FAIRWATCH_SEARCH_URL) last."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAIRWATCH_")}
    env.update(
        FAIRWATCH_DATA_DIR=str(data_dir),
        FAIRWATCH_CRAWL_SOURCES_DIR=str(sources_dir),
        FAIRWATCH_CRAWL_SITE_URL=site_url,
        FAIRWATCH_CRAWL_RETRY_BACKOFF="0.05",
        FAIRWATCH_CRAWL_PROGRESS_INTERVAL="0",
        PYTHONWARNINGS="ignore::DeprecationWarning",
    )
    env.update(extra)
    return env


def fairwatch(
    *args: str,
    data_dir: Path,
    site_url: str = "",
    sources_dir: Path = SITE_SOURCES,
    timeout: float = 240,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `fairwatch ARGS` to completion; env adds settings on top of cli_env's."""
    full_env = cli_env(data_dir=data_dir, site_url=site_url, sources_dir=sources_dir, **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "fairwatch.cli", *args],
        cwd=REPO,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
