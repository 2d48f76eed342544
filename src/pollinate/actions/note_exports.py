"""A session's notes for further analysis, redacted and leak-checked, as JSON or CSV.

    store ─▶ notes (of a round, a table, the online rooms …) ─▶ scrub each text
          ─▶ leak check note by note ─▶ write JSON | CSV ─▶ leak check the whole text

`GET /api/sessions/{id}/notes` and `pollinate notes export` both come through here, so the
two give the same records and refuse the same leaks (`ExportBlocked`).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from itertools import chain

from sqlalchemy.orm import Session

from pollinate.actions.live import load_live
from pollinate.actions.redaction import role_people, session_redactor
from pollinate.actions.report import Scrub
from pollinate.core.export_check import (
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
    live = load_live(db, session_id)
    roster = repositories.load_roster(db, session_id)
    scrub = scrub or _scrub_with(session_redactor(db, live))  # notes' own, cached
    notes = repositories.list_notes(db, session_id, round=round, table=table)
    if rooms_only:
        rooms = {room.name for room in live.spec.rooms}
        notes = [note for note in notes if note.table in rooms]
    records = [
        NoteRecord(note.id, note.round, note.table, scrub(note.text), note.taken_at)
        for note in notes
    ]
    check = LeakCheck.from_roster(roster, extra_names=role_people(live.spec))
    texts = chain(  # one at a time: a plenary's notes are thousands of them
        ((note_place(r.id, r.round, r.table), r.text) for r in records),
        ((f"{note_place(r.id, r.round, r.table)}, its table name", r.table) for r in records),
    )
    refuse_leaks("notes export", find_leaks(texts, check))
    return records, roster


def notes_file(records: Sequence[NoteRecord], roster: Roster, notes_format: NotesFormat) -> str:
    """The records as a JSON or CSV text, after the leak check on the whole text (for
    JSON record by record, which finds the same: core/export_check.py's `leaks_in_parts`)."""
    what = f"notes export ({notes_format.value})"
    if notes_format is NotesFormat.CSV:
        text = notes_csv(records)
        refuse_leaks(what, rendered_leaks(text, roster, what=what))
        return text
    parts = [json_record(record) for record in records]
    found = leaks_in_parts(parts, roster, what=what, before=JSON_BEFORE, between=JSON_BETWEEN)
    refuse_leaks(what, found)
    return notes_json_of(parts)


def _scrub_with(redactor: Redactor) -> Scrub:
    return lambda text: redactor.redact(text).text
