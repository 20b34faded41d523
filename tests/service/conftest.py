"""Helpers of the service tests: `fairwatch run` as a real process against the fixture site.

Each test gets its own data folder and source folder; sources are the fixture site's
files with a schedule (seconds) appended. Services are real subprocesses, stopped by the
test (or at teardown, by pid) so nothing outlives it.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from storage import repository
from storage.db import Database
from tests.crawl.runner import REPO, SITE_SOURCES, cli_env
from tests.service.site import ChangingSite

# Fast leases and progress for tests; production defaults are in fairwatch/settings.py.
FAST = {
    "FAIRWATCH_SERVICE_LEASE_SECONDS": "3",
    "FAIRWATCH_SERVICE_LEASE_RENEW": "0.5",
    "FAIRWATCH_SERVICE_STOP_GRACE": "20",
}


def wait_until(check: Callable[[], Any], timeout: float, what: str, step: float = 0.25) -> Any:
    """Poll check() until it returns something true; fail naming what was awaited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(step)
    pytest.fail(f"timed out after {timeout:g}s waiting for {what}")


def write_source(folder: Path, fixture: str, schedule: str, **replace: str) -> Path:
    """Copy tests/site/sources/<fixture>.yaml with `schedule: <schedule>` (YAML) set."""
    text = (SITE_SOURCES / f"{fixture}.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^schedule:.*\n", "", text)
    for old, new in replace.items():
        text = text.replace(old, new)
    path = folder / f"{fixture}.yaml"
    path.write_text(text + f"schedule: {schedule}\n", encoding="utf-8")
    return path


def live_source(folder: Path, name: str, schedule: str) -> Path:
    """A source for the /live/<name>/ section of ChangingSite (next-link pagination)."""
    path = folder / f"live-{name}.yaml"
    path.write_text(
        f"id: live-{name}\nname: 示例市 动态栏目 {name}\nissuer: 示例市人民政府\nregion: 示例市\n"
        f'verified: true\nstart_urls: ["{{site}}/live/{name}/index.html"]\n'
        "list: {items: auto, pagination: {style: next_link, selector: auto, max_pages: 5}}\n"
        "attachments: {enabled: false}\npoliteness: {concurrency: 4, delay: 0}\n"
        f"schedule: {schedule}\n",
        encoding="utf-8",
    )
    return path


class ServiceProcess:
    """One `fairwatch run` subprocess with its log in a file."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log_path = log
        self._log = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "fairwatch.cli", "run", *args],
            cwd=REPO,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def wait(self, timeout: float) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self._log.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._log.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def sources_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "sources"
    folder.mkdir()
    return folder


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Callable[..., ServiceProcess]]:
    """start(site_url, sources_dir, data_dir, *args, **settings) -> a running service."""
    started: list[ServiceProcess] = []

    def start(
        site_url: str, sources: Path, data: Path, *args: str, **settings: str
    ) -> ServiceProcess:
        env = cli_env(data_dir=data, site_url=site_url, sources_dir=sources, **FAST)
        env.update(settings)
        log = tmp_path / f"service-{len(started) + 1}.log"
        service = ServiceProcess(list(args), env, log)
        started.append(service)
        return service

    yield start
    for service in started:
        service.stop()


@pytest.fixture
def changing_site() -> Iterator[ChangingSite]:
    with ChangingSite(generated=30, sections=("quiet", "relayout", "failing", "blank")) as site:
        yield site


def open_db(data: Path) -> Database:
    return Database(data / "fairwatch.db")


def runs_of(db: Database, source_id: str) -> list:
    """Runs of the source, oldest first."""
    return list(reversed(repository.list_runs(db, source_id=source_id, limit=500)))


def signal_name(sig: int) -> str:
    return signal.Signals(sig).name
