"""The JSON API: health, live state, agenda control, notes and the event stream.

Every session route names the roles it admits through `deps.viewer(...)`; the table each
role may write at is then checked by the action (actions/notes.py).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from pollinate.actions.agenda import command_agenda
from pollinate.actions.live import check_session, take_snapshot, transact
from pollinate.actions.note_exports import MEDIA_TYPES as NOTES_MEDIA_TYPES
from pollinate.actions.note_exports import (
    NotesFormat,
    json_parts_checked,
    note_json_parts,
    note_records,
    notes_file,
)
from pollinate.actions.notes import (
    NoteWriter,
    change_note,
    withdraw_note,
)
from pollinate.core.agenda import (
    Broadcast,
    Command,
    Extend,
    Finish,
    Next,
    Pause,
    Previous,
    Resume,
    Start,
)
from pollinate.core.roles import Role
from pollinate.errors import InputError
from pollinate.io.notes_export import notes_json_chunks
from pollinate.web import auth
from pollinate.web.deps import Now, Rt, viewer
from pollinate.web.problems import ERROR_ANSWERS
from pollinate.web.sse import EventStreamResponse, event_stream, parse_last_event_id
from pollinate.web.views import viewer_state

router = APIRouter(responses=ERROR_ANSWERS)  # its error answers, in the OpenAPI document

MAX_ROUND = 10_000  # far past any agenda; within every integer column
Action = Literal["start", "pause", "resume", "extend", "next", "previous", "broadcast", "finish"]


class Health(BaseModel):
    status: Literal["ok"]


class ControlRequest(BaseModel):
    action: Action
    minutes: int | None = Field(default=None, description="For extend: 1 to 120.")
    message: str | None = Field(default=None, description="For broadcast: 1 to 500 characters.")
    version: int | None = Field(
        default=None,
        description="The state version the console showed; a newer state answers 409.",
    )


class NoteIn(BaseModel):
    round: int
    table: str
    # No max_length here: the core's sentence ("… the limit is 2,000 …") is the answer.
    text: str


class NoteChange(BaseModel):
    text: str | None = None
    highlighted: bool | None = None


class RedactionOut(BaseModel):
    span: int
    kind: str
    start: int
    end: int


class NoteOut(BaseModel):
    id: str
    round: int
    table: str
    text: str
    taken_at: str
    highlighted: bool
    # Where names were replaced in `text` (the originals are never in an answer).
    redactions: list[RedactionOut] = []


@router.get("/healthz", response_model=Health, tags=["health"])
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


async def state_for(rt: Rt, session_id: str, who: auth.Viewer, now: Any) -> dict[str, Any]:
    snapshot = await transact(rt.store, lambda db: take_snapshot(db, session_id))
    return viewer_state(snapshot, who, now)


@router.get("/api/sessions/{session_id}/state", tags=["live"])
async def get_state(
    session_id: str,
    rt: Rt,
    now: Now,
    who: Annotated[auth.Viewer, viewer(*auth.WITH_ORGANIZER)],
) -> dict[str, Any]:
    return await state_for(rt, session_id, who, now)


def command_from(request: ControlRequest) -> Command:
    """The core command a control request names; `InputError` when a field is missing."""
    match request.action:
        case "extend":
            if request.minutes is None:
                raise InputError("extend needs minutes", field="minutes", advice="Send 1 to 120.")
            return Extend(request.minutes)
        case "broadcast":
            return Broadcast(request.message or "")
        case _:
            simple: dict[str, Command] = {
                "start": Start(),
                "pause": Pause(),
                "resume": Resume(),
                "next": Next(),
                "previous": Previous(),
                "finish": Finish(),
            }
            return simple[request.action]


@router.post("/api/sessions/{session_id}/control", tags=["live"])
async def control(
    session_id: str,
    body: ControlRequest,
    rt: Rt,
    now: Now,
    who: Annotated[auth.Viewer, viewer(*auth.CONTROLLERS)],
) -> dict[str, Any]:
    await command_agenda(
        rt.store, rt.bus, session_id, command_from(body), now=now, expected_version=body.version
    )
    return await state_for(rt, session_id, who, now)


def writer_of(who: auth.Viewer) -> NoteWriter:
    return NoteWriter(who.role, table=who.table, participant_id=who.participant_id)


def scoped_key(who: auth.Viewer, key: str | None) -> str | None:
    # Keys are per link, so one link's retry can never collect another link's answer.
    return None if key is None or not key.strip() else f"{who.link_id}:{key.strip()}"


@router.post(
    "/api/sessions/{session_id}/notes", status_code=201, response_model=NoteOut, tags=["notes"]
)
async def post_note(
    session_id: str,
    body: NoteIn,
    response: Response,
    rt: Rt,
    now: Now,
    who: Annotated[auth.Viewer, viewer(*auth.NOTE_WRITERS)],
    idempotency_key: Annotated[str | None, Header()] = None,
) -> Any:
    receipt = await rt.notes.accept(
        session_id,
        writer_of(who),
        round=body.round,
        table=body.table,
        text=body.text,
        now=now,
        idempotency_key=scoped_key(who, idempotency_key),
    )
    if receipt.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    rt.notes_changed(session_id)  # the theme board follows (actions/board.py)
    return receipt.body


class NoteRecordOut(BaseModel):
    id: str
    round: int
    table: str
    text: str
    created_at: str


@router.get(
    "/api/sessions/{session_id}/notes",
    response_model=list[NoteRecordOut],
    tags=["notes"],
    responses={200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with ?format=csv"}},
)
async def get_notes(
    session_id: str,
    rt: Rt,
    who: Annotated[auth.Viewer, viewer(*auth.NOTE_READERS)],
    # Bounded, because a number past 64 bits reached the database as a 500 (the fuzz test).
    round: Annotated[int | None, Query(ge=1, le=MAX_ROUND)] = None,
    table: str | None = None,
    format: Literal["json", "csv"] = "json",
) -> Response:
    if who.role is Role.HOST:
        table = who.table  # a host reads their own table only
    # The online moderator stands in for room hosts, and reads the rooms' notes only.
    rooms_only = who.role is Role.ONLINE_MODERATOR
    # Redacted, and leak-checked twice: 0.27 s of CPU for 2,000 notes, 0.9 s for 8,000,
    # which on the event loop would stall every stream and note of this worker meanwhile;
    # the report downloads run on threads for the same reason.
    if format == "json":  # a plenary's read-back: never all of it at once (note_json_parts)
        parts, roster = await transact(
            rt.store,
            lambda db: note_json_parts(
                db, session_id, round=round, table=table, rooms_only=rooms_only
            ),
        )
        checked = await anyio.to_thread.run_sync(json_parts_checked, parts, roster)
        return StreamingResponse(
            notes_json_chunks(checked), media_type=NOTES_MEDIA_TYPES[NotesFormat.JSON]
        )
    records, roster = await transact(
        rt.store,
        lambda db: note_records(db, session_id, round=round, table=table, rooms_only=rooms_only),
    )
    text = await anyio.to_thread.run_sync(notes_file, records, roster, NotesFormat.CSV)
    headers = {"Content-Disposition": f'attachment; filename="notes-{session_id}.csv"'}
    return Response(text, media_type=NOTES_MEDIA_TYPES[NotesFormat.CSV], headers=headers)


@router.patch("/api/sessions/{session_id}/notes/{note_id}", response_model=NoteOut, tags=["notes"])
async def patch_note(
    session_id: str,
    note_id: str,
    body: NoteChange,
    rt: Rt,
    now: Now,
    who: Annotated[auth.Viewer, viewer(*auth.NOTE_EDITORS)],
) -> Any:
    note = await change_note(
        rt.store,
        rt.bus,
        session_id,
        writer_of(who),
        note_id,
        now=now,
        text=body.text,
        highlighted=body.highlighted,
    )
    rt.notes_changed(session_id)
    return note


@router.delete("/api/sessions/{session_id}/notes/{note_id}", status_code=204, tags=["notes"])
async def delete_note(
    session_id: str,
    note_id: str,
    rt: Rt,
    now: Now,
    who: Annotated[auth.Viewer, viewer(*auth.NOTE_EDITORS)],
) -> Response:
    await withdraw_note(rt.store, rt.bus, session_id, writer_of(who), note_id, now=now)
    rt.notes_changed(session_id)
    return Response(status_code=204)


@router.get(
    "/api/sessions/{session_id}/events",
    response_class=EventStreamResponse,
    tags=["live"],
    responses={200: {"content": {"text/event-stream": {}}, "description": "SSE stream"}},
)
async def events(
    session_id: str,
    request: Request,
    rt: Rt,
    who: Annotated[auth.Viewer, viewer(*auth.WITH_ORGANIZER)],
    last_event_id: Annotated[
        str | None, Query(description="Resume after this seq (first connect only)")
    ] = None,
) -> EventStreamResponse:
    # Unknown sessions answer 404 now, not as a stream that breaks after its headers.
    # Only whether it exists: a venue's phones reconnecting together after a Wi-Fi drop
    # should not each parse the session file.
    await check_session(rt.store, session_id)
    stream = event_stream(
        rt.feed,
        rt.fanout,
        session_id,
        who,
        last_event_id=parse_last_event_id(request.headers.get("last-event-id"), last_event_id),
        heartbeat_seconds=rt.settings.heartbeat_seconds,
        clock=rt.clock,
    )
    return EventStreamResponse(
        stream,
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
