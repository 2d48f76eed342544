from __future__ import annotations

import json
from datetime import timedelta

import pytest

from pollinate.actions.note_exports import NotesFormat, note_records, notes_file
from pollinate.core.notes import Note
from pollinate.errors import ExportBlocked
from pollinate.store import repositories
from pollinate.store.db import session_factory
from tests.actions.ran_cafe import NOTES, run_cafe
from tests.conftest import Database
from tests.web.conftest import START


@pytest.fixture
def store(db: Database):
    return session_factory(db.engine)


@pytest.fixture
def session_id(store) -> str:
    return run_cafe(store)


def slip_in(store, session_id: str, text: str) -> str:
    at = START + timedelta(minutes=12)
    note = Note(repositories.new_note_id(), 1, "Table 2", text, at)
    with store.begin() as db:
        repositories.add_note(db, session_id, note, now=at)
    return note.id


def export(store, session_id: str, notes_format: NotesFormat, **options) -> str:
    with store.begin() as db:
        records, roster = note_records(db, session_id, **options)
    return notes_file(records, roster, notes_format)


def test_every_note_is_exported_oldest_first_with_exactly_five_fields(store, session_id):
    notes = json.loads(export(store, session_id, NotesFormat.JSON))
    assert [(n["round"], n["table"], n["text"]) for n in notes] == list(NOTES)
    assert all(list(n) == ["id", "round", "table", "text", "created_at"] for n in notes)
    assert [n["created_at"] for n in notes][:2] == [
        "2025-06-24T09:10:00+00:00",
        "2025-06-24T09:10:01+00:00",
    ]


def test_notes_of_one_round_or_of_the_online_rooms_only(store, session_id):
    second = json.loads(export(store, session_id, NotesFormat.JSON, round=2))
    assert [n["text"] for n in second] == [text for r, _, text in NOTES if r == 2]
    rooms = json.loads(export(store, session_id, NotesFormat.JSON, rooms_only=True))
    assert {n["table"] for n in rooms} == {"Room 1"}


def test_a_name_that_slipped_into_the_store_is_redacted_in_the_export(store, session_id):
    slip_in(store, session_id, "As Person 6 (person6@example.org) put it: trust first.")
    text = export(store, session_id, NotesFormat.CSV)
    assert "Person 6" not in text
    assert "person6@example.org" not in text
    assert "As [a participant] ([an email]) put it: trust first." in text


def test_a_name_the_redactor_misses_blocks_the_export_and_says_which_note(store, session_id):
    note_id = slip_in(store, session_id, "Person 6 said trust comes first.")
    with pytest.raises(ExportBlocked) as blocked, store.begin() as db:
        note_records(db, session_id, scrub=lambda text: text)
    assert blocked.value.places == (
        f"note {note_id} (round 1, Table 2): the name of participant p06 at characters 1-8",
    )
    assert "Person 6" not in str(blocked.value)


def test_a_role_holders_name_in_a_note_is_redacted_although_they_are_not_on_the_roster(
    store, session_id
):
    slip_in(store, session_id, "Olu Onyeka summed it up.")
    notes = json.loads(export(store, session_id, NotesFormat.JSON))
    assert [n["text"] for n in notes if n["text"].endswith("summed it up.")] == [
        "[a participant] summed it up."
    ]
