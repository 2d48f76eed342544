from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest

from pollinate.store import outbox
from tests.conftest import Database
from tests.store.conftest import NOW


def append_committed(db: Database, session_id: str, count: int, at=NOW) -> list[int]:
    seqs = []
    for number in range(count):
        with db.session.begin() as s:
            seqs.append(outbox.append(s, session_id, "note.added", {"n": number}, now=at))
    return seqs


def test_seqs_start_at_one_and_increase_per_session(db: Database, make_session):
    first, second = make_session(), make_session()
    assert append_committed(db, first, 3) == [1, 2, 3]
    assert append_committed(db, second, 2) == [1, 2]
    assert append_committed(db, first, 1) == [4]


def test_since_returns_later_events_in_order_with_their_payloads(db: Database, make_session):
    session_id = make_session()
    append_committed(db, session_id, 5)
    with db.session() as s:
        events = outbox.since(s, session_id, after_seq=2)
        limited = outbox.since(s, session_id, after_seq=0, limit=2)
    assert [(e.seq, e.type, e.payload) for e in events] == [
        (3, "note.added", {"n": 2}),
        (4, "note.added", {"n": 3}),
        (5, "note.added", {"n": 4}),
    ]
    assert events[0].created_at == NOW
    assert [e.seq for e in limited] == [1, 2]


def test_a_rolled_back_change_leaves_no_event_and_no_used_seq(db: Database, make_session):
    session_id = make_session()
    with db.session() as s:
        assert outbox.append(s, session_id, "x", {}, now=NOW) == 1
        s.rollback()
    with db.session() as s:
        assert outbox.latest_seq(s, session_id) == 0
        assert outbox.since(s, session_id, 0) == []
    assert append_committed(db, session_id, 1) == [1]


def test_appending_to_an_unknown_session_raises_lookup_error(db: Database):
    with db.session() as s, pytest.raises(LookupError):
        outbox.append(s, "no-such-session", "x", {}, now=NOW)


def test_prune_drops_old_events_but_seqs_are_never_reused(db: Database, make_session):
    session_id, other = make_session(), make_session()
    append_committed(db, session_id, 3, at=NOW)
    append_committed(db, session_id, 2, at=NOW + timedelta(hours=2))
    append_committed(db, other, 1, at=NOW)
    with db.session.begin() as s:
        assert outbox.prune(s, before=NOW + timedelta(hours=1), session_id=session_id) == 3
    with db.session() as s:
        assert outbox.oldest_seq(s, session_id) == 4
        assert outbox.latest_seq(s, session_id) == 5
        assert outbox.oldest_seq(s, other) == 1  # another session's log is untouched
    with db.session.begin() as s:
        assert outbox.prune(s, before=NOW + timedelta(days=1), session_id=session_id) == 2
    with db.session() as s:
        assert outbox.oldest_seq(s, session_id) is None
    assert append_committed(db, session_id, 1) == [6]


def test_replayable_tells_when_a_client_must_resync(db: Database, make_session):
    session_id = make_session()
    append_committed(db, session_id, 3, at=NOW)
    append_committed(db, session_id, 3, at=NOW + timedelta(hours=2))
    with db.session.begin() as s:
        outbox.prune(s, before=NOW + timedelta(hours=1), session_id=session_id)
    with db.session() as s:
        verdicts = {seq: outbox.replayable(s, session_id, seq) for seq in range(-1, 9)}
    # Kept: 4..6. A client at 3 only misses 4.., so it can replay; at 2 it missed 3.
    assert verdicts == {
        -1: False,
        0: False,
        1: False,
        2: False,
        3: True,
        4: True,
        5: True,
        6: True,
        7: False,  # a seq this database never handed out
        8: False,
    }


def test_a_session_without_events_is_replayable_from_zero(db: Database, make_session):
    session_id = make_session()
    with db.session() as s:
        assert outbox.replayable(s, session_id, 0)
        assert outbox.oldest_seq(s, session_id) is None


def test_concurrent_appends_to_one_session_never_share_a_seq(
    db: Database, make_session: Callable[[], str]
):
    session_id = make_session()
    threads, per_thread = 4, 15
    start = threading.Barrier(threads)
    results: list[list[int]] = [[] for _ in range(threads)]
    errors: list[BaseException] = []

    def writer(index: int) -> None:
        try:
            start.wait()
            results[index] = append_committed(db, session_id, per_thread)
        except BaseException as error:  # reported below; a thread cannot fail the test
            errors.append(error)

    workers = [threading.Thread(target=writer, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    seqs = sorted(seq for result in results for seq in result)
    assert seqs == list(range(1, threads * per_thread + 1))
    for result in results:
        assert result == sorted(result)
