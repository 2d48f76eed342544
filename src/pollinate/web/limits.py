"""What one client may send: a sane address, a bounded body, and few links that do not work.

    request ─▶ RequestLimits ─┬─ NUL in the path or query ─▶ 400 at once
                              ├─ GET, HEAD ──────────────────────────▶ app, body untouched
                              │                                 (event streams stay direct)
                              ├─ Content-Length over the limit ─▶ 413 at once; nothing read
                              └─ otherwise ─▶ app, whose reads go through a byte counter
                                               └─ past the limit ─▶ BodyTooLarge ─▶ 413

    GET /l/TOKEN ─▶ refuse_link_guessers: this address opened too many wrong links lately?
                    ├─ yes ─▶ TooManyAttempts ─▶ 429 with Retry-After, whatever the token
                    └─ no ─▶ resolve ─▶ no such link ─▶ count_wrong_link ─▶ 404

The body limit sits in front of the form parser: python-multipart spools a whole upload
before a route sees its first byte, so a limit in the route (routes/organizer.py checks each
file) would come after a 100 MB body had been read. Here such a body is refused by its
Content-Length header before a byte of it is read, or, when it is streamed without one,
as soon as the count passes the limit.

No pollinate address holds a NUL character, and PostgreSQL refuses one in any text it is
sent ("PostgreSQL text fields cannot contain NUL (0x00) bytes"), so `/notes?table=%00`
was a 500 there; the fuzz test (tests/web/test_openapi_fuzz.py) found it.

Wrong links are counted in the check-in attempts table (store/join_codes.py), keyed apart
from check-ins, so every worker sees the same count and upkeep clears it the same way.
A link token carries 256 bits, so guessing one is hopeless anyway; the limit keeps a
guesser from hammering the database and filling the logs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi.exceptions import HTTPException
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session
from starlette.datastructures import Headers
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pollinate.actions.seating import TooManyAttempts
from pollinate.store import join_codes

MIB = 1024 * 1024
BODY_BYTES = 1 * MIB  # a note is at most 2,000 characters; every form is smaller still
# Creating a session uploads a session file and a roster of up to 5 MB each
# (routes/organizer.py), plus the form around them.
UPLOAD_BODY_BYTES = 11 * MIB
LARGER_BODIES = {"/organize/sessions": UPLOAD_BODY_BYTES}
UNREAD_METHODS = frozenset({"GET", "HEAD"})  # no route reads their bodies


def body_limit(path: str) -> int:
    """The most bytes a request body to `path` may have."""
    return LARGER_BODIES.get(path, BODY_BYTES)


def too_large_message(limit: int) -> str:
    return (
        f"The request is larger than {limit // MIB} MB, more than pollinate accepts here. "
        "Send a smaller file: a roster of thousands of people is well under 1 MB."
    )


class BodyTooLarge(HTTPException):
    """A request body passed its limit while the app read it (answered 413).

    FastAPI's `HTTPException`, because FastAPI turns any other error raised while it
    parses a body into a 400 "There was an error parsing the body", and the app's own
    error page (web/app.py) answers this class: JSON under /api, a page elsewhere.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_message(limit))


NUL_IN_ADDRESS = "The address holds a NUL character (%00), which no pollinate address has."


class RequestLimits:
    """Refuses NUL in the address (400) and bodies over `body_limit(path)` (413); pure ASGI."""

    def __init__(self, app: ASGIApp, *, templates: Jinja2Templates | None = None) -> None:
        self.app = app
        self.templates = templates

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or _has_nul(scope.get("query_string", b"")):
            await self._refuse(scope, 400, NUL_IN_ADDRESS)(scope, receive, send)
            return
        if scope["method"] in UNREAD_METHODS:
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self._refuse(scope, 413, too_large_message(limit))(scope, receive, send)
            return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)  # the app's HTTPException handler answers
            return message

        await self.app(scope, counted_receive, send)

    def _refuse(self, scope: Scope, status: int, message: str) -> Response:
        """An error answer in the form the app's error handlers use (web/app.py)."""
        accept = Headers(scope=scope).get("accept", "")
        if scope["path"].startswith("/api/") or "text/html" not in accept or not self.templates:
            return JSONResponse({"detail": message}, status)
        page = self.templates.get_template("error.html").render(status=status, message=message)
        return HTMLResponse(page, status)


def _has_nul(query: bytes) -> bool:
    return b"\x00" in query or b"%00" in query


def _content_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:  # the server refuses a malformed length before we ever see it
        return None


# ── links that do not work ────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class LinkLimits:
    """How many wrong links one address may open in a window before it must wait."""

    window: timedelta = timedelta(minutes=10)
    # A whole venue may share one address; people rarely open a wrong link, and an old
    # (replaced) link or two per person in ten minutes stays far below this.
    per_client: int = 20


def link_guesser(client: str) -> str:
    """The attempts key of wrong links from `client` (kept apart from its check-ins)."""
    return f"link:{client}"


def refuse_link_guessers(
    db: Session, client: str, *, now: datetime, limits: LinkLimits = LinkLimits()
) -> None:
    """Raise `TooManyAttempts` when `client` opened `limits.per_client` wrong links lately.

    Checked before the token is looked at, so a limited client learns nothing, not even
    that a token it guessed would have worked.
    """
    since = now - limits.window
    if join_codes.count_attempts(db, since=since, client=link_guesser(client)) >= (
        limits.per_client
    ):
        raise TooManyAttempts(
            "Too many links that do not work were opened from this network; "
            "wait a few minutes, then open your link again."
        )


def count_wrong_link(db: Session, client: str, *, now: datetime) -> None:
    """Record that `client` opened a link that does not work."""
    join_codes.record_attempt(db, client=link_guesser(client), session_id=None, now=now)
