"""The live bus: wakes up the streams of a session when its outbox has grown.

    action commits ─▶ bus.publish(session_id, seq) ─▶ every subscriber of that session
                                                       wakes with the newest seq, then
                                                       reads outbox.since(its last seq)

The bus carries no events, only "there is something up to seq N". The outbox is the
truth: a subscriber that was away, or that was woken once for several publishes, catches
up from the database. So an implementation may coalesce (deliver only the newest seq), may
drop publishes nobody listens to, and never stores anything. `tests/live/test_bus_contract.py`
holds every implementation (memory now, Redis later) to the same behaviour.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Protocol


class Bus(Protocol):
    """Wake-up signals per session, fanned out to every current subscriber."""

    async def publish(self, session_id: str, seq: int) -> None:
        """Tell the session's subscribers that the outbox reached `seq` (after commit)."""
        ...

    def subscribe(self, session_id: str) -> AbstractAsyncContextManager[AsyncIterator[int]]:
        """Listen to one session; the iterator yields ever newer seqs.

        While the context is open, every publish is seen, though several publishes made
        before the subscriber reads again may come out as one (the newest seq); a seq
        never comes out lower than one already yielded. Iteration ends when the bus
        closes, which is how live streams end on server shutdown.
        """
        ...

    async def close(self) -> None:
        """End every subscription; later publishes are dropped. Safe to call twice."""
        ...


class Mailbox:
    """One listener's wake-ups: the newest unread seq and an event to wait on.

    It holds at most one pending seq, the newest, so a slow or stalled stream costs one
    integer however fast events come, never an ever-growing queue. Seqs it yields never go
    backwards. Use it from the event loop's thread only (`asyncio.Event` is not
    thread-safe). Both buses hand these out from `subscribe()`.
    """

    def __init__(self) -> None:
        self.pending: int | None = None
        self.last = -1  # the highest seq yielded, so seqs never go backwards
        self.closed = False
        self.wake = asyncio.Event()

    def offer(self, seq: int) -> None:
        """Note a newer seq and wake the listener; older or equal seqs are ignored."""
        if seq <= self.last:
            return
        self.pending = seq if self.pending is None else max(self.pending, seq)
        self.wake.set()

    def rouse(self) -> None:
        """Wake without news (after a reconnect): yield the newest seq known, maybe again."""
        if self.pending is None:
            self.pending = max(self.last, 0)
        self.wake.set()

    def close(self) -> None:
        """End the iteration once the pending seq (if any) has been taken."""
        self.closed = True
        self.wake.set()

    def __aiter__(self) -> AsyncIterator[int]:
        return self

    async def __anext__(self) -> int:
        while self.pending is None:
            if self.closed:
                raise StopAsyncIteration
            await self.wake.wait()
            self.wake.clear()
        seq = self.pending
        self.pending, self.last = None, max(self.last, seq)
        return seq
