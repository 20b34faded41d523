"""Private Elasticsearch nodes for fault tests, run by scripts/elasticsearch.sh.

Each lives in its own state dir on free ports, so the shared node other tests use is never
touched. The launcher already compiled for the shared node is copied in when there is one:
the script checks its stamp and classpath and skips Maven (minutes on a busy machine).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "elasticsearch.sh"
SHARED_STATE = Path(os.environ.get("FAIRWATCH_ES_DIR", "/var/tmp/fairwatch-es"))


def free_ports(n: int) -> list[int]:
    """n free loopback ports, each followed by a free one (node i uses port + i - 1)."""
    found: list[int] = []
    while len(found) < n:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if all(_free(port + k) for k in range(1, 3)) and port not in found:
            found.append(port)
    return found


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def wait_for(what: str, check: Callable[[], bool], *, timeout: float, every: float = 0.2) -> float:
    """Poll check until true; seconds it took. Fails naming `what` after timeout seconds."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)
    return time.monotonic() - start


class EsNodes:
    """One node, or a cluster of `nodes` on loopback, in its own state dir."""

    def __init__(self, state: Path, *, nodes: int = 1, heap: str = "256m") -> None:
        self.state = state
        self.nodes = nodes
        http, transport = free_ports(2)
        self.urls = [f"http://127.0.0.1:{http + i}" for i in range(nodes)]
        self.url = ",".join(self.urls)
        self.env = {
            **os.environ,
            "FAIRWATCH_ES_DIR": str(state),
            "FAIRWATCH_TEST_ES_PORT": str(http),
            "FAIRWATCH_TEST_ES_TRANSPORT_PORT": str(transport),
            "FAIRWATCH_ES_NODES": str(nodes),
            "FAIRWATCH_ES_CLUSTER": f"fwtest-{state.name}",
            "FAIRWATCH_ES_HEAP": heap,
            "FAIRWATCH_ES_START_TIMEOUT": "300",
        }
        warm = SHARED_STATE / "build"
        if (warm / "stamp").is_file() and (warm / "classes").is_dir():
            shutil.copytree(warm, state / "build", ignore=shutil.ignore_patterns("maven.log"))

    def _script(self, *args: str) -> tuple[float, str]:
        start = time.monotonic()
        done = subprocess.run(
            ["bash", str(SCRIPT), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            log = self.state / "logs" / "node.log"
            tail = log.read_text(errors="replace")[-3000:] if log.is_file() else "(no log)"
            pytest.fail(
                f"elasticsearch.sh {' '.join(args)} failed ({done.returncode}): "
                f"{done.stderr}\n{tail}"
            )
        return time.monotonic() - start, done.stdout

    def start(self) -> float:
        """Start whichever node is not running; seconds until the cluster had them all."""
        return self._script("start")[0]

    def stop(self) -> float:
        return self._script("stop")[0]

    def pid(self, node: int) -> int:
        return int(self._script("pid", str(node))[1])

    def kill(self, node: int) -> None:
        """SIGKILL node `node` (1-based): a crash, no clean shutdown."""
        pid = self.pid(node)
        os.kill(pid, signal.SIGKILL)
        wait_for(
            f"node {node} (pid {pid}) to die", lambda: not Path(f"/proc/{pid}").exists(), timeout=30
        )
