"""The in-process bus: fan-out to subscribers in the same event loop (one server worker).

Each subscriber is a `Mailbox` (live/bus.py): at most one pending seq, the newest one, so
a slow or stalled stream costs one integer however fast events come.
Publish, subscribe and iterate from the event loop's thread: asyncio's `Event` is not
thread-safe (a sync action on a worker thread hands its seq back to the async route,
which publishes).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from pollinate.live.bus import Mailbox


class MemoryBus:
    """`Bus` for a single process; the default (`POLLINATE_BUS_URL=memory://`)."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[Mailbox]] = {}
        self._closed = False

    async def publish(self, session_id: str, seq: int) -> None:
        # After close nobody listens; dropping the signal keeps an action that committed
        # during shutdown from failing its request (its event is safe in the outbox).
        if self._closed:
            return
        for subscriber in self._subscribers.get(session_id, ()):
            subscriber.offer(seq)

    @asynccontextmanager
    async def subscribe(self, session_id: str) -> AsyncIterator[AsyncIterator[int]]:
        subscriber = Mailbox()
        if self._closed:
            subscriber.close()
        else:
            self._subscribers.setdefault(session_id, set()).add(subscriber)
        try:
            yield subscriber
        finally:
            listeners = self._subscribers.get(session_id)
            if listeners is not None:
                listeners.discard(subscriber)
                if not listeners:
                    # Drop the empty set too, or every session ever watched leaks one.
                    del self._subscribers[session_id]

    def subscriber_count(self, session_id: str) -> int:
        """How many streams listen to the session now (for health pages and tests)."""
        return len(self._subscribers.get(session_id, ()))

    async def close(self) -> None:
        self._closed = True
        for listeners in self._subscribers.values():
            for subscriber in listeners:
                subscriber.close()
