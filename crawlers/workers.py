"""`ProcessWorker`: a forked process that runs calls, one at a time, for the event loop.

    worker = ProcessWorker(initializer=adopt, initargs=(pipeline,))   # forks now
    result = await worker.call(fn, *args)     # fn(*args) in the child
    await worker.close()                      # after the calls queued, the child ends

`concurrent.futures.ProcessPoolExecutor` hands every task through helper threads of the
calling process (one pickles it onto a queue, one reads the results back): sharing the
GIL with the reactor, each task cost the reactor thread switches and milliseconds of
waiting. Here the event loop itself writes each call to a pipe and reads the answer when
the pipe is readable (`loop.add_reader`), with no thread at all. One call is at the child
at a time, so writing one never waits for the child to finish another; calls made
meanwhile are sent in order as answers come back. On Linux the child is killed when its
parent dies. If the child dies, every call waiting on it, and every later one, fails
with WorkerDied; a call that raises in the child fails with WorkerError (its message:
not every exception pickles).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import fcntl
import logging
import multiprocessing
import signal
from collections import deque
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
_F_SETPIPE_SZ = 1031  # Linux fcntl: set a pipe's buffer size
PIPE_BYTES = 1 << 20  # the unprivileged maximum by default


class WorkerError(Exception):
    """A call raised in the worker process; the message names its type and text."""


class WorkerDied(WorkerError):
    """The worker process is gone: calls waiting on it cannot finish."""


def die_with_parent() -> None:
    """Linux: the kernel ends this child when the process that forked it dies (a crash or
    SIGKILL of a crawl must not leave workers behind holding its pipes)."""
    # Not Linux (no prctl): workers end when their pipe closes.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _widen(fd: int) -> None:
    with contextlib.suppress(OSError):  # not Linux, or over /proc/sys/fs/pipe-max-size
        fcntl.fcntl(fd, _F_SETPIPE_SZ, PIPE_BYTES)


def _serve(
    requests: Any, answers: Any, initializer: Callable[..., None] | None, initargs: tuple
) -> None:
    die_with_parent()
    # Ctrl-C reaches the whole process group: the parent decides when its worker stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if initializer is not None:
        initializer(*initargs)
    while True:
        try:
            message = requests.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        fn, args = message
        try:
            answer = ("ok", fn(*args))
        except Exception as exc:
            logger.exception("worker call %s failed", getattr(fn, "__name__", fn))
            answer = ("error", f"{type(exc).__name__}: {exc}")
        answers.send(answer)


class ProcessWorker:
    def __init__(
        self,
        *,
        initializer: Callable[..., None] | None = None,
        initargs: tuple = (),
        name: str = "fairwatch-worker",
    ) -> None:
        context = multiprocessing.get_context("fork")
        # Two one-way pipes, widened so that a batch is written (and its answer read) in
        # one go: a write that waits for the other process to drain the pipe stalls the
        # reactor for as long as that process waits for a CPU.
        child_in, self._send_end = context.Pipe(duplex=False)
        self._conn, child_out = context.Pipe(duplex=False)
        for end in (child_in, child_out):
            _widen(end.fileno())
        self.process = context.Process(
            target=_serve, args=(child_in, child_out, initializer, initargs), name=name,
            daemon=True,
        )
        self.process.start()
        child_in.close()
        child_out.close()
        self.name = name
        self._queue: deque[tuple[Callable[..., Any], tuple, asyncio.Future]] = deque()
        self._current: asyncio.Future | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._dead: str | None = None

    def __deepcopy__(self, memo: dict) -> ProcessWorker:
        return self  # a live process: Scrapy deep-copies the settings that carry it

    @property
    def pid(self) -> int | None:
        return self.process.pid

    @property
    def idle(self) -> bool:
        return self._current is None and not self._queue

    def call(self, fn: Callable[..., Any], *args: Any) -> asyncio.Future:
        """fn(*args) in the child (fn must be importable by name); a future of its result."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        if self._dead is not None:
            future.set_exception(WorkerDied(self._dead))
            return future
        self._attach(loop)
        self._queue.append((fn, args, future))
        if self._current is None:
            self._send_next()
        return future

    async def close(self, timeout: float = 30.0) -> None:
        """Wait for the calls made so far, then stop the child."""
        if self._dead is None and not self.idle:
            with contextlib.suppress(WorkerError):
                await self.call(_nothing)  # answered after everything queued before it
        self.stop(timeout)

    def kill(self) -> None:
        """End the child at once (its unfinished call is lost; callers get WorkerDied)."""
        self.process.kill()
        self.process.join(5)
        if self._dead is None:
            self._died(f"{self.name} (pid {self.pid}) was killed")
        self._conn.close()
        self._send_end.close()

    # -- in the event loop ---------------------------------------------------------------
    def _attach(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._loop is loop:
            return
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(self._conn.fileno())
        self._loop = loop
        loop.add_reader(self._conn.fileno(), self._readable)

    def _send_next(self) -> None:
        while self._queue and self._current is None:
            fn, args, future = self._queue.popleft()
            if future.done():  # cancelled by its caller before it was sent
                continue
            try:
                self._send_end.send((fn, args))
            except (OSError, ValueError) as exc:
                self._died(f"{self.name} (pid {self.pid}) cannot be written to: {exc}")
                future.set_exception(WorkerDied(self._dead))
                return
            except Exception as exc:  # the arguments do not pickle: this call alone fails
                future.set_exception(WorkerError(f"{type(exc).__name__}: {exc}"))
                continue
            self._current = future

    def _readable(self) -> None:
        try:
            status, value = self._conn.recv()
        except (EOFError, OSError) as exc:
            code = self.process.exitcode
            self._died(f"{self.name} (pid {self.pid}) ended (exit code {code}): {exc!r}")
            return
        future, self._current = self._current, None
        if future is not None and not future.done():
            if status == "ok":
                future.set_result(value)
            else:
                future.set_exception(WorkerError(value))
        self._send_next()

    def _died(self, reason: str) -> None:
        logger.error("%s", reason)
        self._dead = reason
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(self._conn.fileno())
        waiting = [self._current] if self._current is not None else []
        waiting += [future for _, _, future in self._queue]
        self._current = None
        self._queue.clear()
        for future in waiting:
            if not future.done():
                future.set_exception(WorkerDied(reason))

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the child after the call it has; calls not answered yet fail (use close()
        to wait for them)."""
        if self._loop is not None and not self._loop.is_closed() and self._dead is None:
            self._loop.remove_reader(self._conn.fileno())
        if self._dead is None:
            with contextlib.suppress(OSError, ValueError):
                self._send_end.send(None)
            self._dead = f"{self.name} was closed"
        self.process.join(timeout)
        unanswered = [self._current] if self._current is not None else []
        unanswered += [future for _, _, future in self._queue]
        self._current = None
        self._queue.clear()
        for future in unanswered:
            if not future.done():
                future.set_exception(WorkerDied(self._dead))
        if self.process.is_alive():
            logger.warning("%s (pid %s) did not stop in %.0fs", self.name, self.pid, timeout)
            self.process.kill()
            self.process.join(5)
        self._conn.close()
        self._send_end.close()


def _nothing() -> None:
    return None
