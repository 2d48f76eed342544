from datetime import time

from pollinate.io.rounds import describe_rounds
from tests.io import hybrid_cafe


def test_rounds_take_questions_and_clock_times_from_the_agenda():
    rounds = describe_rounds(hybrid_cafe.spec(), 2)
    assert [(r.number, r.question, r.minutes, r.starts_at) for r in rounds] == [
        (1, "Who should hold the data?", 20, "14:10"),
        (2, "What would build trust?", 20, "14:30"),
    ]


def test_without_a_session_file_rounds_are_called_round_n():
    assert [r.question for r in describe_rounds(None, 3)] == ["Round 1", "Round 2", "Round 3"]


def test_rounds_beyond_the_session_file_fall_back_to_round_n():
    rounds = describe_rounds(hybrid_cafe.spec(), 3)
    assert rounds[2].question == "Round 3"
    assert rounds[2].starts_at is None


def test_no_start_time_means_no_clock_times():
    rounds = describe_rounds(hybrid_cafe.spec(start_time=None), 2)
    assert [r.starts_at for r in rounds] == [None, None]


def test_clock_wraps_past_midnight():
    rounds = describe_rounds(hybrid_cafe.spec(start_time=time(23, 55)), 2)
    assert [r.starts_at for r in rounds] == ["00:05", "00:25"]
