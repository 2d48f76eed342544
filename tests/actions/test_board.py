from __future__ import annotations

import time
from datetime import timedelta

import anyio
import pytest

from pollinate.actions import board as board_actions
from pollinate.actions.board import Reclustering, refresh_board
from pollinate.actions.notes import NoteWriter, accept_note
from pollinate.core.harvest import remote
from pollinate.core.roles import Role
from pollinate.live.memory import MemoryBus
from pollinate.store import harvest, outbox
from tests.actions.conftest import in_round_one
from tests.web.conftest import START

pytestmark = pytest.mark.anyio

TEXTS = [
    "Rural broadband must reach every village",
    "Fund rural broadband networks now",
    "Teach media literacy in every school",
    "Schools need media literacy lessons",
]


async def take(store, bus, session_id: str, text: str, second: int) -> None:
    await accept_note(
        store,
        bus,
        session_id,
        NoteWriter(Role.HOST, table="Table 1"),
        round=1,
        table="Table 1",
        text=text,
        now=START + timedelta(seconds=second),
    )


def changes(store, session_id: str) -> list[int]:
    with store.begin() as db:
        events = outbox.latest_of_type(db, session_id, "themes.changed", 50)
    return [int(event.payload["revision"]) for event in events]


async def test_a_burst_of_notes_is_re_clustered_once_after_it(store):
    bus = MemoryBus()
    session_id = await in_round_one(store, bus)
    watch = Reclustering(store, bus, lambda: START, delay=0.2)
    for second, text in enumerate(TEXTS):
        await take(store, bus, session_id, text, second)
        watch.notes_changed(session_id)
    assert changes(store, session_id) == []  # not yet: it waits for the burst to end
    await watch.idle()
    assert changes(store, session_id) == [1]
    with store.begin() as db:
        board = harvest.load_board(db, session_id)
    assert board is not None
    assert sorted(theme.size for theme in board.themes) == [2, 2]
    await bus.close()


async def test_a_note_during_a_re_clustering_brings_one_more(store):
    bus = MemoryBus()
    session_id = await in_round_one(store, bus)
    await take(store, bus, session_id, TEXTS[0], 0)
    watch = Reclustering(store, bus, lambda: START, delay=0.05)
    watch.notes_changed(session_id)
    await anyio.sleep(0.06)  # the first round has begun re-clustering
    await take(store, bus, session_id, TEXTS[1], 1)
    watch.notes_changed(session_id)
    await watch.idle()
    with store.begin() as db:
        board = harvest.load_board(db, session_id)
    assert board is not None
    assert sum(theme.size for theme in board.themes) == 2
    await bus.close()


async def test_closing_cancels_what_is_pending(store):
    bus = MemoryBus()
    session_id = await in_round_one(store, bus)
    await take(store, bus, session_id, TEXTS[0], 0)
    watch = Reclustering(store, bus, lambda: START, delay=30)
    watch.notes_changed(session_id)
    await watch.close()
    await watch.idle()
    assert changes(store, session_id) == []
    await bus.close()


async def test_the_same_notes_are_not_clustered_twice(store):
    bus = MemoryBus()
    session_id = await in_round_one(store, bus)
    await take(store, bus, session_id, TEXTS[0], 0)
    first = await refresh_board(store, bus, session_id, now=START)
    again = await refresh_board(store, bus, session_id, now=START)
    assert again.revision == first.revision == 1
    assert (await refresh_board(store, bus, session_id, now=START, force=True)).revision == 2
    await bus.close()


async def test_notes_that_keep_coming_space_out_a_slow_re_clustering(store, monkeypatch):
    runs: list[tuple[float, float]] = []

    async def slow_refresh(*_args, **_kwargs) -> None:
        began = time.monotonic()
        await anyio.sleep(0.2)
        runs.append((began, time.monotonic()))

    monkeypatch.setattr(board_actions, "refresh_board", slow_refresh)
    bus = MemoryBus()
    session_id = await in_round_one(store, bus)
    watch = Reclustering(store, bus, lambda: START, delay=0.01)
    watch.notes_changed(session_id)
    await anyio.sleep(0.1)  # inside the first re-clustering
    watch.notes_changed(session_id)
    await watch.idle()
    assert len(runs) == 2
    gap = runs[1][0] - runs[0][1]
    # Three times the 0.2 s it took (BUSY_SHARE 4), not the 0.01 s debounce.
    assert gap >= 0.2 * (board_actions.BUSY_SHARE - 1) * 0.95
    await bus.close()


async def test_two_workers_re_cluster_one_board_one_at_a_time_and_miss_no_note(store, monkeypatch):
    bus = MemoryBus()
    session_id = await in_round_one(store, bus)
    clustering = {"now": 0, "most": 0}
    cluster = remote.themes

    def slow_cluster(*arguments):  # on a worker thread, as in the app
        clustering["now"] += 1
        clustering["most"] = max(clustering["most"], clustering["now"])
        time.sleep(0.15)
        try:
            return cluster(*arguments)
        finally:
            clustering["now"] -= 1

    monkeypatch.setattr(remote, "themes", slow_cluster)
    worker_a = Reclustering(store, bus, lambda: START, delay=0.02)
    worker_b = Reclustering(store, bus, lambda: START, delay=0.02)
    await take(store, bus, session_id, TEXTS[0], 0)  # taken by worker a
    worker_a.notes_changed(session_id)
    await take(store, bus, session_id, TEXTS[1], 1)  # taken by worker b
    worker_b.notes_changed(session_id)
    await worker_a.idle()
    await worker_b.idle()
    assert clustering["most"] == 1
    with store.begin() as db:
        board = harvest.load_board(db, session_id)
    assert board is not None
    assert sum(theme.size for theme in board.themes) == 2
    await bus.close()


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)  # the boundary is not the store's
async def test_a_board_clustered_in_a_helper_process_is_the_board_clustered_on_a_thread(store):
    bus = MemoryBus()
    session_id = await in_round_one(store, bus)
    for second, text in enumerate(TEXTS):
        await take(store, bus, session_id, text, second)
    helper = board_actions.Clusterer(helper_process=True)
    await helper.warm()
    in_helper = await refresh_board(store, bus, session_id, now=START, clusterer=helper)
    on_thread = await refresh_board(store, bus, session_id, now=START, force=True)
    assert in_helper.revision == 1
    assert [(t.label, t.note_ids) for t in in_helper.themes] == [
        (t.label, t.note_ids) for t in on_thread.themes
    ]
    assert sorted(theme.size for theme in in_helper.themes) == [2, 2]
    await bus.close()
