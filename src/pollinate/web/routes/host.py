"""The table host's page: the question, time left, and quick note capture for the table.

Forms post here (post/redirect/get) so everything works without script; `live.js` makes
Enter add a note through the JSON API without reloading, with an Idempotency-Key so a
retried submit lands once. Edit, highlight and delete act on this table's notes of the
open round only (actions/notes.py).
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from pollinate.actions.live import Snapshot, take_snapshot, transact
from pollinate.actions.notes import (
    NoteWriter,
    change_note,
    note_json,
    open_round,
    withdraw_note,
)
from pollinate.actions.redaction import Restorer, keep_redactions, restore_span
from pollinate.core.notes import Note
from pollinate.core.redact import PLACEHOLDERS, RedactedSpan
from pollinate.core.roles import Role
from pollinate.errors import InputError, NotAllowed
from pollinate.store import redactions, repositories
from pollinate.web import auth
from pollinate.web.deps import Now, Rt, viewer
from pollinate.web.pages import back, live_page
from pollinate.web.views import viewer_state

router = APIRouter(include_in_schema=False)
Host = Annotated[auth.Viewer, viewer(Role.HOST)]
PAGE = "/s/{}/host"


def _writer(who: auth.Viewer) -> NoteWriter:
    return NoteWriter(who.role, table=who.table, participant_id=who.participant_id)


@router.get("/s/{session_id}/host", response_class=HTMLResponse)
async def host_page(session_id: str, request: Request, rt: Rt, now: Now, who: Host) -> HTMLResponse:
    def read(db: Session) -> tuple[Snapshot, list[Note], dict[str, tuple[RedactedSpan, ...]]]:
        snapshot = take_snapshot(db, session_id)
        notes = repositories.list_notes(db, session_id, table=who.table)
        # What redaction replaced, for this host's eyes only (they wrote it): see undo.
        spans = redactions.spans_by_note(db, session_id, [note.id for note in notes])
        return snapshot, notes, spans

    snapshot, notes, spans = await transact(rt.store, read)
    view = viewer_state(snapshot, who, now)
    writable = open_round(snapshot.live)
    return live_page(
        request,
        rt,
        who,
        "host/table.html",
        session_id=session_id,
        view=view,
        now=now,
        table=who.table,
        writable_round=writable,
        notes=[note_json(note) for note in notes],
        redactions={
            note_id: [
                {"original": span.original, "placeholder": PLACEHOLDERS[span.kind]}
                for span in found
            ]
            for note_id, found in spans.items()
        },
        idempotency_key=secrets.token_urlsafe(12),
    )


@router.post("/s/{session_id}/host/notes")
async def add_note_form(
    session_id: str,
    rt: Rt,
    now: Now,
    who: Host,
    text: Annotated[str, Form()] = "",
    round: Annotated[int, Form()] = 0,
    idempotency_key: Annotated[str, Form()] = "",
) -> Response:
    try:
        await rt.notes.accept(
            session_id,
            _writer(who),
            round=round,
            table=who.table or "",
            text=text,
            now=now,
            idempotency_key=f"{who.link_id}:{idempotency_key}" if idempotency_key else None,
        )
    except (InputError, NotAllowed) as error:
        return back(PAGE.format(session_id), str(error))
    rt.notes_changed(session_id)
    return back(PAGE.format(session_id), "Note added.")


@router.post("/s/{session_id}/host/notes/{note_id}")
async def change_note_form(
    session_id: str,
    note_id: str,
    rt: Rt,
    now: Now,
    who: Host,
    intent: Annotated[str, Form()],
    text: Annotated[str, Form()] = "",
) -> Response:
    try:
        if intent == "delete":
            await withdraw_note(rt.store, rt.bus, session_id, _writer(who), note_id, now=now)
            rt.notes_changed(session_id)
            return back(PAGE.format(session_id), "Note deleted.")
        if intent == "keep":
            await keep_redactions(rt.store, session_id, Restorer(who.table), note_id)
            return back(PAGE.format(session_id), "Kept as redacted.")
        if intent.startswith("restore:") and intent[len("restore:") :].isdigit():
            span = int(intent[len("restore:") :])
            await restore_span(
                rt.store, rt.bus, session_id, Restorer(who.table), note_id, span, now=now
            )
            rt.notes_changed(session_id)
            return back(PAGE.format(session_id), "Restored.")
        if intent in ("highlight", "unhighlight"):
            await change_note(
                rt.store,
                rt.bus,
                session_id,
                _writer(who),
                note_id,
                now=now,
                highlighted=intent == "highlight",
            )
        else:
            await change_note(
                rt.store, rt.bus, session_id, _writer(who), note_id, now=now, text=text
            )
    except (InputError, NotAllowed, LookupError) as error:
        return back(PAGE.format(session_id), str(error))
    rt.notes_changed(session_id)
    return back(PAGE.format(session_id), "Note saved.")
