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
