"""Wake only the streams an event is for: one bus subscription per session per worker.

    action commits ─▶ bus.publish(session, seq)
    worker: one pump per watched session ─▶ feed.after(position, newest=seq): one read
                                         ─▶ for each new event, its audience (roles, and
                                            for hosts and participants a table)
                                         ─▶ offer seq to those streams' mailboxes only
    stream ─▶ woken ─▶ feed.after(last, newest=seq) from memory ─▶ frames

Before this, every stream of a session held its own bus subscription and woke for every
event, so a note at one table woke 2,000 phones that were never going to show it, and
at a couple of hundred notes a second the worker did little but wake streams. Now a note
wakes the facilitator, the rapporteur and that table's host; a round change wakes all.

The pump subscribes to the bus before any stream of its session takes its starting
position (`watch` waits for it), so nothing committed after a stream started escapes it.
If the pump cannot read (the database is restarting) it logs and waits for the next
wake-up; streams also re-read at every heartbeat, so they catch up either way. When the
bus closes (server shutdown) the pump closes every mailbox, which ends the streams.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from functools import partial

from sqlalchemy.exc import DBAPIError

from pollinate.actions.live import LiveSession
from pollinate.core.events import reaches
from pollinate.core.roles import Role
from pollinate.live.bus import Bus, Mailbox
from pollinate.store.db import database_unavailable
from pollinate.web.feed import FeedEntry, OutboxFeed

logger = logging.getLogger("pollinate.web")

# Where a viewer sits when an event of a given round happens (None: at no table).
TableAt = Callable[[LiveSession, int | None], str | None]


@dataclass(slots=True)
class _Pump:
    task: asyncio.Task[None] | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    by_role: dict[Role, set[Watch]] = field(default_factory=dict)
    delivered: int = 0  # every event up to here has been offered to whom it concerns

    def watchers(self) -> list[Watch]:
        return [watcher for group in self.by_role.values() for watcher in group]


@dataclass(eq=False, slots=True)
class Watch:
    """One stream's registration: its wake-ups, and how far it may skip without reading."""

    role: Role
    table_at: TableAt
    pump: _Pump
    since: int = 0  # what the fan-out had delivered when the stream registered
    mailbox: Mailbox = field(default_factory=Mailbox)

    def __aiter__(self) -> AsyncIterator[int]:
        return self.mailbox

    def settled(self, last: int) -> int:
        """The furthest position the stream may take without reading the events before it.

        With no wake-up pending, every event the fan-out delivered since the stream
        registered and that concerns it has been offered and read already, so the rest up
        to `delivered` concern it not. A phone in a plenary where notes fly skips them at
        its heartbeat, instead of reading thousands of other tables' events to drop them.
        A stream still behind its registration (an old Last-Event-ID) must read first.
        """
        if self.mailbox.pending is None and last >= self.since:
            return max(last, self.pump.delivered)
        return last


class Fanout:
    """The streams of this worker, by session and role, woken for their events only."""

    def __init__(self, feed: OutboxFeed, bus: Bus) -> None:
        self._feed = feed
        self._bus = bus
        self._pumps: dict[str, _Pump] = {}
        self._closed = False

    def watchers(self, session_id: str) -> int:
        """How many streams of the session this worker holds (for tests)."""
        pump = self._pumps.get(session_id)
        return len(pump.watchers()) if pump else 0

    @asynccontextmanager
    async def watch(self, session_id: str, role: Role, table_at: TableAt) -> AsyncIterator[Watch]:
        """Register a stream; iterating the watch yields its wake-ups (seqs), which end
        when the server stops."""
        pump = self._pumps.get(session_id)
        if pump is None:
            pump = self._pumps[session_id] = _Pump()
            pump.task = asyncio.create_task(self._run(session_id, pump))
        watcher = Watch(role, table_at, pump)
        pump.by_role.setdefault(role, set()).add(watcher)
        if self._closed:
            watcher.mailbox.close()
        try:
            await pump.ready.wait()  # subscribed: nothing from now on is missed
            watcher.since = pump.delivered
            yield watcher
        finally:
            pump.by_role.get(role, set()).discard(watcher)
            if not pump.watchers() and self._pumps.get(session_id) is pump:
                del self._pumps[session_id]
                self._feed.forget(session_id)
                if pump.task is not None:
                    pump.task.cancel()

    async def close(self) -> None:
        """End every stream (after the bus has closed, the pumps end by themselves)."""
        self._closed = True
        for pump in list(self._pumps.values()):
            for watcher in pump.watchers():
                watcher.mailbox.close()
            if pump.task is not None:
                pump.task.cancel()
                with suppress(asyncio.CancelledError):
                    await pump.task

    async def _run(self, session_id: str, pump: _Pump) -> None:
        try:
            async with self._bus.subscribe(session_id) as wakeups:
                position, _ = await self._feed.start(session_id, None)
                pump.delivered = position
                pump.ready.set()
                async for seq in wakeups:
                    position = await self._deliver(session_id, pump, position, seq)
        except Exception:
            logger.exception("live fan-out of session %s stopped", session_id)
        finally:
            pump.ready.set()  # a stream waiting for a pump that failed must not hang
            for watcher in pump.watchers():
                watcher.mailbox.close()  # its stream ends; the page reconnects
            if self._pumps.get(session_id) is pump:
                del self._pumps[session_id]

    async def _deliver(self, session_id: str, pump: _Pump, position: int, seq: int) -> int:
        # A seq that is no news (the Redis bus reconnected) asks for a read begun now.
        try:
            if seq > position:
                entries = await self._feed.after(session_id, position, newest=seq)
            else:
                entries = await self._feed.after(
                    session_id, position, newest=None, fresh_within=0.0
                )
        except DBAPIError as error:
            if not database_unavailable(error):
                raise
            logger.info("live fan-out waits for the database: %s", type(error).__name__)
            return position
        for entry in entries:
            _offer(pump, entry)
        if entries:
            pump.delivered = entries[-1].seq
        return pump.delivered


def _offer(pump: _Pump, entry: FeedEntry) -> None:
    who, seq, live = entry.audience, entry.seq, entry.live
    for role in who.roles:  # roles the event is not for cost nothing, however many phones
        for watcher in pump.by_role.get(role, ()):
            if reaches(who, role=role, seat=partial(watcher.table_at, live)):
                watcher.mailbox.offer(seq)
