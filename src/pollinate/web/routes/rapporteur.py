"""The rapporteur's page: every table's notes as they come in, and the report downloads.

The downloads are `actions/report.export_report`, run on a worker thread (a PDF takes a
second or two); a report that fails the leak check answers 422 with the places to fix.
"""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from pollinate.actions.live import Snapshot, take_snapshot, transact
from pollinate.actions.notes import note_json, table_names
from pollinate.actions.report import ReportFormat, export_report
from pollinate.core.notes import Note
from pollinate.core.roles import Role
from pollinate.store import repositories
from pollinate.web import auth
from pollinate.web.deps import Now, Rt, viewer
from pollinate.web.pages import live_page
from pollinate.web.views import viewer_state

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
    view = viewer_state(snapshot, who, now)
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


@router.get("/s/{session_id}/rapporteur/report.{extension}")
async def report_download(
    session_id: str,
    extension: ReportFormat,
    rt: Rt,
    who: Annotated[auth.Viewer, viewer(Role.RAPPORTEUR, Role.FACILITATOR)],
) -> Response:
    exported = await anyio.to_thread.run_sync(
        lambda: export_report(rt.store, session_id, extension)
    )
    disposition = f'attachment; filename="{exported.filename}"'
    return Response(
        exported.content,
        media_type=exported.media_type,
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )
