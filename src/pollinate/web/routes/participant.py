"""The participant's phone page: my table or room now, the question, time left, where I go
next, broadcasts; and "add an idea" when the session file allows participant notes.

The template receives the allow-listed state view and nothing else about the session:
no roster row, no other person's seat (ARCHITECTURE.md, "What reaches a participant").
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pollinate.actions.live import take_snapshot, transact
from pollinate.core.roles import Role
from pollinate.web import auth
from pollinate.web.deps import Now, Rt, viewer
from pollinate.web.pages import live_page
from pollinate.web.views import state_view

router = APIRouter(include_in_schema=False)


@router.get("/s/{session_id}/participant", response_class=HTMLResponse)
async def participant_page(
    session_id: str,
    request: Request,
    rt: Rt,
    now: Now,
    who: Annotated[auth.Viewer, viewer(Role.PARTICIPANT)],
) -> HTMLResponse:
    snapshot = await transact(rt.store, lambda db: take_snapshot(db, session_id))
    view = state_view(
        snapshot.live,
        role=who.role,
        now=now,
        last_event_id=snapshot.last_event_id,
        broadcasts=snapshot.broadcasts,
        participant_id=who.participant_id,
    )
    return live_page(
        request,
        rt,
        who,
        "participant/phone.html",
        session_id=session_id,
        view=view,
        now=now,
        ideas=snapshot.live.spec.participant_notes,
    )
