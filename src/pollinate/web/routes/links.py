"""Opening a link, and walk-ins checking in with the join code.

GET /l/TOKEN ─▶ too many wrong links from this address? 429 (actions/access.py)
              ─▶ valid? ─▶ Set-Cookie pollinate-<session>-<role>=TOKEN ─▶ 303 role page
              organizer token ─▶ Set-Cookie pollinate-organizer ─▶ 303 /organize
              neither ─▶ counted as a wrong link ─▶ 404
GET /join[/CODE] ─▶ form (name, group, region, onsite/online) + double-submit cookie
POST /join ─▶ rate limit (per device, per session; in the database) ─▶ re-plan later
              rounds ─▶ participant link as cookie ─▶ 303 participant page
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pollinate.actions import access
from pollinate.actions.live import transact
from pollinate.actions.seating import WalkIn, join_with_code, mark_present
from pollinate.core.roles import Role
from pollinate.core.roster import Attendance, Region, StakeholderGroup
from pollinate.errors import InfeasibleError, InputError, NotAllowed
from pollinate.web import auth
from pollinate.web.deps import Now, Rt, Runtime, client_key

router = APIRouter(include_in_schema=False)

INVALID_LINK = (
    "This link does not work (any more). Links can be replaced by the organizer; "
    "ask them or the facilitator for your current one."
)


def set_cookie(response: Response, request: Request, rt: Runtime, name: str, value: str) -> None:
    https = request.url.scheme == "https" or rt.settings.public_base_url.startswith("https:")
    response.set_cookie(
        name,
        value,
        max_age=auth.COOKIE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=https,
        path="/",
    )


def page_of(session_id: str, role: Role) -> str:
    return f"/s/{session_id}/{auth.ROLE_PAGES[role]}"


@router.get("/l/{token}")
async def open_link(token: str, request: Request, rt: Rt, now: Now) -> Response:
    # Too many wrong tokens from this address: 429 before the token is even looked at,
    # the organizer's included (actions/access.py); a link that opens nothing counts.
    client = client_key(request, rt)
    if auth.is_organizer_token(rt.secret, token):
        await transact(rt.store, lambda db: access.refuse_link_guessers(db, client, now=now))
        response: Response = RedirectResponse("/organize", status_code=303)
        set_cookie(response, request, rt, auth.ORGANIZER_COOKIE, token)
        return response
    link = await rt.links.resolve(token, client=client, now=now)
    if link is None:
        raise HTTPException(404, INVALID_LINK)
    if link.role is Role.PARTICIPANT and link.participant_id:
        # Opening one's own link is how most people check in; the console counts them.
        await mark_present(
            rt.store, rt.bus, link.session_id, link.participant_id, now=now, if_expected=True
        )
    response = RedirectResponse(page_of(link.session_id, link.role), status_code=303)
    set_cookie(response, request, rt, auth.cookie_name(link.session_id, link.role), token)
    return response


def join_form(
    request: Request, rt: Runtime, *, code: str = "", error: str = "", status: int = 200
) -> HTMLResponse:
    nonce = request.cookies.get(auth.JOIN_CSRF_COOKIE) or secrets.token_urlsafe(16)
    response = rt.templates.TemplateResponse(
        request,
        "join/form.html",
        {
            "code": code,
            "error": error,
            "csrf": nonce,
            "groups": [group.value for group in StakeholderGroup],
            "regions": [region.value for region in Region],
        },
        status_code=status,
    )
    set_cookie(response, request, rt, auth.JOIN_CSRF_COOKIE, nonce)
    return response


@router.get("/join", response_class=HTMLResponse)
async def join_page(request: Request, rt: Rt, code: str = "") -> HTMLResponse:
    return join_form(request, rt, code=code)


@router.get("/join/{code}", response_class=HTMLResponse)
async def join_page_with_code(code: str, request: Request, rt: Rt) -> HTMLResponse:
    return join_form(request, rt, code=code)


@router.post("/join")
async def join(
    request: Request,
    rt: Rt,
    now: Now,
    code: Annotated[str, Form()],
    name: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
    stakeholder_group: Annotated[str, Form()] = "",
    region: Annotated[str, Form()] = "",
    attendance: Annotated[str, Form()] = "onsite",
) -> Response:
    # Double-submit: the form's field must equal the cookie set with the form; another
    # site can make a browser post, but cannot read or set that cookie.
    cookie = request.cookies.get(auth.JOIN_CSRF_COOKIE)
    if not cookie or not secrets.compare_digest(cookie, csrf):
        raise HTTPException(403, "The form has expired; reload the page and try again.")
    try:
        walk_in = WalkIn(
            name,
            stakeholder_group or None,
            region or None,
            Attendance.ONLINE if attendance == "online" else Attendance.ONSITE,
        )
        session_id, issued = await join_with_code(
            rt.store, rt.bus, code, walk_in, client=client_key(request, rt), now=now
        )
    except (InputError, NotAllowed, InfeasibleError) as error:
        return join_form(request, rt, code=code, error=str(error), status=422)
    response = RedirectResponse(page_of(session_id, Role.PARTICIPANT), status_code=303)
    cookie_name = auth.cookie_name(session_id, Role.PARTICIPANT)
    set_cookie(response, request, rt, cookie_name, issued.token)
    return response
