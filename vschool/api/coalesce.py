"""Group commit for the webhook: calls that arrive while one is running are merged into the next.

Under load many webhook posts wait on the same database and Redis at once. Instead of one INSERT
(one commit, one WAL flush) and one Redis round trip per post, the posts that arrived while the
previous batch was being written go together as one statement and one pipeline. A lone post is
written at once — nothing waits on a timer — so an idle install answers as fast as before, and
every post still gets its answer only after its own events are committed.
"""

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Coalescer(Generic[T, R]):
    """`await coalescer(item)` → `run([..., item, ...])[its index]`, with concurrent items merged.

    `run` takes a list of items and returns one result per item, in order. When a merged run
    raises and `isolate(error)` says the error may belong to one item (bad data, not an outage),
    each item is run alone so only its own caller sees the error."""

    def __init__(
        self,
        run: Callable[[list[T]], Awaitable[list[R]]],
        *,
        size: Callable[[T], int] = lambda _item: 1,
        max_size: int = 500,
        isolate: Callable[[BaseException], bool] = lambda _error: False,
    ) -> None:
        self._run, self._size, self._max_size, self._isolate = run, size, max_size, isolate
        self._waiting: deque[tuple[T, asyncio.Future[R]]] = deque()
        self._flusher: asyncio.Task | None = None

    async def __call__(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        flusher = self._flusher
        if flusher is None or flusher.done() or flusher.get_loop() is not future.get_loop():
            self._flusher = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        while self._waiting:
            batch, total = [], 0
            while self._waiting and (not batch or total + self._size(self._waiting[0][0]) <= self._max_size):
                item, future = self._waiting.popleft()
                batch.append((item, future))
                total += self._size(item)
            try:
                await self._settle(batch)
            except BaseException as error:  # cancelled or broken: no caller of this batch may hang
                for _, future in batch:
                    if future.done():
                        continue
                    if isinstance(error, asyncio.CancelledError):
                        future.cancel()
                    else:
                        future.set_exception(error)
                raise

    async def _settle(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            results = await self._run([item for item, _ in batch])
        except asyncio.CancelledError:
            raise
        except Exception as error:
            if len(batch) > 1 and self._isolate(error):
                for one in batch:
                    await self._settle([one])
                return
            for _, future in batch:
                if not future.done():  # a caller that went away (client disconnect) is skipped
                    future.set_exception(error)
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)
