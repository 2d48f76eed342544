"""The facilitator console: agenda, controls, check-ins, table fill, broadcast, metrics.

Every control is a plain form (post/redirect/get), so the console works by keyboard and
without script; `live.js` keeps the timer, the agenda highlight and the notes feed live.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from pollinate.actions import voting
from pollinate.actions.agenda import command_agenda
from pollinate.actions.live import Snapshot, rounds_begun, take_snapshot, transact
from pollinate.actions.notes import note_json
from pollinate.actions.seating import (
    WalkIn,
    check_in_arrival,
    mark_absent,
    mark_present,
    presence_counts,
)
from pollinate.core.roster import Attendance, Participant, Region, StakeholderGroup
from pollinate.errors import AgendaError, InfeasibleError, InputError, NotAllowed
from pollinate.store import harvest, repositories
from pollinate.store.tables import Presence
from pollinate.web import auth
from pollinate.web.board_views import vote_view
from pollinate.web.deps import Now, Rt, viewer
from pollinate.web.pages import back, live_page
from pollinate.web.routes.api import ControlRequest, command_from
from pollinate.web.views import viewer_state

router = APIRouter(include_in_schema=False)
Facilitator = Annotated[auth.Viewer, viewer(*auth.CONTROLLERS)]


@dataclass(frozen=True, slots=True)
class Console:
    snapshot: Snapshot
    people: list[tuple[Participant, Presence]]
    notes: list[dict[str, Any]]
    harvest: dict[str, Any]


def read_people(db: Session, session_id: str) -> list[tuple[Participant, Presence]]:
    """Everyone on the roster with whether they are here."""
    presence = repositories.presences(db, session_id)
    return [
        (p, presence.get(p.id, Presence.EXPECTED)) for p in repositories.load_roster(db, session_id)
    ]


def read_console(db: Session, session_id: str) -> Console:
    snapshot = take_snapshot(db, session_id)
    people = read_people(db, session_id)
    notes = [note_json(n) for n in repositories.list_notes(db, session_id)]
    board = harvest.load_board(db, session_id)
    harvest_view = {
        "vote": vote_view(voting.latest(db, session_id)),
        "shown": board is not None and board.shown,
    }
    return Console(snapshot, people, notes, harvest_view)


def seating_view(
    snapshot: Snapshot, people: list[tuple[Participant, Presence]], current_round: int | None
) -> dict[str, Any]:
    """The console's table fill (the running round's, else the next one's) and check-in
    counts: the page renders it, and `live.js` fetches it again when a block starts, the
    session finishes, the seating or anyone's presence changes (`fill_json`)."""
    live = snapshot.live
    begun = rounds_begun(live.state, live.spec)
    fill_round = current_round or (begun + 1 if begun < live.spec.round_count else None)
    return {
        "fill_round": fill_round,
        "fill": table_fill(snapshot, people, fill_round),
        "counts": presence_counts(presence for _, presence in people).to_payload(),
    }


def table_fill(
    snapshot: Snapshot, people: list[tuple[Participant, Presence]], round_number: int | None
) -> list[dict[str, Any]]:
    """Seats taken per table in a round, counting people not marked absent."""
    plan = snapshot.live.plan
    if plan is None or round_number is None or round_number > plan.rounds:
        return []
    absent = {p.id for p, presence in people if presence is Presence.ABSENT}
    return [
        {
            "name": place.name,
            "online": place.online,
            "seated": sum(1 for pid in plan.sitters(place.name, round_number) if pid not in absent),
            "capacity": place.capacity,
        }
        for place in plan.places
    ]


@router.get("/s/{session_id}/facilitator", response_class=HTMLResponse)
async def console_page(
    session_id: str, request: Request, rt: Rt, now: Now, who: Facilitator
) -> HTMLResponse:
    console = await transact(rt.store, lambda db: read_console(db, session_id))
    live = console.snapshot.live
    view = viewer_state(console.snapshot, who, now)
    return live_page(
        request,
        rt,
        who,
        "facilitator/console.html",
        session_id=session_id,
        view=view,
        now=now,
        live=live,
        agenda=list(enumerate(live.spec.agenda)),
        people=console.people,
        **seating_view(console.snapshot, console.people, view["round"]),
        metrics=live.metrics,
        notes=console.notes,
        harvest=console.harvest,
        groups=[group.value for group in StakeholderGroup],
        regions=[region.value for region in Region],
    )


@router.get("/s/{session_id}/facilitator/fill")
async def fill_json(session_id: str, rt: Rt, now: Now, who: Facilitator) -> dict[str, Any]:
    """The table fill and check-in counts, for the console to redraw without a reload
    (which would lose what is typed in its forms)."""

    def read(db: Session) -> tuple[Snapshot, list[tuple[Participant, Presence]]]:
        return take_snapshot(db, session_id), read_people(db, session_id)

    snapshot, people = await transact(rt.store, read)
    return seating_view(snapshot, people, viewer_state(snapshot, who, now)["round"])


def _console(session_id: str) -> str:
    return f"/s/{session_id}/facilitator"


@router.post("/s/{session_id}/facilitator/control")
async def control_form(
    session_id: str,
    rt: Rt,
    now: Now,
    who: Facilitator,
    action: Annotated[str, Form()],
    minutes: Annotated[str, Form()] = "",
    message: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
) -> Response:
    try:
        request = ControlRequest.model_validate(
            {
                "action": action,
                "minutes": int(minutes) if minutes.strip().isdigit() else None,
                "message": message or None,
                "version": int(version) if version.strip().isdigit() else None,
            }
        )
        await command_agenda(
            rt.store,
            rt.bus,
            session_id,
            command_from(request),
            now=now,
            expected_version=request.version,
        )
    except (AgendaError, InputError, repositories.VersionConflict) as error:
        return back(_console(session_id), str(error))
    except ValueError:
        return back(_console(session_id), f"Unknown action {action!r}.")
    return back(_console(session_id), "Sent the message." if action == "broadcast" else "")


@router.post("/s/{session_id}/facilitator/arrivals")
async def arrival_form(
    session_id: str,
    rt: Rt,
    now: Now,
    who: Facilitator,
    name: Annotated[str, Form()] = "",
    stakeholder_group: Annotated[str, Form()] = "",
    region: Annotated[str, Form()] = "",
    attendance: Annotated[str, Form()] = "onsite",
) -> Response:
    try:
        walk_in = WalkIn(
            name,
            stakeholder_group or None,
            region or None,
            Attendance.ONLINE if attendance == "online" else Attendance.ONSITE,
        )
        await check_in_arrival(rt.store, rt.bus, session_id, walk_in, now=now)
    except (InputError, NotAllowed, InfeasibleError) as error:
        return back(_console(session_id), str(error))
    return back(_console(session_id), f"Checked in {walk_in.name}; seated from the next round.")


@router.post("/s/{session_id}/facilitator/absent")
async def absent_form(
    session_id: str,
    rt: Rt,
    now: Now,
    who: Facilitator,
    participant_id: Annotated[str, Form()],
) -> Response:
    try:
        await mark_absent(rt.store, rt.bus, session_id, participant_id, now=now)
    except (LookupError, NotAllowed, InfeasibleError) as error:
        return back(_console(session_id), str(error))
    return back(_console(session_id), "Marked absent; later rounds re-planned.")


@router.post("/s/{session_id}/facilitator/present")
async def present_form(
    session_id: str,
    rt: Rt,
    now: Now,
    who: Facilitator,
    participant_id: Annotated[str, Form()],
) -> Response:
    try:
        await mark_present(rt.store, rt.bus, session_id, participant_id, now=now, if_expected=True)
    except LookupError as error:
        return back(_console(session_id), str(error))
    return back(_console(session_id), "Checked in.")
