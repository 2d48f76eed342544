"""The participant's phone page: my table or room now, the question, time left, where I go
next, broadcasts; "add an idea" when the session file allows participant notes; the dot
ballot while a vote is open and the report back while the facilitator shows it.

The template receives the allow-listed state view and nothing else about the session:
no roster row, no other person's seat (ARCHITECTURE.md, "What reaches a participant").
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from pollinate.actions.board import BoardState, read_board
from pollinate.actions.live import Snapshot, take_snapshot, transact
from pollinate.actions.voting import Voter, my_ballot
from pollinate.core.roles import Role
from pollinate.store import votes
from pollinate.web import auth
from pollinate.web.board_views import ballot_view, report_back_view
from pollinate.web.deps import Now, Rt, viewer
from pollinate.web.pages import live_page
from pollinate.web.views import viewer_state

router = APIRouter(include_in_schema=False)


@router.get("/s/{session_id}/participant", response_class=HTMLResponse)
async def participant_page(
    session_id: str,
    request: Request,
    rt: Rt,
    now: Now,
    who: Annotated[auth.Viewer, viewer(Role.PARTICIPANT)],
) -> HTMLResponse:
    voter = Voter(who.link_id or 0, rt.secret)

    def read(db: Session) -> tuple[Snapshot, BoardState, tuple[str, ...] | None]:
        state = read_board(db, session_id)
        vote = votes.latest_vote(db, session_id)
        mine = None if vote is None else my_ballot(db, vote, voter)
        return take_snapshot(db, session_id), state, mine

    snapshot, state, mine = await transact(rt.store, read)
    vote = state.vote[0] if state.vote else None
    view = viewer_state(snapshot, who, now)
    return live_page(
        request,
        rt,
        who,
        "participant/phone.html",
        session_id=session_id,
        view=view,
        now=now,
        ideas=snapshot.live.spec.participant_notes,
        # The ballot only while a vote is open; the report back only while it is on.
        ballot=ballot_view(vote, mine, state.scrub),
        report=report_back_view(
            state.board, state.takeaways, state.vote, state.scrub, dots_while_open=False
        )
        if state.board.shown
        else None,
    )
