"""The rapporteur's page: every table's notes as they come in (the harvest comes later)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from pollinate.actions.live import Snapshot, take_snapshot, transact
from pollinate.actions.notes import note_json, table_names
from pollinate.core.notes import Note
from pollinate.core.roles import Role
from pollinate.store import repositories
from pollinate.web import auth
from pollinate.web.deps import Now, Rt, viewer
from pollinate.web.pages import live_page
from pollinate.web.views import state_view

router = APIRouter(include_in_schema=False)


@router.get("/s/{session_id}/rapporteur", response_class=HTMLResponse)
async def rapporteur_page(
    session_id: str,
    request: Request,
    rt: Rt,
    now: Now,
    who: Annotated[auth.Viewer, viewer(Role.RAPPORTEUR, Role.FACILITATOR)],
) -> HTMLResponse:
    def read(db: Session) -> tuple[Snapshot, list[Note]]:
        return take_snapshot(db, session_id), repositories.list_notes(db, session_id)

    snapshot, notes = await transact(rt.store, read)
    view = state_view(
        snapshot.live,
        role=who.role,
        now=now,
        last_event_id=snapshot.last_event_id,
        broadcasts=snapshot.broadcasts,
    )
    return live_page(
        request,
        rt,
        who,
        "rapporteur/feed.html",
        session_id=session_id,
        view=view,
        now=now,
        notes=[note_json(note) for note in notes],
        tables=table_names(snapshot.live),
    )
