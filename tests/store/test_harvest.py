from __future__ import annotations

from datetime import timedelta

import pytest

from pollinate.core.harvest.edits import ThemeEdits
from pollinate.core.harvest.takeaways import Takeaway, TakeawayKind
from pollinate.core.harvest.theme import Theme
from pollinate.store import harvest
from pollinate.store.harvest import Board, BoardConflict
from tests.conftest import Database
from tests.store.conftest import NOW

BOARD = (
    Theme("t-a", "Trust", ("a1", "a2"), 2, ("Table 1",), (1,), ("a1",), (("a1", "a2"),), ("a2",)),
    Theme("t-b", "Money", ("b1",), 1, ("Table 2",), (1, 2), ("b1",), ()),
)


def test_a_board_with_its_edits_comes_back_as_it_was_saved(db: Database, make_session):
    session_id = make_session()
    edits = ThemeEdits().merge(BOARD, "t-a", "t-b").rename(BOARD, "t-a", "Funding trust")
    edits = edits.split(BOARD, ["a2"]).star("b1")
    board = Board(themes=BOARD, edits=edits, n_themes=4, notes_key="k")
    with db.session.begin() as s:
        assert harvest.save_board(s, session_id, board, expected_revision=0, now=NOW) == 1
    with db.session() as s:
        stored = harvest.load_board(s, session_id)
    assert stored == Board(BOARD, edits, 4, "k", shown=False, revision=1)


def test_a_board_saved_from_an_old_revision_is_refused(db: Database, make_session):
    session_id = make_session()
    with db.session.begin() as s:
        harvest.save_board(s, session_id, Board(themes=BOARD), expected_revision=0, now=NOW)
        harvest.save_board(s, session_id, Board(), expected_revision=1, now=NOW)
    with db.session.begin() as s, pytest.raises(BoardConflict):
        harvest.save_board(s, session_id, Board(themes=BOARD), expected_revision=1, now=NOW)


def test_switching_the_report_back_keeps_the_themes(db: Database, make_session):
    session_id = make_session()
    with db.session.begin() as s:
        assert harvest.set_shown(s, session_id, True, now=NOW) == 1  # before any clustering
        harvest.save_board(s, session_id, Board(themes=BOARD), expected_revision=1, now=NOW)
        assert harvest.set_shown(s, session_id, False, now=NOW) == 3
    with db.session() as s:
        stored = harvest.load_board(s, session_id)
    assert stored is not None
    assert (stored.shown, stored.themes) == (False, BOARD)


def test_takeaways_keep_their_order_kind_and_sources(db: Database, make_session):
    session_id = make_session()
    with db.session.begin() as s:
        first = harvest.add_takeaway(
            s, session_id, Takeaway(TakeawayKind.TAKEAWAY, "Trust is local", ("t-a",)), now=NOW
        )
        harvest.add_takeaway(
            s, session_id, Takeaway(TakeawayKind.CALL_TO_ACTION, "Fund it", (), ("b1",)), now=NOW
        )
        harvest.change_takeaway(
            s, session_id, first, Takeaway(TakeawayKind.TAKEAWAY, "Trust is built locally"), now=NOW
        )
    with db.session() as s:
        assert harvest.takeaways(s, session_id) == [
            Takeaway(TakeawayKind.TAKEAWAY, "Trust is built locally", ("t-a",)),
            Takeaway(TakeawayKind.CALL_TO_ACTION, "Fund it", (), ("b1",)),
        ]
    with db.session.begin() as s:
        harvest.delete_takeaway(s, session_id, first)
        with pytest.raises(LookupError):
            harvest.delete_takeaway(s, session_id, first)


def lease(db: Database, session_id: str, holder: str, second: int) -> bool:
    with db.session.begin() as s:
        return harvest.take_clustering_lease(
            s, session_id, holder, now=NOW + timedelta(seconds=second), seconds=30
        )


def test_one_holder_at_a_time_has_a_clustering_lease_until_it_runs_out(db: Database, make_session):
    session_id, other_session = make_session(), make_session()
    assert lease(db, session_id, "worker-a", 0)
    assert not lease(db, session_id, "worker-b", 10)  # a's runs until second 30
    assert lease(db, session_id, "worker-a", 20)  # a extends its own, to second 50
    assert not lease(db, session_id, "worker-b", 40)
    assert lease(db, other_session, "worker-b", 40)  # per session
    assert lease(db, session_id, "worker-b", 50)  # a's ran out: a died holding it
    assert not lease(db, session_id, "worker-a", 51)


def test_a_clustering_lease_given_back_is_free_at_once_and_only_its_holder_gives_it(
    db: Database, make_session
):
    session_id = make_session()
    assert lease(db, session_id, "worker-a", 0)
    with db.session.begin() as s:
        harvest.end_clustering_lease(s, session_id, "worker-b")  # not b's to give
    assert not lease(db, session_id, "worker-b", 1)
    with db.session.begin() as s:
        harvest.end_clustering_lease(s, session_id, "worker-a")
    assert lease(db, session_id, "worker-b", 2)
