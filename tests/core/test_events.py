from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from pollinate.core.events import (
    ALLOWED_FIELDS,
    EVENT_TYPES,
    Audience,
    BlockStarted,
    BroadcastSent,
    Event,
    NoteAdded,
    NoteDeleted,
    NoteEdited,
    PresenceChanged,
    ReportBackToggled,
    SeatingChanged,
    SessionFinished,
    ThemesChanged,
    TimerExtended,
    TimerPaused,
    TimerResumed,
    VoteClosed,
    VoteCounted,
    VoteOpened,
    audience,
    event_from_payload,
    receives,
)
from pollinate.core.notes import Note
from pollinate.core.roles import Role
from pollinate.core.session import AgendaBlock, BlockKind, Room, SessionSpec, Table

NOW = datetime(2025, 6, 24, 9, 0, tzinfo=UTC)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "live-protocol.md"


def café(*, participant_notes: bool = False) -> SessionSpec:
    return SessionSpec(
        title="Trust in local networks",
        duration_minutes=40,
        agenda=(
            AgendaBlock(BlockKind.ROUND, "Round 1", 20, "What builds trust?"),
            AgendaBlock(BlockKind.ROUND, "Round 2", 20, "What breaks it?"),
        ),
        tables=(Table("Table 1", 6), Table("Table 2", 6)),
        rooms=(Room("Room A", 5),),
        participant_notes=participant_notes,
    )


NOTE = Note("n-17", 2, "Table 1", "Trust grows\nwhere people meet.", NOW, highlighted=True)

EXAMPLES: list[Event] = [
    BlockStarted(1, BlockKind.ROUND, "Round 2", 2, "What breaks it?", 20, NOW),
    BlockStarted(0, BlockKind.INTRO, "Welcome", None, None, 10, NOW),
    TimerPaused(1, 372.25),
    TimerResumed(1, NOW + timedelta(minutes=6)),
    TimerExtended(1, 5, NOW + timedelta(minutes=25), None),
    TimerExtended(1, 5, None, 672.25),
    BroadcastSent("Five minutes left.\nPlease wrap up.", NOW),
    SessionFinished(NOW.astimezone(timezone(timedelta(hours=2)))),
    NoteAdded.from_note(NOTE),
    NoteEdited.from_note(NOTE),
    NoteDeleted.from_note(NOTE),
    SeatingChanged(2),
    PresenceChanged(present=3, expected=5, absent=1),
    ThemesChanged(revision=4, shown=False),
    ThemesChanged(revision=5, shown=True),
    ReportBackToggled(shown=True),
    VoteOpened("v-1", 3),
    VoteCounted("v-1", 12),
    VoteClosed("v-1", 14),
]


def test_the_examples_cover_every_event_type():
    assert {event.type for event in EXAMPLES} == set(EVENT_TYPES)
    assert all(EVENT_TYPES[cls.type] is cls for cls in EVENT_TYPES.values())


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda event: event.type)
def test_payload_survives_json_and_rebuilds_the_same_event(event: Event):
    stored = json.dumps(event.to_payload())
    rebuilt = event_from_payload(event.type, json.loads(stored))
    assert rebuilt == event
    assert type(rebuilt) is type(event)


def test_datetimes_travel_as_iso_8601_with_their_offset():
    payload = SessionFinished(datetime(2025, 6, 24, 11, 0, tzinfo=timezone(timedelta(hours=2))))
    assert payload.to_payload() == {"finished_at": "2025-06-24T11:00:00+02:00"}
    started = EXAMPLES[0].to_payload()
    assert started["ends_at"] == "2025-06-24T09:00:00+00:00"
    assert started["kind"] == "round"


def test_an_event_with_a_naive_datetime_cannot_be_built():
    with pytest.raises(ValueError, match="timezone-aware"):
        TimerResumed(0, datetime(2025, 6, 24, 9, 0))  # noqa: DTZ001 - the point of the test


@pytest.mark.parametrize(
    ("type_", "payload", "complaint"),
    [
        ("timer.stopped", {}, "unknown event type"),
        ("timer.paused", {"block_index": 0}, "missing fields remaining_seconds"),
        (
            "timer.paused",
            {"block_index": 0, "remaining_seconds": 1.0, "participant": "Amina"},
            "unexpected fields participant",
        ),
        ("timer.paused", {"block_index": "0", "remaining_seconds": 1.0}, "block_index"),
        ("timer.paused", {"block_index": True, "remaining_seconds": 1.0}, "block_index"),
        ("note.deleted", {"note_id": "n", "round": 1, "table": None}, "note.deleted.table"),
        ("timer.resumed", {"block_index": 0, "ends_at": "2025-06-24T09:00:00"}, "no UTC offset"),
        ("seating.changed", {"round": 1.5}, "seating.changed.round"),
        (
            "block.started",
            {
                "block_index": 0,
                "kind": "keynote",
                "title": "Welcome",
                "round": None,
                "question": None,
                "minutes": 10,
                "ends_at": "2025-06-24T09:10:00+00:00",
            },
            "keynote",
        ),
    ],
)
def test_a_payload_that_does_not_fit_its_type_is_refused(type_, payload, complaint):
    with pytest.raises(ValueError, match=re.escape(complaint)):
        event_from_payload(type_, payload)


def test_whole_seconds_from_json_come_back_as_floats():
    event = event_from_payload("timer.paused", {"block_index": 0, "remaining_seconds": 300})
    assert event == TimerPaused(0, 300.0)
    assert isinstance(event.remaining_seconds, float)


@pytest.mark.parametrize("cls", EVENT_TYPES.values(), ids=lambda cls: cls.type)
def test_events_carry_only_allow_listed_fields(cls):
    names = {field.name for field in dataclasses.fields(cls)}
    assert names <= ALLOWED_FIELDS


ROSTER_LIKE = re.compile(r"name|email|mail|organi[sz]ation|participant|author|phone|region")


@pytest.mark.parametrize("cls", EVENT_TYPES.values(), ids=lambda cls: cls.type)
def test_no_event_has_a_field_that_could_hold_a_person(cls):
    names = [field.name for field in dataclasses.fields(cls)]
    assert [name for name in names if ROSTER_LIKE.search(name)] == []


def test_the_allow_list_itself_names_no_roster_field():
    assert [name for name in ALLOWED_FIELDS if ROSTER_LIKE.search(name)] == []


def test_every_event_type_is_documented_in_the_live_protocol():
    text = DOCS.read_text(encoding="utf-8")
    for type_, cls in EVENT_TYPES.items():
        assert f"### `{type_}`" in text
        section = text.split(f"### `{type_}`", 1)[1].split("\n### ", 1)[0]
        for field in dataclasses.fields(cls):
            assert f"`{field.name}`" in section, f"{type_}: {field.name} undocumented"


BOARD_TYPES = ("themes.changed", "vote.counted", "presence.changed")  # own audiences
RUN_EVENTS = [
    event
    for event in EXAMPLES
    if not event.type.startswith("note.") and event.type not in BOARD_TYPES
]
NOTE_EVENTS = [event for event in EXAMPLES if event.type.startswith("note.")]


@pytest.mark.parametrize("event", RUN_EVENTS, ids=lambda event: event.type)
@pytest.mark.parametrize("role", list(Role))
def test_timer_block_broadcast_and_seating_events_reach_every_role(event, role):
    assert receives(event, role=role, table=None, spec=café())
    assert receives(event, role=role, table="Table 2", spec=café())


# role -> does a page of that role at `Table 1` (the note's table) get Table 1's notes?
NOTE_MATRIX = {
    Role.FACILITATOR: True,
    Role.RAPPORTEUR: True,
    Role.HOST: True,
    Role.PARTICIPANT: False,
    Role.PROJECTOR: False,
    Role.ORGANIZER: False,
    Role.ONLINE_MODERATOR: False,
}


@pytest.mark.parametrize("event", NOTE_EVENTS, ids=lambda event: event.type)
@pytest.mark.parametrize("role", list(Role))
def test_note_events_reach_only_those_who_run_and_harvest_the_table(event, role):
    assert receives(event, role=role, table="Table 1", spec=café()) is NOTE_MATRIX[role]


@pytest.mark.parametrize("event", NOTE_EVENTS, ids=lambda event: event.type)
def test_a_host_gets_the_notes_of_their_own_table_only(event):
    assert receives(event, role=Role.HOST, table="Table 1", spec=café())
    assert not receives(event, role=Role.HOST, table="Table 2", spec=café())
    assert not receives(event, role=Role.HOST, table=None, spec=café())


@pytest.mark.parametrize("event", NOTE_EVENTS, ids=lambda event: event.type)
def test_facilitator_and_rapporteur_get_the_notes_of_every_table(event):
    for role in (Role.FACILITATOR, Role.RAPPORTEUR):
        assert receives(event, role=role, table=None, spec=café())
        assert receives(event, role=role, table="Table 2", spec=café())


@pytest.mark.parametrize("event", NOTE_EVENTS, ids=lambda event: event.type)
def test_participants_never_get_note_text_unless_the_session_allows_participant_notes(event):
    for table in ("Table 1", "Table 2", None):
        assert not receives(event, role=Role.PARTICIPANT, table=table, spec=café())
    allowed = café(participant_notes=True)
    assert receives(event, role=Role.PARTICIPANT, table="Table 1", spec=allowed)
    assert not receives(event, role=Role.PARTICIPANT, table="Table 2", spec=allowed)
    assert not receives(event, role=Role.PARTICIPANT, table=None, spec=allowed)


def test_a_participant_is_matched_to_the_table_of_the_notes_round():
    who = audience(NoteAdded.from_note(NOTE), spec=café(participant_notes=True))
    assert who == Audience(
        frozenset({Role.FACILITATOR, Role.RAPPORTEUR, Role.HOST, Role.PARTICIPANT}),
        table="Table 1",
        round=2,
    )


def test_the_online_moderator_gets_the_notes_of_online_rooms_only():
    online = dataclasses.replace(NOTE, table="Room A")
    assert receives(
        NoteAdded.from_note(online), role=Role.ONLINE_MODERATOR, table=None, spec=café()
    )
    assert not receives(
        NoteAdded.from_note(NOTE), role=Role.ONLINE_MODERATOR, table=None, spec=café()
    )


def test_note_events_mirror_the_note_and_nothing_more():
    added = NoteAdded.from_note(NOTE)
    assert added.to_payload() == {
        "note_id": "n-17",
        "round": 2,
        "table": "Table 1",
        "text": "Trust grows\nwhere people meet.",
        "taken_at": "2025-06-24T09:00:00+00:00",
        "highlighted": True,
    }
    assert NoteDeleted.from_note(NOTE).to_payload() == {
        "note_id": "n-17",
        "round": 2,
        "table": "Table 1",
    }


@pytest.mark.parametrize("role", list(Role))
def test_board_changes_reach_the_room_only_while_the_report_back_is_on(role):
    harvesters = {Role.FACILITATOR, Role.RAPPORTEUR}
    hidden = ThemesChanged(revision=3, shown=False)
    shown = ThemesChanged(revision=3, shown=True)
    assert receives(hidden, role=role, table=None, spec=café()) is (role in harvesters)
    room = harvesters | {Role.PROJECTOR, Role.PARTICIPANT}
    assert receives(shown, role=role, table=None, spec=café()) is (role in room)


def test_a_participant_hears_a_shown_board_wherever_they_sit():
    shown = ThemesChanged(revision=3, shown=True)
    for table in ("Table 1", "Room A", None):
        assert receives(shown, role=Role.PARTICIPANT, table=table, spec=café())


@pytest.mark.parametrize("role", list(Role))
def test_counted_ballots_reach_those_who_show_or_run_the_vote_never_the_phones(role):
    counted = VoteCounted("v-1", 7)
    expected = role in {Role.FACILITATOR, Role.RAPPORTEUR, Role.PROJECTOR}
    assert receives(counted, role=role, table=None, spec=café()) is expected


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_check_in_counts_reach_the_facilitator_alone(role):
    counts = PresenceChanged(present=3, expected=5, absent=1)
    assert receives(counts, role=role, table="Table 1", spec=café()) is (role is Role.FACILITATOR)
