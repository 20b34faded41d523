"""`Batcher`: single awaited calls sent to a process pool in batches.

    batcher = Batcher(lambda items: worker.call(work_many, items), in_flight=1)
    result = await batcher(item)      # work_many(items) returns one result per item

Every call handed to another process costs the reactor a pickling, a write and a read,
whatever its size: per page that was more reactor time than the work it moved away.
A Batcher keeps at most `in_flight` batches at the pool and gathers what arrives
meanwhile into the next one, so batches grow exactly as large as the pool is slow and a
lone item still goes at once (in the next turn of the event loop). Items keep their order.
A batch that fails as a whole (the worker process died) fails each of its items.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Batcher(Generic[T, R]):
    def __init__(
        self,
        submit: Callable[[list[T]], Awaitable[list[R]]],
        *,
        in_flight: int = 2,
        max_batch: int = 256,
    ) -> None:
        """submit(items) starts the work on a list of items and returns a future (asyncio
        or concurrent.futures) of the list of their results, in the same order."""
        self._submit = submit
        self.in_flight = max(1, in_flight)
        self.max_batch = max(1, max_batch)
        self._waiting: list[tuple[T, asyncio.Future]] = []
        self._busy = 0
        self._scheduled = False
        self.batches = 0  # sent so far (for logs and tests)

    async def __call__(self, item: T) -> R:
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        self._waiting.append((item, future))
        if self._busy < self.in_flight and not self._scheduled:
            # Next turn: items arriving in this one join the same batch.
            self._scheduled = True
            loop.call_soon(self._send)
        return await future

    @property
    def idle(self) -> bool:
        return not self._waiting and not self._busy

    def _send(self) -> None:
        self._scheduled = False
        while self._waiting and self._busy < self.in_flight:
            batch = self._waiting[: self.max_batch]
            del self._waiting[: self.max_batch]
            try:
                sent = self._submit([item for item, _ in batch])
            except Exception as exc:  # the pool is shut down or broken
                _fail(batch, exc)
                continue
            self._busy += 1
            self.batches += 1
            pending = asyncio.wrap_future(sent) if isinstance(sent, Future) else sent
            asyncio.ensure_future(pending).add_done_callback(
                lambda done, b=batch: self._done(b, done)
            )

    def _done(self, batch: list[tuple[T, asyncio.Future]], done: asyncio.Future) -> None:
        self._busy -= 1
        if done.cancelled():
            for _, future in batch:
                future.cancel()
        elif done.exception() is not None:
            _fail(batch, done.exception())
        else:
            results = done.result()
            if len(results) != len(batch):
                _fail(batch, RuntimeError(f"{len(results)} results for {len(batch)} items"))
            else:
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
        if self._waiting:
            self._send()


def _fail(batch: list[tuple[object, asyncio.Future]], exc: BaseException) -> None:
    for _, future in batch:
        if not future.done():
            future.set_exception(exc)
