"""The organizer's pages: create a session, see its plan and metrics, re-plan before the
start, and list, revoke and reissue its links.

New tokens exist only in the answer that created them (only hashes are stored), so the
pages that create or reissue links show them once and say so.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from pollinate.actions.live import load_live, transact
from pollinate.actions.organizing import (
    create_from_files,
    link_entries,
    plan_and_create,
    reissue_link,
    replan_before_start,
    revoke_link,
)
from pollinate.actions.sessions import CreatedSession, link_url
from pollinate.core.agenda import RunPhase
from pollinate.core.roles import Role
from pollinate.errors import InfeasibleError, InputError, NotAllowed
from pollinate.io.roster_table import MAX_FILE_BYTES as MAX_ROSTER_BYTES
from pollinate.io.session_file import MAX_FILE_BYTES as MAX_SESSION_FILE_BYTES
from pollinate.store import join_codes, repositories
from pollinate.web import auth
from pollinate.web.deps import Now, Organizer, Rt, Runtime, csrf_for, viewer
from pollinate.web.pages import back

router = APIRouter(include_in_schema=False)
OrganizerOf = Annotated[auth.Viewer, viewer(Role.ORGANIZER)]
# The larger of the two files' own limits; each parser then applies its own, with advice.
MAX_UPLOAD_BYTES = max(MAX_ROSTER_BYTES, MAX_SESSION_FILE_BYTES)


def _render(
    request: Request,
    rt: Runtime,
    who: auth.Viewer,
    template: str,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    return rt.templates.TemplateResponse(
        request,
        template,
        {
            "csrf": csrf_for(rt, who),
            "role_label": "Organizer",
            "message": request.query_params.get("message", ""),
            **context,
        },
        status_code=status,
    )


@router.get("/organize", response_class=HTMLResponse)
async def organizer_home(request: Request, rt: Rt, who: Organizer) -> HTMLResponse:
    sessions = await transact(rt.store, repositories.list_sessions)
    return _render(request, rt, who, "organizer/home.html", sessions=sessions)


def _created_page(
    request: Request, rt: Runtime, who: auth.Viewer, created: CreatedSession
) -> HTMLResponse:
    base = rt.settings.public_base_url
    rows = [
        {
            "role": link.role.value,
            "name": link.name,
            "table": link.table or "",
            "url": link_url(base, link.token),
        }
        for link in created.links
    ]
    return _render(
        request,
        rt,
        who,
        "organizer/created.html",
        session_id=created.session_id,
        join_code=created.join_code,
        rows=rows,
    )


async def _upload_bytes(upload: UploadFile | None) -> bytes:
    if upload is None:
        return b""
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError(
            f"{upload.filename} is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB",
            advice="Upload the CSV or XLSX roster and the YAML session file.",
        )
    return data


@router.post("/organize/sessions", response_class=HTMLResponse)
async def create_session(
    request: Request,
    rt: Rt,
    now: Now,
    who: Organizer,
    session_file: Annotated[UploadFile | None, File()] = None,
    roster: Annotated[UploadFile | None, File()] = None,
    example_people: Annotated[str, Form()] = "",
) -> HTMLResponse:
    try:
        if example_people.strip():
            created = await _example_session(rt, example_people, now)
        else:
            spec_bytes, roster_bytes = (
                await _upload_bytes(session_file),
                await _upload_bytes(roster),
            )
            if not spec_bytes or not roster_bytes:
                raise InputError(
                    "a session file and a roster are both needed",
                    advice="Choose both files, or ask for the example session.",
                )
            name = roster.filename if roster and roster.filename else "roster.csv"
            created = await create_from_files(rt.store, spec_bytes, roster_bytes, name, now=now)
    except (InputError, InfeasibleError) as error:
        sessions = await transact(rt.store, repositories.list_sessions)
        return _render(
            request, rt, who, "organizer/home.html", 422, sessions=sessions, error=str(error)
        )
    return _created_page(request, rt, who, created)


async def _example_session(rt: Runtime, people: str, now: Any) -> CreatedSession:
    import anyio.to_thread

    from pollinate.actions.organizing import example_session_path
    from pollinate.core.synthetic_roster import generate_roster
    from pollinate.io.session_file import load_session

    if not people.strip().isdigit() or not 1 <= int(people) <= 2000:
        raise InputError("give 1 to 2,000 people", field="example_people")

    def work() -> CreatedSession:
        spec = load_session(example_session_path())
        roster = generate_roster(int(people), online_fraction=0.25, seed=7)
        return plan_and_create(rt.store, spec, roster, now=now, seed=7)

    return await anyio.to_thread.run_sync(work)


@router.get("/organize/{session_id}", response_class=HTMLResponse)
async def organizer_session(
    session_id: str, request: Request, rt: Rt, who: OrganizerOf
) -> HTMLResponse:
    live, code = await transact(
        rt.store, lambda db: (load_live(db, session_id), join_codes.join_code(db, session_id))
    )
    entries = await link_entries(rt.store, session_id)
    return _render(
        request,
        rt,
        who,
        "organizer/session.html",
        session_id=session_id,
        live=live,
        metrics=live.metrics,
        join_code=code,
        join_url=f"{rt.settings.public_base_url}/join/{code}" if code else None,
        can_replan=live.state.phase is RunPhase.NOT_STARTED,
        entries=entries,
        reissued=None,
    )


def _page(session_id: str) -> str:
    return f"/organize/{session_id}"


@router.post("/organize/{session_id}/replan")
async def replan(session_id: str, rt: Rt, now: Now, who: OrganizerOf) -> Response:
    try:
        await replan_before_start(rt.store, rt.bus, session_id, now=now)
    except (NotAllowed, InputError, InfeasibleError) as error:
        return back(_page(session_id), str(error))
    return back(_page(session_id), "Re-planned every round.")


@router.post("/organize/{session_id}/links/{link_id}/revoke")
async def revoke(session_id: str, link_id: int, rt: Rt, now: Now, who: OrganizerOf) -> Response:
    await revoke_link(rt.store, session_id, link_id, now=now)
    return back(_page(session_id), "Link revoked; it no longer opens anything.")


@router.post("/organize/{session_id}/links/{link_id}/reissue", response_class=HTMLResponse)
async def reissue(
    session_id: str, link_id: int, request: Request, rt: Rt, now: Now, who: OrganizerOf
) -> HTMLResponse:
    issued = await reissue_link(rt.store, session_id, link_id, now=now)
    return _render(
        request,
        rt,
        who,
        "organizer/reissued.html",
        session_id=session_id,
        role=issued.role.value,
        table=issued.table or "",
        url=link_url(rt.settings.public_base_url, issued.token),
    )
