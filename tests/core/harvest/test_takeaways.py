from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pollinate.core.harvest.takeaways import (
    MAX_TAKEAWAY_CHARS,
    TakeawayKind,
    promote_note,
    promote_theme,
)
from pollinate.core.harvest.theme import Theme
from pollinate.core.notes import Note
from pollinate.errors import InputError

THEME = Theme("t1", "Rural broadband", ("n1", "n2"), 2, ("Table 1",), (1,), ("n1",), ())
NOTE = Note("n2", 1, "Table 1", "Fund rural broadband", datetime(2025, 6, 24, tzinfo=UTC))


def test_a_promoted_theme_keeps_its_label_and_id():
    takeaway = promote_theme(THEME, TakeawayKind.TAKEAWAY)
    assert (takeaway.text, takeaway.theme_ids, takeaway.note_ids) == (
        "Rural broadband",
        ("t1",),
        (),
    )


def test_a_promoted_note_becomes_a_call_to_action_in_the_rapporteurs_words():
    takeaway = promote_note(NOTE, TakeawayKind.CALL_TO_ACTION, " Fund broadband\r\nby 2027 ")
    assert takeaway.kind is TakeawayKind.CALL_TO_ACTION
    assert (takeaway.text, takeaway.note_ids) == ("Fund broadband\nby 2027", ("n2",))


@pytest.mark.parametrize("text", ["   ", "x" * (MAX_TAKEAWAY_CHARS + 1)])
def test_an_empty_or_overlong_takeaway_is_an_input_error(text):
    with pytest.raises(InputError, match="takeaway"):
        promote_theme(THEME, TakeawayKind.TAKEAWAY, text)
