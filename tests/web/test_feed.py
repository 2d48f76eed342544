"""The shared outbox reader (web/feed.py): one query per change, whatever the streams."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from pollinate.actions.live import append_events
from pollinate.actions.sessions import create_live_session
from pollinate.core.events import Audience, BroadcastSent, NoteAdded, NoteDeleted
from pollinate.store.db import session_factory
from pollinate.web.feed import FRESH_SECONDS, FeedEntry, OutboxFeed, frame_head
from pollinate.web.sse import frame
from tests.conftest import Database
from tests.web.conftest import PLAN, ROSTER, START, cafe_spec

pytestmark = pytest.mark.anyio

AT = datetime(2025, 6, 24, 9, 5, tzinfo=UTC)


@dataclass
class Ticks:
    """A monotonic clock the test moves."""

    now: float = 100.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Feeding:
    db: Database
    session_id: str
    feed: OutboxFeed
    ticks: Ticks
    outbox_reads: list[str]

    def append(self, *events: object) -> int:
        with self.db.session.begin() as s:
            return append_events(s, self.session_id, events, now=AT)  # type: ignore[arg-type]

    def broadcast(self, text: str) -> int:
        return self.append(BroadcastSent(text, AT))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def feeding(db: Database) -> Iterator[Feeding]:
    store = session_factory(db.engine)
    created = create_live_session(store, cafe_spec(), ROSTER, PLAN, None, now=START)
    reads: list[str] = []

    def count(_conn, _cursor, statement: str, *_args: object) -> None:
        if "FROM outbox" in statement and "ORDER BY outbox.seq" in statement:
            reads.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    ticks = Ticks()
    try:
        yield Feeding(db, created.session_id, OutboxFeed(store, clock=ticks, keep=5), ticks, reads)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def seqs(entries) -> list[int]:
    return [entry.seq for entry in entries]


async def test_many_streams_woken_by_one_change_cost_one_outbox_read(feeding: Feeding):
    feed, session = feeding.feed, feeding.session_id
    newest = feeding.broadcast("Round two starts")
    answers: list[list[int]] = []

    async def stream() -> None:
        answers.append(seqs(await feed.after(session, 0, newest=newest)))

    async with anyio.create_task_group() as streams:
        for _ in range(50):
            streams.start_soon(stream)
    assert answers == [[1]] * 50
    assert len(feeding.outbox_reads) == 1


async def test_a_wake_up_beyond_the_cache_reads_again(feeding: Feeding):
    feed, session = feeding.feed, feeding.session_id
    first = feeding.broadcast("one")
    assert seqs(await feed.after(session, 0, newest=first)) == [1]
    second = feeding.broadcast("two")
    assert seqs(await feed.after(session, 1, newest=second)) == [2]
    assert seqs(await feed.after(session, 0, newest=second)) == [1, 2]
    assert len(feeding.outbox_reads) == 2


async def test_a_heartbeat_reuses_a_read_younger_than_a_second_then_reads_afresh(
    feeding: Feeding,
):
    feed, session = feeding.feed, feeding.session_id
    assert seqs(await feed.after(session, 0, newest=None)) == []
    feeding.broadcast("missed wake-up")
    feeding.ticks.now += FRESH_SECONDS / 2
    assert seqs(await feed.after(session, 0, newest=None)) == []  # still the first read
    feeding.ticks.now += FRESH_SECONDS
    assert seqs(await feed.after(session, 0, newest=None)) == [1]
    assert len(feeding.outbox_reads) == 2


async def test_a_resume_from_before_the_kept_events_is_read_from_the_database(
    feeding: Feeding,
):
    feed, session = feeding.feed, feeding.session_id
    newest = 0
    for number in range(8):  # the feed keeps 5
        newest = feeding.broadcast(f"message {number}")
        await feed.after(session, newest - 1, newest=newest)
    assert seqs(await feed.after(session, 3, newest=newest)) == [4, 5, 6, 7, 8]
    reads_before = len(feeding.outbox_reads)
    assert seqs(await feed.after(session, 1, newest=newest)) == [2, 3, 4, 5, 6, 7, 8]
    assert len(feeding.outbox_reads) == reads_before + 1


async def test_a_deleted_notes_words_are_blanked_in_the_cache_as_in_the_database(
    feeding: Feeding,
):
    feed, session = feeding.feed, feeding.session_id
    added = NoteAdded("n1", 1, "Table 1", "Call Maria at the ministry", AT, False)
    first = feeding.append(added)
    assert seqs(await feed.after(session, 0, newest=first)) == [1]
    deleted = feeding.append(NoteDeleted("n1", 1, "Table 1"))
    entries = await feed.after(session, 0, newest=deleted)
    assert [entry.payload().get("text") for entry in entries] == ["", None]
    assert "Maria" not in entries[0].frame('"now"')


async def test_a_wake_up_without_news_reads_afresh_however_recent_the_last_read(
    feeding: Feeding,
):
    feed, session = feeding.feed, feeding.session_id
    assert seqs(await feed.after(session, 0, newest=None)) == []
    feeding.broadcast("sent while the Redis bus was down")
    feeding.ticks.now += 0.01  # far inside FRESH_SECONDS
    assert seqs(await feed.after(session, 0, newest=None, fresh_within=0.0)) == [1]
    assert len(feeding.outbox_reads) == 2


# ── frames prepared once ──────────────────────────────────────────────────────────────

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    seq=st.integers(min_value=1, max_value=2**40),
    type=st.sampled_from(["note.added", "broadcast.sent", "block.started"]),
    payload=st.dictionaries(st.text(), JSON_VALUES, max_size=5),
    now=st.text(),
)
def test_a_prepared_frame_is_the_frame_sse_would_write(
    seq: int, type: str, payload: dict[str, object], now: str
):
    head = frame_head(seq, type, payload)
    entry = FeedEntry(seq, type, head, live=None, audience=Audience(frozenset()))  # type: ignore[arg-type]
    data = {"type": type, "seq": seq, "payload": payload, "server_time": now}
    assert entry.frame(json.dumps(now, ensure_ascii=False)) == frame(event=type, id=seq, data=data)
    assert entry.payload() == payload
