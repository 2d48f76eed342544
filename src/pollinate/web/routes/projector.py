"""The projector: a very large countdown, the question, the table map and the join code.

The table map shows table names and how many sit at each, never who: a projected screen
is seen by everyone in the room. The page gets every round's map, so it switches to the
next round's map as the blocks change without reloading.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pollinate.actions.live import rounds_begun, take_snapshot, transact
from pollinate.core.agenda import round_number
from pollinate.core.roles import Role
from pollinate.io.render.qr import qr_svg
from pollinate.store import join_codes
from pollinate.web import auth
from pollinate.web.deps import Now, Rt, viewer
from pollinate.web.pages import live_page
from pollinate.web.views import viewer_state

router = APIRouter(include_in_schema=False)


@router.get("/s/{session_id}/projector", response_class=HTMLResponse)
async def projector_page(
    session_id: str,
    request: Request,
    rt: Rt,
    now: Now,
    who: Annotated[auth.Viewer, viewer(Role.PROJECTOR, Role.FACILITATOR)],
) -> HTMLResponse:
    snapshot, code = await transact(
        rt.store,
        lambda db: (take_snapshot(db, session_id), join_codes.join_code(db, session_id)),
    )
    live = snapshot.live
    view = viewer_state(snapshot, who, now)
    begun = rounds_begun(live.state, live.spec)
    map_round = view["round"] or (begun + 1 if begun < live.spec.round_count else None)
    # Every round's map goes to the page, so live.js can switch maps as blocks change.
    maps: dict[str, list[dict[str, object]]] = {}
    if live.plan is not None:
        for number in range(1, live.plan.rounds + 1):
            maps[str(number)] = [
                {"name": p.name, "count": len(live.plan.sitters(p.name, number))}
                for p in live.plan.places
            ]
    tables = maps.get(str(map_round), [])
    join_url = f"{rt.settings.public_base_url}/join/{code}" if code else None
    return live_page(
        request,
        rt,
        who,
        "projector/screen.html",
        session_id=session_id,
        view=view,
        now=now,
        title=live.title,
        tables=tables,
        map_round=map_round,
        join_code=code,
        join_url=join_url,
        join_qr=qr_svg(join_url) if join_url else None,
        live_extra={
            "maps": maps,
            "round_of_block": [round_number(live.spec, i) for i in range(len(live.spec.agenda))],
        },
    )
