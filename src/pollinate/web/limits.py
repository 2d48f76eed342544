"""What one client may send: a sane address and a bounded body.

    request ─▶ RequestLimits ─┬─ NUL in the path or query ─▶ 400 at once
                              ├─ GET, HEAD ──────────────────────────▶ app, body untouched
                              │                                 (event streams stay direct)
                              ├─ Content-Length over the limit ─▶ 413 at once; nothing read
                              └─ otherwise ─▶ app, whose reads go through a byte counter
                                               └─ past the limit ─▶ BodyTooLarge ─▶ 413

The body limit sits in front of the form parser: python-multipart spools a whole upload
before a route sees its first byte, so a limit in the route (routes/organizer.py checks each
file) would come after a 100 MB body had been read. Here such a body is refused by its
Content-Length header before a byte of it is read, or, when it is streamed without one,
as soon as the count passes the limit.

No pollinate address holds a NUL character, and PostgreSQL refuses one in any text it is
sent ("PostgreSQL text fields cannot contain NUL (0x00) bytes"), so `/notes?table=%00`
was a 500 there; the fuzz test (tests/web/test_openapi_fuzz.py) found it.

Guessed tokens are limited elsewhere: actions/access.py.
"""

from __future__ import annotations

from fastapi.exceptions import HTTPException
from fastapi.templating import Jinja2Templates
from starlette.datastructures import Headers
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
