"""A session's notes for further analysis, redacted and leak-checked, as JSON or CSV.

    store ─▶ notes (of a round, a table, the online rooms …), 500 at a time
          ─▶ scrub each text ─▶ leak check note by note
          ─▶ write JSON | CSV ─▶ leak check the whole text (JSON: record by record,
             which finds the same; `leaks_in_parts`)

`GET /api/sessions/{id}/notes` and `pollinate notes export` both come through here, so the
two give the same records and refuse the same leaks (`ExportBlocked`). Nothing is
returned until every note has passed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import TypeVar

from sqlalchemy.orm import Session

from pollinate.actions.live import load_live
from pollinate.actions.redaction import role_people, session_redactor
from pollinate.actions.report import Scrub
from pollinate.core.export_check import (
    LeakFound,
    find_leaks,
    leaks_in_parts,
    note_place,
    refuse_leaks,
    rendered_leaks,
)
from pollinate.core.leaks import LeakCheck
from pollinate.core.redact import Redactor
from pollinate.core.roster import Roster
from pollinate.io.notes_export import (
    JSON_BEFORE,
    JSON_BETWEEN,
    NoteRecord,
    json_record,
    notes_csv,
    notes_json_of,
)
from pollinate.store import repositories

T = TypeVar("T")


class NotesFormat(StrEnum):
    """The formats notes are exported in; the value is the file extension."""

    JSON = "json"  # an array of {"id", "round", "table", "text", "created_at"}
    CSV = "csv"  # the same columns, Excel-safe, with a BOM


MEDIA_TYPES = {
    NotesFormat.JSON: "application/json",
    NotesFormat.CSV: "text/csv; charset=utf-8",
}


def note_records(
    db: Session,
    session_id: str,
    *,
    round: int | None = None,
    table: str | None = None,
    rooms_only: bool = False,
    scrub: Scrub | None = None,
) -> tuple[list[NoteRecord], Roster]:
    """The active notes, oldest first, redacted and checked one by one.

    `rooms_only` keeps the online rooms' notes (what the online moderator reads).
    Raises `ExportBlocked` when a note still names someone, `SessionNotFound` for an
    unknown session.
    """
    return _each_record(db, session_id, _as_it_is, round, table, rooms_only, scrub)


def note_json_parts(
    db: Session,
    session_id: str,
    *,
    round: int | None = None,
    table: str | None = None,
    rooms_only: bool = False,
) -> tuple[list[str], Roster]:
    """`note_records`, each written at once as its part of the JSON array (`json_record`):
    for a plenary's thousands of notes the records are never all held at once, nor the
    notes read from the database (`repositories.note_batches`)."""
    return _each_record(db, session_id, json_record, round, table, rooms_only, None)


def json_parts_checked(parts: Sequence[str], roster: Roster) -> Sequence[str]:
    """`parts` once the JSON file they make has passed the leak check, record by record
    (core/export_check.py's `leaks_in_parts`: what the whole text's check finds)."""
    what = f"notes export ({NotesFormat.JSON.value})"
    found = leaks_in_parts(parts, roster, what=what, before=JSON_BEFORE, between=JSON_BETWEEN)
    refuse_leaks(what, found)
    return parts


def _each_record(
    db: Session,
    session_id: str,
    make: Callable[[NoteRecord], T],
    round: int | None,
    table: str | None,
    rooms_only: bool,
    scrub: Scrub | None,
) -> tuple[list[T], Roster]:
    """`make` of each redacted record, oldest first; `ExportBlocked` naming every note
    that still names someone once all are read, before anything is returned."""
    live = load_live(db, session_id)
    roster = repositories.load_roster(db, session_id)
    scrub = scrub or _scrub_with(session_redactor(db, live))  # notes' own, cached
    rooms = {room.name for room in live.spec.rooms} if rooms_only else None
    check = LeakCheck.from_roster(roster, extra_names=role_people(live.spec))
    made: list[T] = []
    in_texts: list[LeakFound] = []
    in_tables: list[LeakFound] = []
    for notes in repositories.note_batches(db, session_id, round=round, table=table):
        records = [
            NoteRecord(note.id, note.round, note.table, scrub(note.text), note.taken_at)
            for note in notes
            if rooms is None or note.table in rooms
        ]
        places = [note_place(r.id, r.round, r.table) for r in records]
        in_texts += find_leaks(((p, r.text) for p, r in zip(places, records, strict=True)), check)
        tables = ((f"{p}, its table name", r.table) for p, r in zip(places, records, strict=True))
        in_tables += find_leaks(tables, check)
        made += map(make, records)
    refuse_leaks("notes export", [*in_texts, *in_tables])
    return made, roster


def _as_it_is(record: NoteRecord) -> NoteRecord:
    return record


def notes_file(records: Sequence[NoteRecord], roster: Roster, notes_format: NotesFormat) -> str:
    """The records as a JSON or CSV text, after the leak check on the whole text (for
    JSON record by record, which finds the same: core/export_check.py's `leaks_in_parts`)."""
    if notes_format is NotesFormat.CSV:
        what = f"notes export ({notes_format.value})"
        text = notes_csv(records)
        refuse_leaks(what, rendered_leaks(text, roster, what=what))
        return text
    parts = json_parts_checked([json_record(record) for record in records], roster)
    return notes_json_of(parts)


def _scrub_with(redactor: Redactor) -> Scrub:
    return lambda text: redactor.redact(text).text
