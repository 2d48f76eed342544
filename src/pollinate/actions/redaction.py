"""Chatham House redaction at intake: a note is stored redacted, and its host may undo.

    accept_note / change_note ─▶ redact_note(db, live, text) ─▶ Redaction(text, spans)
        note text ◀─ redacted text          spans ─▶ store/redactions (undo only, short-lived)
    host: restore span i ─▶ Redaction.undo(i) ─▶ note text, remaining spans ─▶ note.edited
    host: keep ─▶ spans forgotten             round closes ─▶ spans forgotten (actions/agenda)

The redactor indexes every name of the roster, which takes a moment for a large one
(0.17 s for 5,000 people, bench/results/redact.json), while a note takes a fraction of a
millisecond. So each process builds it once per session and roster: the cache key is the
session id and a digest of the names, organisations and role holders it indexes, so a
walk-in checked in by the facilitator (a new roster row) makes the next note build a new
redactor, without any other code having to remember to invalidate it.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from pollinate.actions.live import (
    LiveSession,
    Store,
    append_events,
    commit_and_publish,
    load_live,
    transact,
)
from pollinate.core.events import NoteEdited
from pollinate.core.export_check import role_person
from pollinate.core.notes import MAX_NOTE_CHARS, Note, edit_note
from pollinate.core.redact import PLACEHOLDERS, RedactedSpan, Redaction, Redactor
from pollinate.core.session import SessionSpec
from pollinate.errors import InputError, NotAllowed
from pollinate.live.bus import Bus
from pollinate.store import redactions, repositories

SESSIONS_CACHED = 32  # redactors kept per process; a server runs a handful of cafés at once


class RedactorCache:
    """Redactors by (session id, roster digest), least recently used dropped first.

    Thread-safe: actions run their database work on worker threads. A session keeps one
    entry; a new roster digest replaces the old one.
    """

    def __init__(self, size: int = SESSIONS_CACHED) -> None:
        self._size = size
        self._entries: OrderedDict[str, tuple[str, Redactor]] = OrderedDict()
        self._lock = threading.Lock()
        self.builds = 0  # how many redactors were built: tests read it

    def get(self, session_id: str, digest: str, build: Callable[[], Redactor]) -> Redactor:
        with self._lock:
            entry = self._entries.get(session_id)
            if entry is not None and entry[0] == digest:
                self._entries.move_to_end(session_id)
                return entry[1]
        redactor = build()  # outside the lock: building one session must not stall others
        with self._lock:
            self.builds += 1
            self._entries[session_id] = (digest, redactor)
            self._entries.move_to_end(session_id)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return redactor


CACHE = RedactorCache()
"""This process's redactors; one per process is the point (see the module docstring)."""


def role_people(spec: SessionSpec) -> list[str]:
    """The people the session file names in its roles, without their affiliations.

    They are redacted in notes like roster people: a note says what was said, not who
    said it, and a moderator who speaks at a table is a voice in the room like any other.
    """
    named = (spec.roles.onsite_moderator, spec.roles.online_moderator, spec.roles.rapporteur)
    return [person for name in named if name and (person := role_person(name))]


def session_redactor(db: Session, live: LiveSession, cache: RedactorCache = CACHE) -> Redactor:
    """The session's redactor, from the cache unless its roster changed since."""
    people = role_people(live.spec)
    version = live.roster_version  # read with the session, in the caller's transaction
    digest = hashlib.sha256(
        json.dumps([version, people], ensure_ascii=False).encode("utf-8")
    ).hexdigest()

    def build() -> Redactor:
        return Redactor.from_roster(repositories.load_roster(db, live.id), extra_names=people)

    return cache.get(live.id, digest, build)


def redact_note(
    db: Session, live: LiveSession, note: Note, redactor: Redactor | None = None
) -> tuple[Note, Redaction]:
    """The note with its text redacted, and the redaction (whose spans hold the originals).

    `redactor` is the session's, when the caller already has it (a batch of notes).
    """
    redaction = (redactor or session_redactor(db, live)).redact(note.text)
    if not redaction.spans:
        return note, redaction
    try:
        return edit_note(note, text=redaction.text), redaction
    except InputError:
        # "[a participant]" is longer than "Al": a note near the limit can grow past it.
        raise InputError(
            f"with names replaced by placeholders the note is longer than {MAX_NOTE_CHARS:,} "
            "characters",
            field="text",
            advice="Shorten it a little, or split it in two.",
        ) from None


def spans_json(spans: tuple[RedactedSpan, ...]) -> list[dict[str, Any]]:
    """Where each placeholder is, for the host's answer; never the original text.

    The answer to a note may be kept for retries (the idempotency table), so it carries
    positions and kinds only; the host page reads the originals from the store.
    """
    return [
        {"span": index, "kind": span.kind.value, "start": span.start, "end": span.end}
        for index, span in enumerate(spans)
    ]


def keep_undo(
    db: Session, session_id: str, note: Note, redaction: Redaction, now: datetime
) -> None:
    """Keep the spans of a fresh redaction for the host to undo (or forget old ones)."""
    redactions.keep_spans(db, session_id, note.id, round=note.round, spans=redaction.spans, now=now)


@dataclass(frozen=True, slots=True)
class Restorer:
    """The host asking to undo: their table. Like `NoteWriter`, never stored."""

    table: str | None


def _own_open_note(db: Session, live: LiveSession, who: Restorer, note_id: str) -> Note:
    # Imported here: actions/notes.py imports this module for intake.
    from pollinate.actions.notes import open_round

    note = repositories.get_note(db, live.id, note_id)
    if note is None:
        raise LookupError(f"There is no note {note_id!r}.")
    if who.table is None or who.table != note.table:
        raise NotAllowed(
            f"Only the host of {note.table} can restore what was redacted in its notes."
        )
    if open_round(live) != note.round:
        raise NotAllowed("A redaction can be undone only while the note's round is on.")
    return note


def _checked_spans(note: Note, spans: tuple[RedactedSpan, ...]) -> Redaction:
    """The stored redaction of `note`, refused if its placeholders are not where they were."""
    if not spans:
        raise InputError(
            "nothing was redacted in this note, or it was kept as it is",
            field="span",
            advice="Only a highlighted placeholder of a note of the open round can be restored.",
        )
    if any(note.text[s.start : s.end] != PLACEHOLDERS[s.kind] for s in spans):
        raise InputError(
            "this note changed since it was redacted",
            field="span",
            advice="Reload the page and choose again.",
        )
    return Redaction(note.text, spans)


async def restore_span(
    store: Store,
    bus: Bus,
    session_id: str,
    who: Restorer,
    note_id: str,
    span: int,
    *,
    now: datetime,
) -> dict[str, Any]:
    """Put back what placeholder `span` (0-based) replaced: the host judged it no name.

    The note's text changes for everyone who reads notes (note.edited); the span goes, and
    with the last one the row. `InputError` for a span the note has not.
    """
    from pollinate.actions.notes import note_json

    def work(db: Session) -> tuple[dict[str, Any], int]:
        live = load_live(db, session_id)
        note = _own_open_note(db, live, who, note_id)
        undone = _checked_spans(note, redactions.spans_of(db, session_id, note_id)).undo(span)
        note = edit_note(note, text=undone.text)
        repositories.save_note(db, session_id, note, now=now)
        redactions.keep_spans(
            db, session_id, note.id, round=note.round, spans=undone.spans, now=now
        )
        body = note_json(note) | {"redactions": spans_json(undone.spans)}
        return body, append_events(db, session_id, [NoteEdited.from_note(note)], now=now)

    return await commit_and_publish(store, bus, session_id, work)


async def keep_redactions(store: Store, session_id: str, who: Restorer, note_id: str) -> None:
    """The host keeps every placeholder of the note: the originals are forgotten now."""

    def work(db: Session) -> None:
        live = load_live(db, session_id)
        _own_open_note(db, live, who, note_id)
        redactions.forget_note(db, session_id, note_id)

    # No event: nobody but the host ever saw the originals, and the text is unchanged.
    await transact(store, work)
