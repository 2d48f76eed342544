"""Notes written in batches (`NoteIntake`, `take_notes`) answer exactly as one by one."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from pollinate.actions import notes as note_actions
from pollinate.actions.live import SessionNotFound
from pollinate.actions.notes import NoteIntake, NoteWriter, accept_note
from pollinate.core.roles import Role
from pollinate.errors import InputError, NotAllowed
from pollinate.live.memory import MemoryBus
from pollinate.store import outbox, repositories
from tests.actions.conftest import in_round_one
from tests.web.conftest import START

pytestmark = pytest.mark.anyio

HOST_1 = NoteWriter(Role.HOST, table="Table 1")
HOST_2 = NoteWriter(Role.HOST, table="Table 2")


class CountingBus(MemoryBus):
    """The memory bus, keeping every seq published."""

    def __init__(self) -> None:
        super().__init__()
        self.published: list[int] = []

    async def publish(self, session_id: str, seq: int) -> None:
        self.published.append(seq)
        await super().publish(session_id, seq)


def at(second: int):
    return START + timedelta(seconds=second)


async def burst(intake: NoteIntake, session_id: str, calls: list[dict[str, Any]]) -> list[Any]:
    """Submit every call at once, so all but the first queue behind one running batch."""
    tasks = [
        asyncio.create_task(intake.accept(session_id, call.pop("writer", HOST_1), **call))
        for call in calls
    ]
    return await asyncio.gather(*tasks, return_exceptions=True)


def stored(store, session_id: str):
    with store.begin() as db:
        notes = repositories.list_notes(db, session_id)
        events = outbox.since(db, session_id, 0, limit=1000)
    return notes, [e for e in events if e.type == "note.added"]


async def test_a_burst_of_notes_lands_in_fewer_transactions_each_once_in_order(store):
    bus = CountingBus()
    session_id = await in_round_one(store, bus)
    published = bus.published
    published.clear()
    intake = NoteIntake(store, bus)
    calls = [
        {"round": 1, "table": "Table 1", "text": f"idea number {n}", "now": at(n)}
        for n in range(30)
    ]
    receipts = await burst(intake, session_id, calls)
    assert intake.batches < 30  # 1 alone, then the rest behind it
    notes, added = stored(store, session_id)
    assert sorted(n.text for n in notes) == sorted(f"idea number {n}" for n in range(30))
    assert [e.payload["text"] for e in added] == [f"idea number {n}" for n in range(30)]
    assert [e.payload["note_id"] for e in added] == [r.body["id"] for r in receipts]
    seqs = [e.seq for e in added]
    assert seqs == list(range(seqs[0], seqs[0] + 30))  # consecutive: one counter move a batch
    assert len(published) == intake.batches
    assert published[-1] == seqs[-1]
    assert {n.taken_at for n in notes} == {at(n) for n in range(30)}


async def test_a_batched_answer_is_the_answer_accept_note_gives(store):
    bus = MemoryBus()
    session_id = await in_round_one(store, bus)
    text = "Person 1 said the audit must be public"  # a roster name: redacted
    alone = await accept_note(
        store, bus, session_id, HOST_1, round=1, table="Table 1", text=text, now=at(1)
    )
    intake = NoteIntake(store, bus)
    batched = await burst(
        intake,
        session_id,
        [{"round": 1, "table": "Table 1", "text": text, "now": at(1)} for _ in range(3)],
    )
    for receipt in batched:
        assert {k: v for k, v in receipt.body.items() if k != "id"} == {
            k: v for k, v in alone.body.items() if k != "id"
        }
        assert "Person 1" not in receipt.body["text"]
        assert receipt.body["redactions"]


async def test_a_refused_note_in_a_batch_fails_alone_and_the_others_land(store):
    bus = MemoryBus()
    session_id = await in_round_one(store, bus)
    intake = NoteIntake(store, bus)
    results = await burst(
        intake,
        session_id,
        [
            {"round": 1, "table": "Table 1", "text": "first", "now": at(1)},
            {"round": 1, "table": "Table 1", "text": "second", "now": at(2)},
            {"writer": HOST_2, "round": 1, "table": "Table 1", "text": "not mine", "now": at(3)},
            {"round": 1, "table": "Table 9", "text": "no such table", "now": at(4)},
            {"round": 2, "table": "Table 1", "text": "round not on", "now": at(5)},
            {"round": 1, "table": "Table 1", "text": "   ", "now": at(6)},
            {"round": 1, "table": "Table 1", "text": "third", "now": at(7)},
        ],
    )
    assert [type(r).__name__ for r in results] == [
        "NoteReceipt",
        "NoteReceipt",
        "NotAllowed",
        "InputError",
        "NotAllowed",
        "InputError",
        "NoteReceipt",
    ]
    assert isinstance(results[2], NotAllowed)
    assert isinstance(results[5], InputError)
    notes, added = stored(store, session_id)
    assert sorted(n.text for n in notes) == ["first", "second", "third"]
    assert len(added) == 3


async def test_one_key_twice_in_a_batch_or_again_later_makes_one_note(store):
    bus = MemoryBus()
    session_id = await in_round_one(store, bus)
    intake = NoteIntake(store, bus)
    same: dict[str, Any] = {
        "round": 1,
        "table": "Table 1",
        "text": "only once",
        "idempotency_key": "k-1",
    }
    results = await burst(
        intake,
        session_id,
        [
            {"round": 1, "table": "Table 1", "text": "before", "now": at(0)},
            {**same, "now": at(1)},
            {**same, "now": at(2)},
        ],
    )
    again = await intake.accept(session_id, HOST_1, **same, now=at(3))
    assert not results[1].replayed
    assert results[2].replayed
    assert again.replayed
    assert results[1].body == results[2].body == again.body
    notes, added = stored(store, session_id)
    assert sorted(n.text for n in notes) == ["before", "only once"]
    assert len(added) == 2


async def test_a_key_another_worker_stored_meanwhile_replays_and_spares_the_batch(
    store, monkeypatch
):
    bus = MemoryBus()
    session_id = await in_round_one(store, bus)
    first = await accept_note(
        store,
        bus,
        session_id,
        HOST_1,
        round=1,
        table="Table 1",
        text="won",
        now=at(0),
        idempotency_key="race",
    )
    # As if the other worker's commit came after this batch looked for the key: the
    # batch's insert of the key then fails, and each request is written on its own.
    real = repositories.recall_responses
    looks = {"n": 0}

    def late_recall(db, session, keys):
        looks["n"] += 1
        return {} if looks["n"] == 1 else real(db, session, keys)

    monkeypatch.setattr(repositories, "recall_responses", late_recall)
    intake = NoteIntake(store, bus)
    held = asyncio.Event()
    write = note_actions.write_notes

    async def hold_first(store_, bus_, requests):
        if not held.is_set():
            await held.wait()
        return await write(store_, bus_, requests)

    monkeypatch.setattr(note_actions, "write_notes", hold_first)
    tasks = [
        asyncio.create_task(intake.accept(session_id, HOST_1, round=1, table="Table 1", **c))
        for c in (
            {"text": "warm-up", "now": at(1)},
            {"text": "lost", "now": at(2), "idempotency_key": "race"},
            {"text": "bystander", "now": at(3)},
        )
    ]
    await asyncio.sleep(0.05)
    held.set()
    _warm, raced, bystander = await asyncio.gather(*tasks)
    assert raced.replayed
    assert raced.body == first.body
    assert not bystander.replayed
    notes, _ = stored(store, session_id)
    assert sorted(n.text for n in notes) == ["bystander", "warm-up", "won"]


async def test_notes_for_an_unknown_session_fail_without_harming_the_batch(store):
    bus = MemoryBus()
    session_id = await in_round_one(store, bus)
    intake = NoteIntake(store, bus)
    tasks = [
        asyncio.create_task(
            intake.accept(sid, HOST_1, round=1, table="Table 1", text=text, now=at(1))
        )
        for sid, text in ((session_id, "a"), ("no-such-session", "b"), (session_id, "c"))
    ]
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert isinstance(results[1], SessionNotFound)
    notes, _ = stored(store, session_id)
    assert sorted(n.text for n in notes) == ["a", "c"]


async def test_a_key_too_long_is_refused_before_it_joins_a_batch(store):
    bus = MemoryBus()
    session_id = await in_round_one(store, bus)
    intake = NoteIntake(store, bus)
    with pytest.raises(InputError, match="idempotency key"):
        await intake.accept(
            session_id,
            HOST_1,
            round=1,
            table="Table 1",
            text="x",
            now=at(1),
            idempotency_key="k" * 101,
        )
    assert intake.batches == 0
