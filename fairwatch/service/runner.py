"""Each crawl in a child process: `python -m fairwatch.cli crawl SOURCE --mode auto`.

A Twisted reactor cannot restart, so a long-running service cannot crawl in its own
process. The child records its run (host and pid) itself. Past `timeout` it is stopped
(SIGTERM, then SIGKILL) and its run marked `timed_out`; a child that exits without
closing its run (killed, out of memory) has that run marked `interrupted`. Children die
with the service (PR_SET_PDEATHSIG), so a SIGKILLed service leaves no crawl behind: the
next start finds the runs they left `running` and marks them interrupted.
"""

from __future__ import annotations

import ctypes
import logging
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

from storage.db import Database
from storage.repository import runs

logger = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
KILL_WAIT_S = 10.0


def _die_with_parent() -> None:  # runs in the child between fork and exec
    if _libc is not None:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


@dataclass
class ChildResult:
    source_id: str
    returncode: int
    timed_out: bool
    stopped: bool  # stopped by the service shutting down
    seconds: float
    started: bool = True  # False: not started because the service is stopping


class CrawlRunner:
    def __init__(self, db: Database, *, timeout: float, distributed: bool = False) -> None:
        """distributed: each crawl only queues its source's start pages in Redis for the
        `fairwatch worker` processes (setting crawl_distributed) and returns."""
        self.db = db
        self.timeout = timeout
        self.distributed = distributed
        self._children: dict[int, subprocess.Popen[bytes]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def command(self, source_id: str) -> list[str]:
        if self.distributed:
            return [sys.executable, "-m", "fairwatch.cli", "crawl", source_id, "--distributed"]
        return [sys.executable, "-m", "fairwatch.cli", "crawl", source_id, "--mode", "auto"]

    def crawl(self, source_id: str) -> ChildResult:
        """Run one crawl of source_id to its end (or its timeout); blocks the calling thread."""
        started = time.monotonic()
        with self._lock:
            if self._stopping.is_set():
                return ChildResult(source_id, 0, False, True, 0.0, started=False)
            # start_new_session: a Ctrl-C meant for the service does not reach the crawl;
            # the service decides when to stop it.
            child = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                self.command(source_id), start_new_session=True, preexec_fn=_die_with_parent
            )
            self._children[child.pid] = child
        logger.info("crawl of %s started (pid %d)", source_id, child.pid)
        timed_out = False
        try:
            child.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            logger.error("crawl of %s passed its %gs limit; stopping it", source_id, self.timeout)
            self._stop_child(child)
        finally:
            with self._lock:
                self._children.pop(child.pid, None)
        stopped = self._stopping.is_set() and not timed_out
        seconds = time.monotonic() - started
        host = socket.gethostname()
        if timed_out:
            runs.close_orphaned_runs(
                self.db,
                host=host,
                pid=child.pid,
                is_alive=lambda *_: False,
                status="timed_out",
                reason=f"killed after the crawl time limit of {self.timeout:g}s",
            )
        else:
            runs.close_orphaned_runs(
                self.db,
                host=host,
                pid=child.pid,
                is_alive=lambda *_: False,
                reason=(
                    "stopped when the service shut down"
                    if stopped
                    else f"its crawl process exited ({child.returncode}) before finishing"
                ),
            )
        return ChildResult(source_id, child.returncode, timed_out, stopped, seconds)

    def running(self) -> int:
        with self._lock:
            return len(self._children)

    def wait_all(self, grace: float) -> bool:
        """Wait up to grace seconds for running crawls to finish; True if none is left."""
        deadline = time.monotonic() + grace
        while self.running() and time.monotonic() < deadline:
            time.sleep(0.2)
        return not self.running()

    def stop_all(self, *, for_good: bool = True) -> None:
        """Stop every running crawl (SIGTERM, then SIGKILL); their runs become interrupted.

        for_good: start no crawl from now on (the service is shutting down)."""
        with self._lock:
            if for_good:
                self._stopping.set()
            children = list(self._children.values())
        for child in children:
            self._stop_child(child)

    @staticmethod
    def _stop_child(child: subprocess.Popen[bytes]) -> None:
        if child.poll() is not None:
            return
        child.terminate()
        try:
            child.wait(timeout=KILL_WAIT_S)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
