"""What route handlers receive: the runtime (store, bus, clock, templates) and the viewer.

    create_app ─▶ app.state.runtime = Runtime(...)      built once, per app, never global
    request ─▶ Rt (the runtime) · Now (server clock) · Viewer via viewer(roles) ─▶ handler

`viewer(*roles)` is the one gate every session route goes through: it resolves the link
(Bearer header first, else the role cookies), answers 401 without a valid link and 403
for a role the route does not allow or for another session, and checks the CSRF token
of every cookie-authenticated POST, PATCH and DELETE.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine

from pollinate.actions.access import LinkLookup
from pollinate.actions.board import Clusterer, Reclustering
from pollinate.actions.live import Store
from pollinate.actions.notes import NoteIntake
from pollinate.config import Settings
from pollinate.core.roles import Role
from pollinate.live.bus import Bus
from pollinate.web import auth
from pollinate.web.fanout import Fanout
from pollinate.web.feed import OutboxFeed

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
NO_LINK = "This needs a valid pollinate link; open the personal link you were sent."
WRONG_ROLE = "Your link does not give access to this."
CSRF_FAILED = "The form has expired or came from another site; reload the page and try again."


@dataclass
class Runtime:
    """Everything one app instance shares across requests."""

    settings: Settings
    engine: Engine
    store: Store
    bus: Bus
    clock: Callable[[], datetime]
    secret: str
    templates: Jinja2Templates
    # The outbox as this worker's live streams read it: one query per change (web/feed.py).
    feed: OutboxFeed
    # Wakes each live stream for the events it is for only (web/fanout.py).
    fanout: Fanout
    # Takes notes, a burst of them in batched transactions (actions/batching.py).
    notes: NoteIntake
    # Resolves link tokens, the tokens of a burst of requests in one query.
    links: LinkLookup
    # Where theme boards are clustered: a helper process in a served app (actions/board.py).
    clusterer: Clusterer
    # Re-clusters a session's theme board a moment after its notes change (issue 4).
    reclustering: Reclustering | None = field(default=None, repr=False)

    def notes_changed(self, session_id: str) -> None:
        """Tell the theme board that the session's notes changed (it follows, debounced)."""
        if self.reclustering is not None:
            self.reclustering.notes_changed(session_id)


# Dependencies are `async def` even when they never await: FastAPI runs a plain `def`
# dependency on its thread pool, a hop out and back per request (bench/live.py, py-spy).
async def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


Rt = Annotated[Runtime, Depends(runtime)]


async def now(rt: Rt) -> datetime:
    return rt.clock()


Now = Annotated[datetime, Depends(now)]


class NoValidLink(HTTPException):
    """401: no token of the request opens anything. `stale_cookies` are the link cookies
    it carried that open nothing (a revoked link's): the answer deletes them, so a
    browser does not keep sending them, each counted as a guess (actions/access.py)."""

    def __init__(self, stale_cookies: tuple[str, ...] = ()) -> None:
        super().__init__(401, NO_LINK, headers={"WWW-Authenticate": "Bearer"})
        self.stale_cookies = stale_cookies


def client_key(request: Request, rt: Runtime) -> str:
    """A keyed hash of the caller's address: enough to count attempts, useless to read."""
    address = request.client.host if request.client else "unknown"
    return hashlib.sha256(f"{rt.secret}:{address}".encode()).hexdigest()[:32]


async def _lookup(
    rt: Runtime, token: str, *, by_bearer: bool, client: str, count: bool
) -> auth.Viewer | None:
    if auth.is_organizer_token(rt.secret, token):
        return auth.Viewer(Role.ORGANIZER, None, token, by_bearer=by_bearer)
    link = await rt.links.resolve(token, client=client, now=rt.clock(), count=count)
    return None if link is None else auth.viewer_from_link(link, token, by_bearer=by_bearer)


async def resolve_viewer(
    request: Request,
    rt: Runtime,
    session_id: str | None,
    allowed: frozenset[Role],
    as_role: str | None,
) -> auth.Viewer:
    """The viewer for this request (see the module docstring); raises 401, 403 or 429.

    A Bearer token that opens nothing counts as a guess at once. Cookie tokens count
    only when none of them opens anything (the 401, which also deletes them): a browser
    holding a current link beside an old one must not be counted on every request.
    """
    client = client_key(request, rt)
    bearer = auth.bearer_token(request.headers.get("authorization"))
    found: list[auth.Viewer] = []
    stale: list[str] = []
    if bearer is not None:
        viewer = await _lookup(rt, bearer, by_bearer=True, client=client, count=True)
        if viewer is not None:
            found.append(viewer)
    else:
        cookies: list[str] = []
        if session_id is not None:
            cookies += [
                auth.cookie_name(session_id, role)
                for role in auth.candidate_roles(as_role, auth.EVERY_LIVE_ROLE)
            ]
        if as_role in (None, Role.ORGANIZER.value):
            cookies.append(auth.ORGANIZER_COOKIE)
        for name in cookies:
            token = request.cookies.get(name)
            if not token:
                continue
            viewer = await _lookup(rt, token, by_bearer=False, client=client, count=False)
            if viewer is None:
                stale.append(name)
            else:
                found.append(viewer)
    if not found:
        if stale:
            await rt.links.count_wrong(client=client, now=rt.clock(), times=len(stale))
        raise NoValidLink(tuple(stale))
    if session_id is not None:
        found = [viewer for viewer in found if viewer.sees(session_id)]
    chosen = auth.first_allowed(found, allowed)
    if chosen is None:
        raise HTTPException(403, WRONG_ROLE)
    if request.method not in SAFE_METHODS and not chosen.by_bearer:
        await _check_csrf(request, rt, chosen)
    return chosen


async def _check_csrf(request: Request, rt: Runtime, viewer: auth.Viewer) -> None:
    sent = request.headers.get(auth.CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(auth.CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not auth.csrf_matches(rt.secret, viewer.token, sent):
        raise HTTPException(403, CSRF_FAILED)


def viewer(*roles: Role) -> Any:
    """A dependency resolving the viewer of a `/…/{session_id}/…` route for `roles`."""
    allowed = frozenset(roles)

    async def dependency(
        request: Request,
        session_id: str,
        rt: Rt,
        as_: Annotated[
            str | None, Query(alias="as", description="Which of the browser's links to use")
        ] = None,
    ) -> auth.Viewer:
        return await resolve_viewer(request, rt, session_id, allowed, as_)

    return Depends(dependency)


async def organizer(request: Request, rt: Rt) -> auth.Viewer:
    """The organizer, for routes that belong to no session yet (creating one)."""
    return await resolve_viewer(request, rt, None, auth.ORGANIZERS, Role.ORGANIZER.value)


Organizer = Annotated[auth.Viewer, Depends(organizer)]


def csrf_for(rt: Runtime, viewer: auth.Viewer) -> str:
    """The CSRF token a page embeds for its forms and script calls."""
    return auth.csrf_token(rt.secret, viewer.token)
