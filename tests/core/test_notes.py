from __future__ import annotations

import dataclasses
import unicodedata
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pollinate.core.notes import (
    MAX_NOTE_CHARS,
    Note,
    NoteState,
    clean_note_text,
    edit_note,
    take_note,
)
from pollinate.errors import InputError

AT = datetime(2025, 6, 24, 9, 30, tzinfo=UTC)


def test_a_note_has_exactly_these_fields_and_no_author():
    names = {field.name for field in dataclasses.fields(Note)}
    assert names == {"id", "round", "table", "text", "taken_at", "highlighted"}


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  Trust is local.  ", "Trust is local."),
        ("line one\r\nline two", "line one\nline two"),
        ("old mac\rline", "old mac\nline"),
        ("para\u2029graph\u2028line\x85next", "para\ngraph\nline\nnext"),
        ("bell\x07 null\x00 escape\x1b[31m", "bell null escape[31m"),
        ("col\tumn\nrow", "col\tumn\nrow"),
        ("family 👨\u200d👩\u200d👧 stays whole", "family 👨\u200d👩\u200d👧 stays whole"),
        ("\x00\n  Café crème \t\r\n", "Café crème"),
    ],
)
def test_note_text_is_trimmed_with_plain_newlines_and_no_control_characters(typed, kept):
    assert clean_note_text(typed) == kept


@pytest.mark.parametrize("typed", ["", "   ", "\r\n\t", "\x00\x07"])
def test_an_empty_note_is_refused_on_the_text_field(typed):
    with pytest.raises(InputError, match="the note is empty") as refused:
        clean_note_text(typed)
    assert refused.value.field == "text"
    assert refused.value.advice


def test_a_note_of_exactly_the_limit_is_kept():
    assert len(clean_note_text("a" * MAX_NOTE_CHARS)) == MAX_NOTE_CHARS == 2000


def test_an_overlong_note_names_the_limit_and_its_length():
    with pytest.raises(InputError) as refused:
        clean_note_text("a" * 2345)
    assert refused.value.field == "text"
    assert "2,345 characters long; the limit is 2,000" in str(refused.value)
    assert refused.value.advice == "Shorten it by 345 characters or split it in two."


def test_one_character_too_many_is_said_in_the_singular():
    with pytest.raises(InputError, match="Shorten it by 1 character or"):
        clean_note_text("a" * (MAX_NOTE_CHARS + 1))


def test_the_limit_counts_the_cleaned_text():
    padded = "  " + "a" * (MAX_NOTE_CHARS - 1) + "\r\n  "
    assert len(clean_note_text(padded)) == MAX_NOTE_CHARS - 1
    windows_lines = "ab\r\n" * 500  # 2,000 characters typed, 1,499 once cleaned and trimmed
    assert len(clean_note_text(windows_lines)) == 1499


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_cleaning_leaves_clean_text_unchanged_and_removes_what_it_must(typed):
    try:
        cleaned = clean_note_text(typed)
    except InputError:
        assert typed.strip() == "" or all(
            unicodedata.category(char) == "Cc" or char.isspace() for char in typed
        )
        return
    assert clean_note_text(cleaned) == cleaned
    assert cleaned == cleaned.strip()
    assert "\r" not in cleaned
    assert all(char in "\n\t" or unicodedata.category(char) != "Cc" for char in cleaned), (
        "a control character survived"
    )


def cleaned_by_category(text: str) -> str:
    """The cleaning rule as written in Unicode's own terms, for comparison."""
    for line_break in ("\r\n", "\r", "\x85", "\u2028", "\u2029"):
        text = text.replace(line_break, "\n")
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc").strip()


@given(st.text(st.characters(codec="utf-8"), max_size=300))
def test_cleaning_removes_exactly_the_control_characters_other_than_newline_and_tab(typed):
    expected = cleaned_by_category(typed)
    if not expected:
        with pytest.raises(InputError):
            clean_note_text(typed)
    else:
        assert clean_note_text(typed) == expected


def test_take_note_cleans_the_text_and_starts_unhighlighted():
    note = take_note("n1", round=2, table="Table 3", text="  Trust\r\n", taken_at=AT)
    assert note == Note("n1", 2, "Table 3", "Trust", AT, highlighted=False)


def test_take_note_refuses_an_empty_note():
    with pytest.raises(InputError):
        take_note("n1", round=1, table="Table 3", text=" \n ", taken_at=AT)


@pytest.mark.parametrize(
    "fields",
    [
        {"taken_at": datetime(2025, 6, 24, 9, 30)},  # noqa: DTZ001 - the point of the test
        {"round": 0},
        {"round": True},
        {"table": "  "},
        {"id": ""},
        {"text": " untrimmed "},
        {"text": "windows\r\nline"},
    ],
)
def test_a_note_that_breaks_its_guarantees_cannot_be_built(fields):
    values = {"id": "n1", "round": 1, "table": "T1", "text": "Fine.", "taken_at": AT} | fields
    with pytest.raises(ValueError, match=r"\S"):
        Note(**values)


def test_editing_changes_text_and_highlight_but_keeps_where_and_when():
    note = take_note("n1", round=2, table="Table 3", text="Trust", taken_at=AT)
    edited = edit_note(note, text=" Trust is local\r\n", highlighted=True)
    assert edited == Note("n1", 2, "Table 3", "Trust is local", AT, highlighted=True)
    assert edit_note(edited, highlighted=False) == dataclasses.replace(edited, highlighted=False)
    assert edit_note(edited) == edited


def test_editing_a_note_to_nothing_is_refused():
    note = take_note("n1", round=2, table="Table 3", text="Trust", taken_at=AT)
    with pytest.raises(InputError, match="empty"):
        edit_note(note, text="   ")


def test_note_states_are_active_and_deleted():
    assert [state.value for state in NoteState] == ["active", "deleted"]
