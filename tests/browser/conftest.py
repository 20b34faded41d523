"""Fixtures of the browser tests: the platform fixture site in a subprocess, ad sources.

The site runs in its own process (port 0, address on its first stdout line) so its
threads never compete with the crawl for this process's interpreter.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from crawlers.sources import SourceConfig, load_sources

REPO = Path(__file__).resolve().parents[2]
SERVER = REPO / "tests" / "site" / "platform" / "server.py"
HERE_SOURCES = Path(__file__).resolve().parent / "sources"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def platform_site() -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `bash scripts/services.sh start` (installs chromium)"
        )
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False)
    if not fonts.stdout.strip():
        pytest.fail("no Chinese font (screenshots would show boxes): run scripts/services.sh start")
    proc = subprocess.Popen([sys.executable, str(SERVER)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        if not url.startswith("http://127.0.0.1:"):
            pytest.fail(f"platform fixture site did not start: {url!r}")
        yield url
    finally:
        proc.kill()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


@pytest.fixture(scope="session")
def ad_source(platform_site: str) -> Callable[..., SourceConfig]:
    """ad_source(id, **changes): a source of config/sources (or tests/browser/sources)."""
    shipped = load_sources(REPO / "config" / "sources")
    local = load_sources(HERE_SOURCES)
    assert not local.problems, local.problems

    def get(source_id: str, **changes: object) -> SourceConfig:
        sources = local if source_id in local.sources else shipped
        source = sources.get(source_id, site=platform_site)
        return source.model_copy(update=changes) if changes else source

    return get
