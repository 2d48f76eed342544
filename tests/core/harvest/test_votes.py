from __future__ import annotations

import pytest

from pollinate.core.harvest.theme import Theme
from pollinate.core.harvest.votes import Ballot, tally
from pollinate.errors import InputError

BOARD = [
    Theme("t1", "Trust", ("n1",), 1, ("Table 1",), (1,), ("n1",), ()),
    Theme("t2", "Money", ("n2",), 1, ("Table 2",), (1,), ("n2",), ()),
    Theme("t3", "Youth", ("n3",), 1, ("Table 3",), (1,), ("n3",), ()),
]


def test_tally_counts_dots_and_voters_and_ranks_themes():
    result = tally(
        [Ballot("a", ("t2", "t2", "t1")), Ballot("b", ("t1", "t3")), Ballot("c", ())], BOARD
    )
    assert [(v.theme_id, v.dots, v.voters) for v in result.ranking] == [
        ("t1", 2, 2),
        ("t2", 2, 1),
        ("t3", 1, 1),
    ]
    assert (result.ballots, result.dots_cast) == (3, 5)
    assert result.dots_for("t2") == 2


def test_a_theme_nobody_dotted_is_listed_with_no_dots():
    result = tally([Ballot("a", ("t3",))], BOARD)
    assert [v.theme_id for v in result.ranking] == ["t3", "t1", "t2"]
    assert result.dots_for("t1") == 0


def test_stacking_all_dots_on_one_theme_is_allowed_by_default():
    assert tally([Ballot("a", ("t1", "t1", "t1"))], BOARD).dots_for("t1") == 3


def test_facilitator_can_limit_dots_per_theme():
    with pytest.raises(InputError, match="at most 1 may go on one theme") as caught:
        tally([Ballot("a", ("t1",)), Ballot("b", ("t1", "t1"))], BOARD, per_theme=1)
    assert caught.value.row == 2


def test_a_ballot_with_too_many_dots_is_rejected():
    with pytest.raises(InputError, match="spends 4 dots; each participant has 3"):
        tally([Ballot("a", ("t1", "t2", "t3", "t1"))], BOARD)


def test_more_dots_can_be_given():
    assert tally([Ballot("a", ("t1",) * 5)], BOARD, dots=5).dots_for("t1") == 5


def test_a_dot_on_a_theme_not_on_the_board_is_rejected():
    with pytest.raises(InputError, match=r"gone, which is not on the board"):
        tally([Ballot("a", ("gone",))], BOARD)


def test_a_ballot_counts_once():
    with pytest.raises(InputError, match="counted already"):
        tally([Ballot("a", ("t1",)), Ballot("a", ("t2",))], BOARD)


def test_a_vote_needs_at_least_one_dot():
    with pytest.raises(InputError, match="at least one dot"):
        tally([], BOARD, dots=0)
