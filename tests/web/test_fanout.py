"""The fan-out (web/fanout.py): each stream is woken for the events it receives, only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import anyio
import pytest

from pollinate.actions.live import LiveSession, append_events
from pollinate.actions.sessions import create_live_session
from pollinate.core.events import BlockStarted, NoteAdded
from pollinate.core.roles import Role
from pollinate.core.session import BlockKind
from pollinate.live.bus import Bus
from pollinate.store.db import session_factory
from pollinate.web.fanout import Fanout, Watch
from pollinate.web.feed import OutboxFeed
from tests.conftest import Database
from tests.web.conftest import PLAN, ROSTER, START, cafe_spec

pytestmark = pytest.mark.anyio

AT = datetime(2025, 6, 24, 9, 5, tzinfo=UTC)


@dataclass
class Fanning:
    db: Database
    session_id: str
    bus: Bus
    feed: OutboxFeed
    fanout: Fanout

    async def commit(self, *events: object) -> int:
        with self.db.session.begin() as s:
            seq = append_events(s, self.session_id, events, now=AT)  # type: ignore[arg-type]
        await self.bus.publish(self.session_id, seq)
        return seq


@pytest.fixture
async def fanning(db: Database, bus: Bus) -> AsyncIterator[Fanning]:
    store = session_factory(db.engine)
    created = create_live_session(store, cafe_spec(), ROSTER, PLAN, None, now=START)
    feed = OutboxFeed(store)
    fanout = Fanout(feed, bus)
    yield Fanning(db, created.session_id, bus, feed, fanout)
    await fanout.close()


def seated(table: str | None):
    def seat(_live: LiveSession, _round: int | None) -> str | None:
        return table

    return seat


def participant(person: str):
    def seat(live: LiveSession, round: int | None) -> str | None:
        assert live.plan is not None
        return live.plan.place_of(person, round) if round else None

    return seat


async def next_seq(watch: Watch) -> int:
    with anyio.fail_after(5):
        return await anext(aiter(watch))


def pending(watch: Watch) -> int | None:
    return watch.mailbox.pending


async def test_a_note_wakes_its_tables_host_and_the_note_readers_but_no_phone(
    fanning: Fanning,
):
    fanout, session = fanning.fanout, fanning.session_id
    async with (
        fanout.watch(session, Role.FACILITATOR, seated(None)) as facilitator,
        fanout.watch(session, Role.HOST, seated("Table 1")) as host_1,
        fanout.watch(session, Role.HOST, seated("Table 2")) as host_2,
        fanout.watch(session, Role.PARTICIPANT, participant("p04")) as phone,
        fanout.watch(session, Role.PROJECTOR, seated(None)) as projector,
    ):
        seq = await fanning.commit(NoteAdded("n1", 1, "Table 1", "Map the money", AT, False))
        assert await next_seq(facilitator) == seq
        assert await next_seq(host_1) == seq
        # The fan-out offered the event to everyone it was for before it woke anyone.
        assert [pending(host_2), pending(phone), pending(projector)] == [None, None, None]


async def test_a_round_change_wakes_every_stream_of_the_session(fanning: Fanning):
    fanout, session = fanning.fanout, fanning.session_id
    async with (
        fanout.watch(session, Role.HOST, seated("Table 2")) as host,
        fanout.watch(session, Role.PARTICIPANT, participant("p04")) as phone,
        fanout.watch(session, Role.PROJECTOR, seated(None)) as projector,
    ):
        seq = await fanning.commit(
            BlockStarted(1, BlockKind.ROUND, "Round one", 1, "What works?", 15, AT)
        )
        assert [await next_seq(w) for w in (host, phone, projector)] == [seq, seq, seq]


async def test_the_last_stream_leaving_ends_the_sessions_pump_and_cache(fanning: Fanning):
    fanout, session = fanning.fanout, fanning.session_id
    async with fanout.watch(session, Role.FACILITATOR, seated(None)) as first:
        async with fanout.watch(session, Role.RAPPORTEUR, seated(None)):
            assert fanout.watchers(session) == 2
            await fanning.commit(
                BlockStarted(1, BlockKind.ROUND, "Round one", 1, "What works?", 15, AT)
            )
            await next_seq(first)
        assert fanout.watchers(session) == 1
        assert fanning.feed.cached_sessions() == 1
    assert fanout.watchers(session) == 0
    assert fanning.feed.cached_sessions() == 0


async def test_closing_the_bus_ends_every_stream(fanning: Fanning):
    fanout, session = fanning.fanout, fanning.session_id
    async with fanout.watch(session, Role.FACILITATOR, seated(None)) as wakeups:
        await fanning.bus.close()
        with anyio.fail_after(5), pytest.raises(StopAsyncIteration):
            await anext(aiter(wakeups))


async def test_a_phone_skips_at_its_heartbeat_what_concerned_it_not(fanning: Fanning):
    fanout, session = fanning.fanout, fanning.session_id
    async with (
        fanout.watch(session, Role.FACILITATOR, seated(None)) as facilitator,
        fanout.watch(session, Role.PARTICIPANT, participant("p04")) as phone,
    ):
        start = phone.since
        note = NoteAdded("n1", 1, "Table 1", "Map the money", AT, False)
        seqs = [await fanning.commit(note) for _ in range(3)]
        while await next_seq(facilitator) < seqs[-1]:
            pass
        assert phone.settled(start) == seqs[-1]  # three notes it never receives
        round_two = await fanning.commit(
            BlockStarted(2, BlockKind.ROUND, "Round two", 2, "What next?", 15, AT)
        )
        assert await next_seq(facilitator) == round_two
        # A wake-up is pending for the phone: it must read, not skip past the round change.
        assert phone.settled(seqs[-1]) == seqs[-1]
        assert await next_seq(phone) == round_two
        # A stream resuming from before it registered reads what it missed first.
        assert phone.settled(start - 1) == start - 1
