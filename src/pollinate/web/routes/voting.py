"""Dot voting and the report-back view: the facilitator opens and closes, phones vote.

    POST /s/ID/facilitator/vote          open (dots, per theme) · close      facilitator
    POST /s/ID/facilitator/report-back   on · off                            facilitator
    POST /s/ID/participant/ballot        dots per theme (one ballot a link)  participant
    GET  /s/ID/report-back               themes, dots, takeaways, large      projector,
                                                                   facilitator, rapporteur
    POST /api/sessions/ID/vote · GET /api/sessions/ID/vote · PUT /api/sessions/ID/vote/ballot
    POST /api/sessions/ID/report-back

A ballot is keyed by the link that cast it (actions/voting.py, `voter_hash`), which is why
only a participant link votes here: one link, one ballot, changeable until the vote closes.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from pollinate.actions.board import read_board
from pollinate.actions.live import take_snapshot, transact
from pollinate.actions.voting import (
    Voter,
    cast_ballot,
    close_vote,
    my_ballot,
    open_vote,
    show_report_back,
)
from pollinate.core.harvest.votes import DOTS
from pollinate.core.roles import Role
from pollinate.errors import InputError, NotAllowed
from pollinate.store import votes
from pollinate.web import auth
from pollinate.web.board_views import ballot_view, report_back_view, vote_view
from pollinate.web.deps import Now, Rt, Runtime, viewer
from pollinate.web.pages import back, live_page
from pollinate.web.problems import ERROR_ANSWERS
from pollinate.web.views import viewer_state

router = APIRouter(responses=ERROR_ANSWERS)  # its error answers, in the OpenAPI document
Facilitator = Annotated[auth.Viewer, viewer(Role.FACILITATOR)]
Participant = Annotated[auth.Viewer, viewer(Role.PARTICIPANT)]
ROOM_SCREENS = (Role.PROJECTOR, Role.FACILITATOR, Role.RAPPORTEUR)


def voter_of(rt: Runtime, who: auth.Viewer) -> Voter:
    if who.link_id is None:  # pragma: no cover - participant viewers come from links
        raise NotAllowed("Only a personal participant link can vote.")
    return Voter(who.link_id, rt.secret)


def _number(text: str, field: str, default: int | None) -> int | None:
    text = text.strip()
    if not text:
        return default
    if not text.isdigit():
        raise InputError(f"{text!r} is not a number", field=field, advice="Type a whole number.")
    return int(text)


def console(session_id: str) -> str:
    return f"/s/{session_id}/facilitator"


@router.post("/s/{session_id}/facilitator/vote", include_in_schema=False)
async def vote_form(
    session_id: str,
    rt: Rt,
    now: Now,
    who: Facilitator,
    intent: Annotated[str, Form()],
    dots: Annotated[str, Form()] = "",
    per_theme: Annotated[str, Form()] = "",
) -> Response:
    try:
        if intent == "close":
            closed = await close_vote(rt.store, rt.bus, session_id, now=now)
            return back(console(session_id), f"Vote closed with {await _ballots(rt, closed.id)}.")
        await open_vote(
            rt.store,
            rt.bus,
            session_id,
            now=now,
            dots=_number(dots, "dots", DOTS) or DOTS,
            per_theme=_number(per_theme, "per_theme", None),
            clusterer=rt.clusterer,
        )
    except (InputError, NotAllowed) as error:
        return back(console(session_id), str(error))
    return back(console(session_id), "Vote open: the phones show the themes.")


async def _ballots(rt: Runtime, vote_id: str) -> str:
    count = await transact(rt.store, lambda db: votes.count_ballots(db, vote_id))
    return "1 ballot" if count == 1 else f"{count} ballots"


@router.post("/s/{session_id}/facilitator/report-back", include_in_schema=False)
async def report_back_form(
    session_id: str, rt: Rt, now: Now, who: Facilitator, shown: Annotated[str, Form()]
) -> Response:
    on = shown == "on"
    await show_report_back(rt.store, rt.bus, session_id, on, now=now)
    return back(
        console(session_id),
        "The report back is on the projector and the phones." if on else "Report back hidden.",
    )


def ballot_dots(form: dict[str, str], themes: list[str]) -> list[str]:
    """A ballot from the phone's form: one number field `dots-THEME` per theme."""
    chosen: list[str] = []
    for theme_id in themes:
        count = _number(form.get(f"dots-{theme_id}", ""), f"dots-{theme_id}", 0) or 0
        chosen += [theme_id] * count
    return chosen


@router.post("/s/{session_id}/participant/ballot", include_in_schema=False)
async def ballot_form(
    session_id: str, request: Request, rt: Rt, now: Now, who: Participant
) -> Response:
    page = f"/s/{session_id}/participant"
    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    try:
        vote = await transact(rt.store, lambda db: votes.latest_vote(db, session_id))
        if vote is None or not vote.is_open:
            raise NotAllowed("No dot vote is open now.")
        chosen = ballot_dots(form, [theme.id for theme in vote.themes])
        await cast_ballot(rt.store, rt.bus, session_id, voter_of(rt, who), chosen, now=now)
    except (InputError, NotAllowed) as error:
        return back(page, str(error))
    return back(page, "Your dots are in. You can change them until the vote closes.")


@router.get("/s/{session_id}/report-back", response_class=HTMLResponse, include_in_schema=False)
async def report_back_page(
    session_id: str,
    request: Request,
    rt: Rt,
    now: Now,
    who: Annotated[auth.Viewer, viewer(*ROOM_SCREENS)],
) -> HTMLResponse:
    snapshot, state = await transact(
        rt.store, lambda db: (take_snapshot(db, session_id), read_board(db, session_id))
    )
    view = viewer_state(snapshot, who, now)
    # Until the facilitator turns it on, the room's screen shows only that it is coming;
    # the facilitator and the rapporteur see it as a preview.
    visible = state.board.shown or who.role is not Role.PROJECTOR
    return live_page(
        request,
        rt,
        who,
        "report_back.html",
        session_id=session_id,
        view=view,
        now=now,
        report=report_back_view(state.board, state.takeaways, state.vote, state.scrub)
        if visible
        else None,
        shown=state.board.shown,
    )


# ── JSON ──────────────────────────────────────────────────────────────────────────────


class VoteControl(BaseModel):
    action: Literal["open", "close"]
    dots: int = Field(default=DOTS, description="open: dots per participant, 1 to 10")
    per_theme: int | None = Field(default=None, description="open: most dots on one theme")


class BallotIn(BaseModel):
    dots: list[str] = Field(description="one theme id per dot; repeat an id to stack dots")


class ReportBackIn(BaseModel):
    shown: bool


async def vote_for(rt: Runtime, session_id: str, who: auth.Viewer) -> dict[str, Any] | None:
    if who.role is Role.PARTICIPANT:

        def read(db: Any) -> dict[str, Any] | None:
            state = read_board(db, session_id)
            vote = votes.latest_vote(db, session_id)
            mine = None if vote is None else my_ballot(db, vote, voter_of(rt, who))
            return ballot_view(vote, mine, state.scrub)

        return await transact(rt.store, read)

    def tally(db: Any) -> dict[str, Any] | None:
        state = read_board(db, session_id)
        return vote_view(state.vote, state.scrub)

    return await transact(rt.store, tally)


@router.post("/api/sessions/{session_id}/vote", tags=["harvest"])
async def post_vote(
    session_id: str, body: VoteControl, rt: Rt, now: Now, who: Facilitator
) -> dict[str, Any] | None:
    if body.action == "open":
        await open_vote(
            rt.store,
            rt.bus,
            session_id,
            now=now,
            dots=body.dots,
            per_theme=body.per_theme,
            clusterer=rt.clusterer,
        )
    else:
        await close_vote(rt.store, rt.bus, session_id, now=now)
    return await vote_for(rt, session_id, who)


@router.get("/api/sessions/{session_id}/vote", tags=["harvest"])
async def get_vote(
    session_id: str,
    rt: Rt,
    who: Annotated[auth.Viewer, viewer(*ROOM_SCREENS, Role.PARTICIPANT)],
) -> dict[str, Any] | None:
    return await vote_for(rt, session_id, who)


@router.put("/api/sessions/{session_id}/vote/ballot", tags=["harvest"])
async def put_ballot(
    session_id: str, body: BallotIn, rt: Rt, now: Now, who: Participant
) -> dict[str, Any]:
    dots = await cast_ballot(rt.store, rt.bus, session_id, voter_of(rt, who), body.dots, now=now)
    return {"dots": list(dots)}


@router.post("/api/sessions/{session_id}/report-back", tags=["harvest"])
async def post_report_back(
    session_id: str, body: ReportBackIn, rt: Rt, now: Now, who: Facilitator
) -> dict[str, bool]:
    board = await show_report_back(rt.store, rt.bus, session_id, body.shown, now=now)
    return {"shown": board.shown}
