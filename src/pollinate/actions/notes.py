"""Take, edit and withdraw a table's notes during the live session.

    host types ─▶ accept_note ─┬─ idempotency key seen? ─▶ the first answer, again
                               └─ may_write? ─▶ take_note ─▶ redact ─▶ add_note + undo spans
                                  + remember answer ─▶ outbox note.added ─▶ commit ─▶ publish

The web app sends notes through `NoteIntake`, which writes the notes that arrive while
one transaction runs together in the next (group commit, actions/batching.py): the same
steps and answers, one transaction and one publish per batch (`take_notes`).

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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pollinate.actions.batching import MAX_BATCH, Batcher
from pollinate.actions.live import (
    LiveSession,
    SessionNotFound,
    Store,
    append_events,
    commit_and_publish,
    commit_and_publish_many,
    load_live,
    rounds_begun,
    transact,
)
from pollinate.actions.redaction import keep_undo, redact_note, session_redactor, spans_json
from pollinate.core.agenda import RunPhase
from pollinate.core.events import NoteAdded, NoteDeleted, NoteEdited
from pollinate.core.notes import Note, edit_note, take_note
from pollinate.core.redact import Redaction, Redactor
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


@dataclass(frozen=True, slots=True)
class NoteRequest:
    """One note submission, as `take_notes` writes it; `key` is already checked (`_key`)."""

    session_id: str
    writer: NoteWriter
    round: int
    table: str
    text: str
    now: datetime
    key: str | None = None


def take_notes(
    db: Session, requests: Sequence[NoteRequest]
) -> tuple[list[NoteReceipt | Exception], dict[str, int]]:
    """Write a batch of note submissions in the caller's transaction, in order.

    Returns an answer per request — its receipt, or the `InputError`, `NotAllowed` or
    `SessionNotFound` meant for it alone — and the last seq appended per session. Each
    session is read once and its rows are inserted with one statement per table, which
    is what makes a batch cheaper than its notes one by one (actions/batching.py). A key
    already answered, earlier or earlier in this batch, gets that answer again.
    """
    by_session: dict[str, list[int]] = {}
    for index, request in enumerate(requests):
        by_session.setdefault(request.session_id, []).append(index)
    last_seqs: dict[str, int] = {}
    answered: dict[int, NoteReceipt | Exception] = {}
    for session_id, indexes in by_session.items():
        batch = [requests[index] for index in indexes]
        try:
            session_answers, last_seqs[session_id] = _take_session_notes(db, session_id, batch)
        except SessionNotFound as error:
            session_answers = [error] * len(batch)
        answered.update(zip(indexes, session_answers, strict=True))
    return [answered[index] for index in range(len(requests))], last_seqs


def _take_session_notes(
    db: Session, session_id: str, requests: Sequence[NoteRequest]
) -> tuple[list[NoteReceipt | Exception], int]:
    live = load_live(db, session_id)
    seen = repositories.recall_responses(db, session_id, {r.key for r in requests if r.key})
    redactor: Redactor | None = None
    answers: list[NoteReceipt | Exception] = []
    taken: list[tuple[NoteRequest, Note, Redaction, dict[str, Any]]] = []
    for request in requests:
        if request.key is not None and (body := seen.get(request.key)) is not None:
            answers.append(NoteReceipt(body, replayed=True))
            continue
        try:
            check_may_write(live, request.writer, round=request.round, table=request.table)
            draft = take_note(
                repositories.new_note_id(),
                round=request.round,
                table=request.table,
                text=request.text,
                taken_at=request.now,
            )
            redactor = redactor or session_redactor(db, live)
            note, redaction = redact_note(db, live, draft, redactor)
        except (InputError, NotAllowed) as refused:
            answers.append(refused)
            continue
        # Positions of the placeholders only: this answer may be kept for retries.
        body = note_json(note) | {"redactions": spans_json(redaction.spans)}
        if request.key is not None:
            seen[request.key] = body
        answers.append(NoteReceipt(body))
        taken.append((request, note, redaction, body))
    repositories.add_notes(db, session_id, [(note, r.now) for r, note, _, _ in taken])
    redactions.keep_new_spans(
        db, session_id, [(note.id, note.round, red.spans, r.now) for r, note, red, _ in taken]
    )
    repositories.remember_responses(
        db, session_id, [(r.key, body, r.now) for r, _, _, body in taken if r.key is not None]
    )
    added = [NoteAdded.from_note(note) for _, note, _, _ in taken]
    return answers, append_events(db, session_id, added, now=[r.now for r, _, _, _ in taken])


async def write_notes(
    store: Store, bus: Bus, requests: Sequence[NoteRequest]
) -> list[NoteReceipt | Exception]:
    """Write `requests` in one transaction, then announce them; an answer per request.

    If the transaction fails on a key another worker stored meanwhile (two submits with
    one key racing), a single request gets the winner's answer, and a batch is written
    again one request at a time, so one racing key cannot cost the others their notes.
    """
    try:
        return await commit_and_publish_many(store, bus, lambda db: take_notes(db, requests))
    except IntegrityError:
        if len(requests) > 1:
            return [answer for request in requests for answer in await _alone(store, bus, request)]
        key, session_id = requests[0].key, requests[0].session_id
        if key is None:
            raise
        seen = await transact(store, lambda db: repositories.recall_response(db, session_id, key))
        if seen is None:
            raise
        return [NoteReceipt(seen, replayed=True)]


async def _alone(store: Store, bus: Bus, request: NoteRequest) -> list[NoteReceipt | Exception]:
    try:
        return await write_notes(store, bus, [request])
    except Exception as error:  # this request's answer; the others' are their own
        return [error]


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
    request = NoteRequest(session_id, writer, round, table, text, now, _key(idempotency_key))
    return _receipt((await write_notes(store, bus, [request]))[0])


class NoteIntake:
    """The web app's way in for notes: `accept_note`, with the notes that arrive while a
    batch is being written taken together in the next one (actions/batching.py).

    One per app (web/app.py). Answers are exactly `accept_note`'s; only the transactions
    are fewer: a quiet session writes each note at once, a plenary's burst in batches.
    """

    def __init__(self, store: Store, bus: Bus, *, max_batch: int = MAX_BATCH) -> None:
        self._store = store
        self._bus = bus
        self._batcher: Batcher[NoteRequest, NoteReceipt] = Batcher(self._write, max_batch=max_batch)

    @property
    def batches(self) -> int:
        """How many transactions the notes so far took."""
        return self._batcher.batches

    async def accept(
        self,
        session_id: str,
        writer: NoteWriter,
        *,
        round: int,
        table: str,
        text: str,
        now: datetime,
        idempotency_key: str | None = None,
    ) -> NoteReceipt:
        """As `accept_note`."""
        key = _key(idempotency_key)  # a bad key is refused before it joins a batch
        request = NoteRequest(session_id, writer, round, table, text, now, key)
        return await self._batcher.submit(request)

    async def _write(self, requests: list[NoteRequest]) -> list[NoteReceipt | Exception]:
        return await write_notes(self._store, self._bus, requests)


def _receipt(answer: NoteReceipt | Exception) -> NoteReceipt:
    if isinstance(answer, Exception):
        raise answer
    return answer


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
