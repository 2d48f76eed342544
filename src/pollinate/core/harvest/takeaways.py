"""Key takeaways and calls to action: the rapporteur's own records, kept beside the themes.

A takeaway is written by a person and is not recomputed when notes arrive, so it lives
outside clustering: re-clustering may reshape the themes it came from, and the
takeaway keeps its text and the ids it was promoted from all the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pollinate.core.harvest.theme import Theme
from pollinate.core.notes import Note, clean_live_text

MAX_TAKEAWAY_CHARS = 500
"""Longest takeaway: a few sentences, as the forum's short report asks for."""


class TakeawayKind(StrEnum):
    """What a promoted theme or note becomes in the report."""

    TAKEAWAY = "takeaway"  # a key finding; promoted from the board by the rapporteur
    CALL_TO_ACTION = "call_to_action"  # something someone should do; promoted the same way


@dataclass(frozen=True, slots=True)
class Takeaway:
    """A finding or call to action, and the themes and notes it was promoted from.

    >>> Takeaway(TakeawayKind.CALL_TO_ACTION, "Fund rural broadband", note_ids=("n4",)).kind
    <TakeawayKind.CALL_TO_ACTION: 'call_to_action'>
    """

    kind: TakeawayKind
    text: str
    theme_ids: tuple[str, ...] = ()
    note_ids: tuple[str, ...] = ()


def promote_theme(theme: Theme, kind: TakeawayKind, text: str | None = None) -> Takeaway:
    """A takeaway from a theme; its text is the label unless the rapporteur wrote one."""
    return Takeaway(kind, _clean(theme.label if text is None else text), theme_ids=(theme.id,))


def promote_note(note: Note, kind: TakeawayKind, text: str | None = None) -> Takeaway:
    """A takeaway from one note; its text is the note's unless the rapporteur wrote one.

    >>> from datetime import UTC, datetime
    >>> note = Note("n4", 1, "Table 2", "Fund rural broadband", datetime(2025, 6, 24, tzinfo=UTC))
    >>> promote_note(note, TakeawayKind.TAKEAWAY).text
    'Fund rural broadband'
    """
    return Takeaway(kind, _clean(note.text if text is None else text), note_ids=(note.id,))


def _clean(text: str) -> str:
    return clean_live_text(text, field="text", limit=MAX_TAKEAWAY_CHARS, what="takeaway")
