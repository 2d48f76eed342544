"""The rapporteur's workspace: the live theme board, its edits, and takeaways.

    GET  /s/ID/rapporteur/board              the page (rapporteur, facilitator)
    POST /s/ID/rapporteur/board              merge · split · rename · star · unstar · recount
    POST /s/ID/rapporteur/takeaways          promote a theme or note, or write one
    POST /s/ID/rapporteur/takeaways/TID      save · delete
    GET  /api/sessions/ID/board              the board as JSON (the report-back view for
                                             the projector and participants while it is on)
    POST /api/sessions/ID/board              {"action": …} as the form, answers the board
    POST|PATCH|DELETE /api/sessions/ID/takeaways[/TID]

Forms post and redirect back (post/redirect/get), so the board works by keyboard and
without script; `static/harvest.js` swaps the board in place when `themes.changed` says it
moved on, unless the rapporteur is typing in it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from pollinate.actions.board import (
    BoardEdit,
    BoardState,
    Merge,
    Recount,
    Rename,
    Split,
    Star,
    change_takeaway,
    edit_board,
    promote,
    read_board,
    refresh_board,
    remove_takeaway,
)
from pollinate.actions.live import take_snapshot, transact
from pollinate.core.harvest.takeaways import TakeawayKind
from pollinate.core.roles import Role
from pollinate.errors import InputError, NotAllowed
from pollinate.store.harvest import BoardConflict
from pollinate.web import auth
from pollinate.web.board_views import board_view, report_back_view
from pollinate.web.deps import Now, Rt, viewer
from pollinate.web.pages import back, live_page
from pollinate.web.problems import ERROR_ANSWERS
from pollinate.web.views import viewer_state

router = APIRouter(responses=ERROR_ANSWERS)  # its error answers, in the OpenAPI document
HARVESTERS = (Role.RAPPORTEUR, Role.FACILITATOR)
Harvester = Annotated[auth.Viewer, viewer(*HARVESTERS)]
BoardEditAction = Literal["merge", "split", "rename", "star", "unstar", "recount"]


def board_page(session_id: str) -> str:
    return f"/s/{session_id}/rapporteur/board"


def parse_edit(
    action: str,
    *,
    themes: list[str],
    notes: list[str],
    theme: str,
    label: str,
    note: str,
    n_themes: str,
) -> BoardEdit:
    """The board edit a form or a JSON request names; `InputError` for a missing part."""
    match action:
        case "merge":
            return Merge(tuple(themes))
        case "split":
            return Split(tuple(notes))
        case "rename":
            return Rename(theme, label)
        case "star" | "unstar":
            return Star(note, starred=action == "star")
        case "recount":
            text = n_themes.strip()
            if text and not text.isdigit():
                raise InputError(
                    f"{text!r} is not a number of themes",
                    field="n_themes",
                    advice="Type a whole number, or leave it empty to let pollinate choose.",
                )
            return Recount(int(text) if text else None)
    raise InputError(
        f"unknown board action {action!r}",
        field="action",
        advice="Use merge, split, rename, star, unstar or recount.",
    )


@router.get(
    "/s/{session_id}/rapporteur/board", response_class=HTMLResponse, include_in_schema=False
)
async def board_workspace(
    session_id: str, request: Request, rt: Rt, now: Now, who: Harvester
) -> HTMLResponse:
    await refresh_board(rt.store, rt.bus, session_id, now=now, clusterer=rt.clusterer)

    def read(db: Any) -> tuple[Any, BoardState]:
        return take_snapshot(db, session_id), read_board(db, session_id)

    snapshot, state = await transact(rt.store, read)
    view = viewer_state(snapshot, who, now)
    return live_page(
        request,
        rt,
        who,
        "rapporteur/board.html",
        session_id=session_id,
        view=view,
        now=now,
        board=board_view(state.board, state.notes, state.takeaways, state.vote),
    )


@router.post("/s/{session_id}/rapporteur/board", include_in_schema=False)
async def board_form(
    session_id: str,
    rt: Rt,
    now: Now,
    who: Harvester,
    action: Annotated[str, Form()],
    themes: Annotated[list[str] | None, Form()] = None,
    notes: Annotated[list[str] | None, Form()] = None,
    theme: Annotated[str, Form()] = "",
    label: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    n_themes: Annotated[str, Form()] = "",
) -> Response:
    try:
        edit = parse_edit(
            action,
            themes=themes or [],
            notes=notes or [],
            theme=theme,
            label=label,
            note=note,
            n_themes=n_themes,
        )
        await edit_board(rt.store, rt.bus, session_id, edit, now=now, clusterer=rt.clusterer)
    except (InputError, BoardConflict) as error:
        return back(board_page(session_id), str(error))
    done = {
        "merge": "Merged.",
        "split": "Split into a theme of its own.",
        "rename": "Renamed.",
        "star": "Starred.",
        "unstar": "Unstarred.",
        "recount": "Re-clustered.",
    }
    return back(board_page(session_id), done.get(action, "Saved."))


def parse_kind(kind: str) -> TakeawayKind:
    try:
        return TakeawayKind(kind)
    except ValueError:
        raise InputError(
            f"unknown kind {kind!r}",
            field="kind",
            advice="Choose a key takeaway or a call to action.",
        ) from None


@router.post("/s/{session_id}/rapporteur/takeaways", include_in_schema=False)
async def takeaway_form(
    session_id: str,
    rt: Rt,
    now: Now,
    who: Harvester,
    kind: Annotated[str, Form()] = TakeawayKind.TAKEAWAY.value,
    theme: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
) -> Response:
    try:
        await promote(
            rt.store,
            rt.bus,
            session_id,
            parse_kind(kind),
            now=now,
            theme_id=theme or None,
            note_id=note or None,
            text=text or None,
        )
    except InputError as error:
        return back(board_page(session_id), str(error))
    return back(board_page(session_id), "Added to the takeaways.")


@router.post("/s/{session_id}/rapporteur/takeaways/{takeaway_id}", include_in_schema=False)
async def takeaway_change_form(
    session_id: str,
    takeaway_id: str,
    rt: Rt,
    now: Now,
    who: Harvester,
    intent: Annotated[str, Form()],
    text: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
) -> Response:
    try:
        if intent == "delete":
            await remove_takeaway(rt.store, rt.bus, session_id, takeaway_id, now=now)
            return back(board_page(session_id), "Takeaway deleted.")
        await change_takeaway(
            rt.store,
            rt.bus,
            session_id,
            takeaway_id,
            now=now,
            text=text,
            kind=parse_kind(kind) if kind else None,
        )
    except (InputError, LookupError) as error:
        return back(board_page(session_id), str(error))
    return back(board_page(session_id), "Takeaway saved.")


# ── JSON ──────────────────────────────────────────────────────────────────────────────


class BoardEditIn(BaseModel):
    action: BoardEditAction
    themes: list[str] = Field(default_factory=list, description="merge: two or more theme ids")
    notes: list[str] = Field(default_factory=list, description="split: note ids of one theme")
    theme: str = Field(default="", description="rename: the theme id")
    label: str = Field(default="", description="rename: 1 to 80 characters")
    note: str = Field(default="", description="star, unstar: the note id")
    n_themes: int | None = Field(default=None, description="recount: 1 to 30, null: automatic")


class TakeawayIn(BaseModel):
    kind: TakeawayKind
    theme: str | None = None
    note: str | None = None
    text: str | None = Field(default=None, description="1 to 500 characters; default: the label")


class TakeawayChange(BaseModel):
    kind: TakeawayKind | None = None
    text: str | None = None


async def board_for(rt: Rt, session_id: str, who: auth.Viewer, now: Any) -> dict[str, Any]:
    """The full board for those who harvest; the report-back view for the room, if on."""
    if who.role in HARVESTERS:
        await refresh_board(rt.store, rt.bus, session_id, now=now, clusterer=rt.clusterer)
    state = await transact(rt.store, lambda db: read_board(db, session_id))
    if who.role in HARVESTERS:
        return board_view(state.board, state.notes, state.takeaways, state.vote)
    if not state.board.shown:
        raise NotAllowed("The report back is not on yet.")
    return report_back_view(
        state.board,
        state.takeaways,
        state.vote,
        state.scrub,
        dots_while_open=who.role is not Role.PARTICIPANT,
    )


@router.get("/api/sessions/{session_id}/board", tags=["harvest"])
async def get_board(
    session_id: str,
    rt: Rt,
    now: Now,
    who: Annotated[auth.Viewer, viewer(*HARVESTERS, Role.PROJECTOR, Role.PARTICIPANT)],
) -> dict[str, Any]:
    return await board_for(rt, session_id, who, now)


@router.post("/api/sessions/{session_id}/board", tags=["harvest"])
async def post_board(
    session_id: str, body: BoardEditIn, rt: Rt, now: Now, who: Harvester
) -> dict[str, Any]:
    edit = parse_edit(
        body.action,
        themes=body.themes,
        notes=body.notes,
        theme=body.theme,
        label=body.label,
        note=body.note,
        n_themes="" if body.n_themes is None else str(body.n_themes),
    )
    await edit_board(rt.store, rt.bus, session_id, edit, now=now, clusterer=rt.clusterer)
    return await board_for(rt, session_id, who, now)


@router.post("/api/sessions/{session_id}/takeaways", status_code=201, tags=["harvest"])
async def post_takeaway(
    session_id: str, body: TakeawayIn, rt: Rt, now: Now, who: Harvester
) -> dict[str, Any]:
    takeaway_id = await promote(
        rt.store,
        rt.bus,
        session_id,
        body.kind,
        now=now,
        theme_id=body.theme,
        note_id=body.note,
        text=body.text,
    )
    board = await board_for(rt, session_id, who, now)
    return next(t for t in board["takeaways"] if t["id"] == takeaway_id)


@router.patch("/api/sessions/{session_id}/takeaways/{takeaway_id}", tags=["harvest"])
async def patch_takeaway(
    session_id: str, takeaway_id: str, body: TakeawayChange, rt: Rt, now: Now, who: Harvester
) -> dict[str, Any]:
    await change_takeaway(
        rt.store, rt.bus, session_id, takeaway_id, now=now, text=body.text, kind=body.kind
    )
    board = await board_for(rt, session_id, who, now)
    return next(t for t in board["takeaways"] if t["id"] == takeaway_id)


@router.delete(
    "/api/sessions/{session_id}/takeaways/{takeaway_id}", status_code=204, tags=["harvest"]
)
async def delete_takeaway(
    session_id: str, takeaway_id: str, rt: Rt, now: Now, who: Harvester
) -> Response:
    await remove_takeaway(rt.store, rt.bus, session_id, takeaway_id, now=now)
    return Response(status_code=204)
