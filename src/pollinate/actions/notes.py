"""Take, edit and withdraw a table's notes during the live session.

    host types ─▶ accept_note ─┬─ idempotency key seen? ─▶ the first answer, again
                               └─ may_write? ─▶ take_note ─▶ redact ─▶ add_note + undo spans
                                  + remember answer ─▶ outbox note.added ─▶ commit ─▶ publish

A note is stored redacted (Chatham House Rule): names, organisations and contacts of the
roster become placeholders before anything is written, and the answer, the event and
every page carry the redacted text. What each placeholder replaced is kept apart, for the
host to undo a false positive during the round (actions/redaction.py).

Who wrote a note is checked and then forgotten: `NoteWriter` exists only for the duration
of the call, and nothing of it reaches the store (Chatham House Rule, core/notes.py).

A note belongs to a round. It can be written, edited and withdrawn while that round is
the *open* one: during the round itself, and after it until the next round starts, so a
host can finish a sentence while the room moves to the report back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pollinate.actions.live import (
    LiveSession,
    Store,
    append_events,
    commit_and_publish,
    load_live,
    rounds_begun,
    transact,
)
from pollinate.actions.redaction import keep_undo, redact_note, spans_json
from pollinate.core.agenda import RunPhase
from pollinate.core.events import NoteAdded, NoteDeleted, NoteEdited
from pollinate.core.notes import Note, edit_note, take_note
from pollinate.core.roles import Role
from pollinate.errors import InputError, NotAllowed
from pollinate.live.bus import Bus
from pollinate.store import outbox, redactions, repositories

MAX_KEY_CHARS = 100  # a UUID is 36; anything much longer is not a retry key


@dataclass(frozen=True, slots=True)
class NoteWriter:
    """Who asks to write, as far as the rules need it; never stored with the note.

    `table` is a host's table; `participant_id` lets a participant's table be looked up
    in the plan for the note's round.
    """

    role: Role
    table: str | None = None
    participant_id: str | None = None


@dataclass(frozen=True, slots=True)
class NoteReceipt:
    """The answer to a note submission; `replayed` when an earlier answer was repeated."""

    body: Mapping[str, Any]
    replayed: bool = False


def note_json(note: Note) -> dict[str, Any]:
    """A note as the API shows it: everything a `Note` has, which excludes its author."""
    return {
        "id": note.id,
        "round": note.round,
        "table": note.table,
        "text": note.text,
        "taken_at": note.taken_at.isoformat(),
        "highlighted": note.highlighted,
    }


def open_round(live: LiveSession) -> int | None:
    """The round whose notes may be written now; None before Start, after Finish, before
    the first round."""
    if live.state.phase not in (RunPhase.RUNNING, RunPhase.PAUSED):
        return None
    return rounds_begun(live.state, live.spec) or None


def table_names(live: LiveSession) -> list[str]:
    """The session's tables and rooms, from the plan when there is one."""
    if live.plan is not None:
        return [place.name for place in live.plan.places]
    return [t.name for t in live.spec.tables] + [r.name for r in live.spec.rooms]


def check_may_write(live: LiveSession, writer: NoteWriter, *, round: int, table: str) -> None:
    """Raise `InputError` for an unknown round or table, `NotAllowed` for a wrong writer."""
    if isinstance(round, bool) or not 1 <= round <= live.spec.round_count:
        raise InputError(
            f"there is no round {round}",
            field="round",
            advice=f"Rounds are numbered 1 to {live.spec.round_count}.",
        )
    if table not in table_names(live):
        raise InputError(f"there is no table {table!r}", field="table", advice="Pick your table.")
    current = open_round(live)
    if current != round:
        raise NotAllowed(
            "Notes can be written only while their round is on; "
            + ("no round is on now." if current is None else f"round {current} is on now.")
        )
    if writer.role is Role.HOST and writer.table == table:
        return
    if (
        writer.role is Role.PARTICIPANT
        and live.spec.participant_notes
        and writer.participant_id is not None
        and live.plan is not None
        and live.plan.place_of(writer.participant_id, round) == table
    ):
        return
    raise NotAllowed(f"Only the host of {table} can write its notes.")


async def accept_note(
    store: Store,
    bus: Bus,
    session_id: str,
    writer: NoteWriter,
    *,
    round: int,
    table: str,
    text: str,
    now: datetime,
    idempotency_key: str | None = None,
) -> NoteReceipt:
    """Store a new note and announce it; a repeated `idempotency_key` lands once.

    The key is remembered in the same transaction as the note, so a retry after a lost
    answer finds either both (and gets the first answer) or neither (and writes now).
    """
    key = _key(idempotency_key)

    def work(db: Session) -> tuple[NoteReceipt, int]:
        if key is not None and (seen := repositories.recall_response(db, session_id, key)):
            return NoteReceipt(seen, replayed=True), 0
        live = load_live(db, session_id)
        check_may_write(live, writer, round=round, table=table)
        note, redaction = redact_note(
            db,
            live,
            take_note(
                repositories.new_note_id(), round=round, table=table, text=text, taken_at=now
            ),
        )
        repositories.add_note(db, session_id, note, now=now)
        keep_undo(db, session_id, note, redaction, now)
        # Positions of the placeholders only: this answer may be kept for retries.
        body = note_json(note) | {"redactions": spans_json(redaction.spans)}
        if key is not None:
            repositories.remember_response(db, session_id, key, body, now=now)
        return NoteReceipt(body), append_events(
            db, session_id, [NoteAdded.from_note(note)], now=now
        )

    try:
        return await commit_and_publish(store, bus, session_id, work)
    except IntegrityError:
        # Two submits with one key raced and the other committed first: answer as it did.
        if key is None:
            raise
        seen = await transact(store, lambda db: repositories.recall_response(db, session_id, key))
        if seen is None:
            raise
        return NoteReceipt(seen, replayed=True)


def _key(idempotency_key: str | None) -> str | None:
    if idempotency_key is None or not idempotency_key.strip():
        return None
    key = idempotency_key.strip()
    if len(key) > MAX_KEY_CHARS:
        raise InputError(
            f"the idempotency key is {len(key)} characters long",
            field="Idempotency-Key",
            advice=f"Send a key of at most {MAX_KEY_CHARS} characters, such as a UUID.",
        )
    return f"note:{key}"


def _own_note(db: Session, live: LiveSession, writer: NoteWriter, note_id: str) -> Note:
    note = repositories.get_note(db, live.id, note_id)
    if note is None:
        raise LookupError(f"There is no note {note_id!r}.")
    if writer.role is not Role.HOST or writer.table != note.table:
        raise NotAllowed(f"Only the host of {note.table} can change its notes.")
    if open_round(live) != note.round:
        raise NotAllowed("A note can be changed only while its round is on.")
    return note


async def change_note(
    store: Store,
    bus: Bus,
    session_id: str,
    writer: NoteWriter,
    note_id: str,
    *,
    now: datetime,
    text: str | None = None,
    highlighted: bool | None = None,
) -> dict[str, Any]:
    """Edit a note's text and/or highlight; `LookupError` if the note is gone.

    New text is redacted like a new note, and its spans replace the note's earlier ones:
    their places in the old text mean nothing in the new one.
    """

    def work(db: Session) -> tuple[dict[str, Any], int]:
        live = load_live(db, session_id)
        note = edit_note(_own_note(db, live, writer, note_id), text=text, highlighted=highlighted)
        if text is not None:
            note, redaction = redact_note(db, live, note)
            keep_undo(db, session_id, note, redaction, now)
            spans = redaction.spans
        else:
            spans = redactions.spans_of(db, session_id, note_id)
        repositories.save_note(db, session_id, note, now=now)
        body = note_json(note) | {"redactions": spans_json(spans)}
        return body, append_events(db, session_id, [NoteEdited.from_note(note)], now=now)

    return await commit_and_publish(store, bus, session_id, work)


async def withdraw_note(
    store: Store, bus: Bus, session_id: str, writer: NoteWriter, note_id: str, *, now: datetime
) -> None:
    """Delete a note and erase its text, from the notes and from the replay log alike."""

    def work(db: Session) -> tuple[None, int]:
        live = load_live(db, session_id)
        note = _own_note(db, live, writer, note_id)
        repositories.delete_note(db, session_id, note_id, now=now)
        outbox.erase_note_text(db, session_id, note_id)
        redactions.forget_note(db, session_id, note_id)
        return None, append_events(db, session_id, [NoteDeleted.from_note(note)], now=now)

    await commit_and_publish(store, bus, session_id, work)
