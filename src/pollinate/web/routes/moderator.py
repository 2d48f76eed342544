"""The online moderator's page: rooms per round with counts and video links, the online
rooms' notes, and the breakout pre-assignment files for the round at hand.

The files come from the same writers as `pollinate plan --out` (io/breakouts.py), so the
Zoom CSV downloaded here is byte for byte the kind the organizer's folder holds.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from pollinate.actions.live import Snapshot, rounds_begun, take_snapshot, transact
from pollinate.actions.notes import note_json
from pollinate.core.roles import Role
from pollinate.core.roster import Roster
from pollinate.io.breakouts import ZOOM_HEADER, bbb_groups, online_places, room_link, zoom_rows
from pollinate.io.excel_safe import write_csv
from pollinate.store import repositories
from pollinate.web import auth
from pollinate.web.deps import Now, Rt, viewer
from pollinate.web.pages import live_page
from pollinate.web.views import viewer_state

router = APIRouter(include_in_schema=False)
Moderator = Annotated[auth.Viewer, viewer(Role.ONLINE_MODERATOR, Role.FACILITATOR)]


def _read(db: Session, session_id: str) -> tuple[Snapshot, Roster, list[dict[str, Any]]]:
    snapshot = take_snapshot(db, session_id)
    rooms = {room.name for room in snapshot.live.spec.rooms}
    notes = [note_json(n) for n in repositories.list_notes(db, session_id) if n.table in rooms]
    return snapshot, repositories.load_roster(db, session_id), notes


@router.get("/s/{session_id}/moderator", response_class=HTMLResponse)
async def moderator_page(
    session_id: str, request: Request, rt: Rt, now: Now, who: Moderator
) -> HTMLResponse:
    snapshot, _, notes = await transact(rt.store, lambda db: _read(db, session_id))
    live = snapshot.live
    view = viewer_state(snapshot, who, now)
    plan = live.plan
    rounds = []
    if plan is not None:
        for number in range(1, plan.rounds + 1):
            rooms = [
                {
                    "name": place.name,
                    "count": len(plan.sitters(place.name, number)),
                    "link": room_link(place, live.spec),
                }
                for place in online_places(plan)
            ]
            rounds.append({"number": number, "rooms": rooms})
    begun = rounds_begun(live.state, live.spec)
    download_round = view["round"] or (begun + 1 if begun < live.spec.round_count else None)
    return live_page(
        request,
        rt,
        who,
        "moderator/rooms.html",
        session_id=session_id,
        view=view,
        now=now,
        rounds=rounds,
        download_round=download_round,
        notes=notes,
    )


def _round_of(snapshot: Snapshot, number: int) -> None:
    plan = snapshot.live.plan
    if plan is None or not 1 <= number <= plan.rounds:
        raise HTTPException(404, f"There is no round {number} in this plan.")


@router.get("/s/{session_id}/moderator/zoom-round-{number}.csv")
async def zoom_file(session_id: str, number: int, rt: Rt, who: Moderator) -> Response:
    snapshot, roster, _ = await transact(rt.store, lambda db: _read(db, session_id))
    _round_of(snapshot, number)
    assert snapshot.live.plan is not None  # noqa: S101 - checked by _round_of
    rows, _missing = zoom_rows(snapshot.live.plan, roster, number)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "zoom.csv"
        write_csv(path, ZOOM_HEADER, rows, bom=False)  # no BOM: Zoom matches the header
        body = path.read_bytes()
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="zoom-round-{number}.csv"'},
    )


@router.get("/s/{session_id}/moderator/bbb-groups-round-{number}.json")
async def bbb_file(session_id: str, number: int, rt: Rt, who: Moderator) -> Response:
    snapshot, _, _ = await transact(rt.store, lambda db: _read(db, session_id))
    _round_of(snapshot, number)
    assert snapshot.live.plan is not None  # noqa: S101 - checked by _round_of
    body = json.dumps(bbb_groups(snapshot.live.plan, number), ensure_ascii=False, indent=2)
    return Response(
        body + "\n",
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="bbb-groups-round-{number}.json"'},
    )
