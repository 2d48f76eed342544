"""Notes hosts type at their table, and the cleaning of any text people type live.

    host types text ──take_note()──▶ Note ──edit_note()──▶ Note
                         │                                  │
                 clean_note_text()              events.NoteAdded / NoteEdited / NoteDeleted

A `Note` has no author field, and never will: under the Chatham House Rule what was
said may be used but not who said it, nor who wrote it down. `tests/core/test_notes.py`
pins the exact field set so that adding one fails loudly. The store must not keep the
author either; a host link proves the right to write at a table, not a name to record.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pollinate.errors import InputError

MAX_NOTE_CHARS = 2000
"""The longest note, in characters after cleaning: about a page of a host's notebook."""

# Every line break a keyboard, a pasted document or a phone may send (Unicode TR13 lists
# CR LF, CR, NEL, LS and PS); all become "\n" so counts and exports agree.
_LINE_BREAKS = ("\r\n", "\r", "\x85", "\u2028", "\u2029")
_KEPT_CONTROLS = frozenset("\n\t")
# Unicode's control characters (category Cc) are exactly C0, DEL and C1, and stay so by
# its stability policy: dropped in one C-speed pass, where asking each character's category
# cost 20 µs per note read back (8,000 notes: 170 ms of the theme board's read).
_DROPPED_CONTROLS = {
    code: None
    for code in (*range(0x20), 0x7F, *range(0x80, 0xA0))
    if chr(code) not in _KEPT_CONTROLS
}


class NoteState(StrEnum):
    """Where a note is in its short life; the store keeps it beside the note."""

    ACTIVE = "active"  # taken by its table's host (note.added), possibly edited since
    # Withdrawn by the host (note.deleted); the store erases its text, because a host
    # deletes a note most often when it names someone, and keeps only id, table, round.
    DELETED = "deleted"


def clean_live_text(text: str, *, field: str, limit: int, what: str) -> str:
    """Return `text` ready to store and show: stripped, with "\\n" line breaks only.

    Control characters other than newline and tab are removed. Empty text, and text
    longer than `limit` characters once cleaned, raise `InputError` on `field`; `what`
    names the thing in the sentence ("note", "message"). Shared by notes and broadcasts
    so that everything typed during a session is cleaned the same way.

    >>> clean_live_text("  Trust\\r\\nfirst\\x07 ", field="text", limit=20, what="note")
    'Trust\\nfirst'
    """
    for line_break in _LINE_BREAKS:
        text = text.replace(line_break, "\n")
    text = text.translate(_DROPPED_CONTROLS).strip()
    if not text:
        raise InputError(
            f"the {what} is empty",
            field=field,
            advice=f"Type the {what} before sending it.",
        )
    # Counted in code points. A browser's maxlength counts UTF-16 units, never fewer,
    # so whatever a form with maxlength=limit lets through also passes here.
    if len(text) > limit:
        raise InputError(
            f"the {what} is {len(text):,} characters long; the limit is {limit:,}",
            field=field,
            advice=f"Shorten it by {_characters(len(text) - limit)} or split it in two.",
        )
    return text


def _characters(count: int) -> str:
    return "1 character" if count == 1 else f"{count:,} characters"


def clean_note_text(text: str) -> str:
    """Clean a note's text (see `clean_live_text`); at most `MAX_NOTE_CHARS` characters.

    >>> clean_note_text("\\tLocal networks build trust.\\r\\n")
    'Local networks build trust.'
    """
    return clean_live_text(text, field="text", limit=MAX_NOTE_CHARS, what="note")


@dataclass(frozen=True, slots=True)
class Note:
    """What a table said in a round, as its host wrote it down; never who wrote it.

    `text` is always clean (`clean_note_text` leaves it unchanged); `taken_at` is
    timezone-aware. Build one from raw input with `take_note`.

    >>> from datetime import UTC, datetime
    >>> Note("n1", 2, "Table 3", "Trust is local.", datetime(2025, 6, 24, 9, 30, tzinfo=UTC))
    ... # doctest: +ELLIPSIS
    Note(id='n1', round=2, table='Table 3', text='Trust is local.', taken_at=..., highlighted=False)
    """

    id: str
    round: int
    table: str
    text: str
    taken_at: datetime
    highlighted: bool = False

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("a note needs an id")
        if isinstance(self.round, bool) or self.round < 1:
            raise ValueError(f"rounds are numbered from 1, not {self.round!r}")
        if not self.table.strip():
            raise ValueError("a note needs the name of its table")
        if self.taken_at.tzinfo is None or self.taken_at.utcoffset() is None:
            raise ValueError("taken_at must be timezone-aware")
        if clean_note_text(self.text) != self.text:
            raise ValueError("note text must be cleaned with clean_note_text first")


def take_note(note_id: str, *, round: int, table: str, text: str, taken_at: datetime) -> Note:
    """A new, unhighlighted note from what a host typed; `InputError` if the text is unfit.

    >>> from datetime import UTC, datetime
    >>> at = datetime(2025, 6, 24, 9, 30, tzinfo=UTC)
    >>> take_note("n1", round=1, table="T1", text=" Hi\\r\\n", taken_at=at).text
    'Hi'
    """
    return Note(note_id, round, table, clean_note_text(text), taken_at)


def edit_note(note: Note, *, text: str | None = None, highlighted: bool | None = None) -> Note:
    """The note with new text and/or highlight; id, table, round and taken_at stay.

    Keeping `taken_at` keeps the note in its place in the round's timeline, which is
    what the rapporteur reads; the edit itself is dated by its event in the outbox.
    """
    return dataclasses.replace(
        note,
        text=note.text if text is None else clean_note_text(text),
        highlighted=note.highlighted if highlighted is None else highlighted,
    )
