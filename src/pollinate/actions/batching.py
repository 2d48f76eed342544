"""Group commit: requests that arrive while a batch is being written go in the next one.

    submit(a) ─▶ nothing in flight ─▶ batch [a] ─────────────▶ answers a
    submit(b) ┐                          (in flight)
    submit(c) ┴▶ waiting ───────────────────────────▶ batch [b, c] ─▶ answers b, c

A quiet server writes each request on its own, as soon as it comes (no timer, no added
wait); a busy one writes everything that queued behind the batch in flight as one, so
the fixed cost of a transaction (a thread hop, reading the session, the commit and its
fsync, one publish) is paid once per batch instead of once per request. 200 notes a
second from a plenary were 200 transactions; they are now a handful (bench/live.py).

`run` answers each request of a batch with a result or the exception meant for that
request alone; an exception `run` itself raises is every request's answer. A caller
that stops waiting (a dropped connection) does not take its request out of a batch
already running, exactly as with a transaction already on its thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

R = TypeVar("R")
A = TypeVar("A")

MAX_BATCH = 100  # requests per batch: bounds one transaction's time and size


class Batcher(Generic[R, A]):
    """Collects requests for `run` while it works, and hands them to it together."""

    def __init__(
        self,
        run: Callable[[list[R]], Awaitable[Sequence[A | Exception]]],
        *,
        max_batch: int = MAX_BATCH,
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._run = run
        self._max_batch = max_batch
        self._waiting: list[tuple[R, asyncio.Future[A]]] = []
        self._draining: asyncio.Task[None] | None = None
        self.batches = 0  # how many batches ran: tests and benchmarks read it

    async def submit(self, request: R) -> A:
        """Queue `request`, and return its answer once its batch is written."""
        future: asyncio.Future[A] = asyncio.get_running_loop().create_future()
        self._waiting.append((request, future))
        if self._draining is None:
            self._draining = asyncio.get_running_loop().create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._waiting:
                batch = self._waiting[: self._max_batch]
                del self._waiting[: self._max_batch]
                self.batches += 1
                await self._answer(batch)
        finally:
            self._draining = None

    async def _answer(self, batch: list[tuple[R, asyncio.Future[A]]]) -> None:
        try:
            answers = await self._run([request for request, _ in batch])
            if len(answers) != len(batch):
                raise RuntimeError(f"a batch of {len(batch)} got {len(answers)} answers")
        except Exception as error:
            answers = [error] * len(batch)
        except BaseException as stop:  # cancelled (shutdown): nobody may wait for ever
            for _, future in batch:
                if not future.done():
                    future.cancel()
            for _, future in self._waiting:
                future.cancel()
            self._waiting.clear()
            raise stop
        for (_, future), answer in zip(batch, answers, strict=True):
            if future.done():  # its caller was cancelled
                continue
            if isinstance(answer, Exception):
                future.set_exception(answer)
            else:
                future.set_result(answer)
