"""The host's undo of a redaction in their own note, during the note's round.

    POST   /api/sessions/ID/notes/NOTE/restore {"span": i}   put back what placeholder i hid
    DELETE /api/sessions/ID/notes/NOTE/redactions            keep the placeholders; forget

Only the host of the note's table may do either (actions/redaction.py checks the table),
and only while the note's round is open; after that the originals are gone anyway.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from pollinate.actions.redaction import Restorer, keep_redactions, restore_span
from pollinate.core.roles import Role
from pollinate.web import auth
from pollinate.web.deps import Now, Rt, viewer
from pollinate.web.problems import ERROR_ANSWERS

router = APIRouter(responses=ERROR_ANSWERS)  # its error answers, in the OpenAPI document
Host = Annotated[auth.Viewer, viewer(Role.HOST)]


class RestoreIn(BaseModel):
    span: int = Field(description="which placeholder of the note, from 0")


@router.post("/api/sessions/{session_id}/notes/{note_id}/restore", tags=["notes"])
async def restore(
    session_id: str, note_id: str, body: RestoreIn, rt: Rt, now: Now, who: Host
) -> dict[str, Any]:
    note = await restore_span(
        rt.store, rt.bus, session_id, Restorer(who.table), note_id, body.span, now=now
    )
    rt.notes_changed(session_id)
    return note


@router.delete(
    "/api/sessions/{session_id}/notes/{note_id}/redactions", status_code=204, tags=["notes"]
)
async def keep(session_id: str, note_id: str, rt: Rt, who: Host) -> Response:
    await keep_redactions(rt.store, session_id, Restorer(who.table), note_id)
    return Response(status_code=204)
