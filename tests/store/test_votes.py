from __future__ import annotations

from sqlalchemy import inspect

from pollinate.core.harvest.theme import Theme
from pollinate.core.harvest.votes import Ballot
from pollinate.store import votes
from pollinate.store.tables import BallotRow
from tests.conftest import Database
from tests.store.conftest import NOW

THEMES = (Theme("t-a", "Trust", ("a1",), 1, ("Table 1",), (1,), ("a1",), ()),)


def test_the_ballot_table_holds_no_person_no_link_and_no_time(db: Database):
    columns = {column["name"] for column in inspect(db.engine).get_columns("ballots")}
    assert columns == {"vote_id", "voter", "dots_json"}
    assert set(BallotRow.__table__.columns.keys()) == columns


def test_a_voter_has_one_ballot_per_vote_which_a_new_one_replaces(db: Database, make_session):
    session_id = make_session()
    with db.session.begin() as s:
        vote = votes.open_vote(s, session_id, themes=THEMES, dots=3, per_theme=None, now=NOW)
        votes.put_ballot(s, vote.id, "voter-1", ["t-a", "t-a"])
        votes.put_ballot(s, vote.id, "voter-1", ["t-a"])
    with db.session() as s:
        assert votes.ballots_of(s, vote.id) == [Ballot("voter-1", ("t-a",))]
        assert votes.count_ballots(s, vote.id) == 1


def test_the_latest_vote_is_the_last_opened_even_within_one_clock_tick(db: Database, make_session):
    session_id = make_session()
    with db.session.begin() as s:
        first = votes.open_vote(s, session_id, themes=THEMES, dots=3, per_theme=None, now=NOW)
        votes.close_vote(s, first.id, now=NOW)
        second = votes.open_vote(s, session_id, themes=THEMES, dots=2, per_theme=1, now=NOW)
    with db.session() as s:
        latest = votes.latest_vote(s, session_id)
        closed = votes.latest_vote(s, session_id, closed_only=True)
    assert latest is not None
    assert closed is not None
    assert (latest.id, latest.is_open, latest.themes) == (second.id, True, THEMES)
    assert closed.id == first.id
    assert first.salt != second.salt
