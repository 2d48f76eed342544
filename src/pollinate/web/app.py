"""The web app factory: `create_app(settings)` builds one FastAPI app, with no global state.

    create_app ─▶ engine, store, bus, clock, templates ─▶ app.state.runtime
               ─▶ routers: api (JSON + SSE) · links (/l/TOKEN, /join) · one per role page
               ─▶ errors: InputError 422 · NotAllowed 403 · AgendaError, conflicts and
                          InfeasibleError 409 ·
                          not found 404 · too many check-ins 429 (JSON under /api, else a page)
    running ─▶ upkeep every 10 minutes: expired events, retry answers and attempts go
            ─▶ every 2 s: freed memory handed back to the system (pollinate/memory.py)
    notes change ─▶ Reclustering: the theme board follows, debounced (actions/board.py)
    shutdown ─▶ pending re-clusterings cancelled ─▶ bus.close() ends every live stream
             ─▶ engine disposed (if the app made it)

Migrations are not run here: `pollinate serve` and `pollinate demo` upgrade the database
before they start the server and say so in one line.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import anyio
import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pollinate import __version__
from pollinate.actions.access import LinkLookup
from pollinate.actions.agenda import StaleCommand
from pollinate.actions.board import Clusterer, Reclustering
from pollinate.actions.clustering_address import ServiceAddress
from pollinate.actions.live import SessionNotFound
from pollinate.actions.notes import NoteIntake
from pollinate.actions.seating import TooManyAttempts
from pollinate.actions.upkeep import UPKEEP_SECONDS, tidy
from pollinate.config import Settings
from pollinate.errors import AgendaError, InfeasibleError, InputError, NotAllowed
from pollinate.live.bus import Bus
from pollinate.live.factory import bus_from_url
from pollinate.memory import release_freed_memory
from pollinate.store.db import (
    checkpoint,
    create_engine_for,
    database_unavailable,
    session_factory,
)
from pollinate.store.repositories import VersionConflict
from pollinate.web.deps import NoValidLink, Runtime
from pollinate.web.fanout import Fanout
from pollinate.web.feed import OutboxFeed
from pollinate.web.limits import RequestLimits
from pollinate.web.routes import (
    api,
    board,
    facilitator,
    host,
    links,
    moderator,
    organizer,
    participant,
    projector,
    rapporteur,
    redactions,
    voting,
)
from pollinate.web.sse import EventStreams

logger = logging.getLogger("pollinate.web")

CHECKPOINT_SECONDS = 1.0
"""How often a server on SQLite copies its WAL into the database (store/db.py): a second's
notes make a WAL of a few hundred pages (each checkpoint took 4-90 ms in bench/live.py)."""
RELEASE_MEMORY_SECONDS = 2.0
"""How often a server hands freed memory back (pollinate/memory.py): a few milliseconds on
a thread each time."""

# Scripts and styles only from our own origin; nothing inline, nothing third-party. The
# SVG QR codes are inline markup, not images, so they need no img-src entry.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def package_folder(name: str) -> Path:
    return Path(str(resources.files("pollinate.web") / name))


def system_clock() -> datetime:
    return datetime.now(UTC)


def templates() -> Jinja2Templates:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(package_folder("templates")),
        autoescape=True,  # every page escapes what it prints: notes are typed by people
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return Jinja2Templates(env=environment)


SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    # Link tokens sit in /l/ addresses; no page should hand its address to another site.
    (b"referrer-policy", b"no-referrer"),
)


class SecurityHeaders:
    """Adds `SECURITY_HEADERS` to every response; pure ASGI, so event streams stay direct."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(
    settings: Settings,
    *,
    engine: Engine | None = None,
    bus: Bus | None = None,
    clock: Callable[[], datetime] = system_clock,
    cluster_in_helper: bool = True,
    clustering_service: ServiceAddress | None = None,
) -> FastAPI:
    """A ready app for `settings`; tests may pass their own engine, bus and clock, and
    cluster boards on a thread (`cluster_in_helper=False`) to spare a process start.
    Workers of one server share a `clustering_service` (web/server.py)."""
    own_engine = engine is None
    if engine is None:
        engine = create_engine_for(settings.db_url, checkpoint_in_background=True)
    live_bus = bus if bus is not None else bus_from_url(settings.bus_url)
    store = session_factory(engine)
    feed = OutboxFeed(store)
    runtime = Runtime(
        settings=settings,
        engine=engine,
        store=store,
        bus=live_bus,
        clock=clock,
        secret=settings.secret(),
        templates=templates(),
        feed=feed,
        fanout=Fanout(feed, live_bus),
        notes=NoteIntake(store, live_bus),
        links=LinkLookup(store),
        clusterer=Clusterer(helper_process=cluster_in_helper, service=clustering_service),
    )
    reclustering = Reclustering(runtime.store, live_bus, clock, clusterer=runtime.clusterer)
    runtime.reclustering = reclustering

    retention = timedelta(hours=settings.outbox_retention_hours)

    async def upkeep() -> None:
        while True:
            try:
                await tidy(runtime.store, now=clock(), retention=retention)
            except SQLAlchemyError:  # a busy or restarting database: try again next time
                logger.exception("upkeep failed; trying again in %s s", UPKEEP_SECONDS)
            await anyio.sleep(UPKEEP_SECONDS)

    async def return_memory() -> None:
        # A burst's freed memory back to the system between bursts (pollinate/memory.py).
        while await anyio.to_thread.run_sync(release_freed_memory):
            await anyio.sleep(RELEASE_MEMORY_SECONDS)

    async def checkpoints() -> None:
        # The engine's commits leave the WAL to this task (store/db.py, "checkpoints").
        while True:
            await anyio.sleep(CHECKPOINT_SECONDS)
            try:
                await anyio.to_thread.run_sync(checkpoint, engine)
            except SQLAlchemyError:  # locked past the busy timeout: next time
                logger.exception("checkpointing the database failed; trying again")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with anyio.create_task_group() as background:
            background.start_soon(upkeep)
            background.start_soon(return_memory)
            if own_engine and engine.dialect.name == "sqlite":
                background.start_soon(checkpoints)
            background.start_soon(runtime.clusterer.warm)
            try:
                yield
            finally:
                await reclustering.close()  # before the cancel: it awaits its tasks
                background.cancel_scope.cancel()
                await live_bus.close()
                await runtime.fanout.close()
                if own_engine:
                    engine.dispose()

    app = FastAPI(
        title="pollinate",
        version=__version__,
        summary="Run hybrid World Café sessions live: agenda, timer, tables and notes.",
        lifespan=lifespan,
        # FastAPI reports every request to any OpenTelemetry set-up the process has, with
        # its path: a participant's /l/TOKEN would leave for a tracing backend. Off, it
        # also skips the per-request check for such a set-up (reading os.environ).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.runtime = runtime
    app.add_middleware(EventStreams)  # innermost: streams run below only the two others
    app.add_middleware(RequestLimits, templates=runtime.templates)  # inside SecurityHeaders
    app.add_middleware(SecurityHeaders)
    for module in (
        api,
        links,
        facilitator,
        projector,
        participant,
        host,
        moderator,
        rapporteur,
        organizer,
        board,
        voting,
        redactions,
    ):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=package_folder("static")), name="static")
    _add_error_pages(app, runtime)
    return app


def _add_error_pages(app: FastAPI, runtime: Runtime) -> None:
    # A database restart or failover is a passing condition, not a bug: 503 with a
    # sentence and Retry-After, instead of a 500 and a traceback per request. A write cut
    # off by the outage was rolled back, or committed just before the connection broke;
    # a page resending it with its Idempotency-Key gets it stored once either way.
    database_down = (
        "The database is not answering just now, perhaps because it is restarting; "
        "please try again in a few seconds."
    )
    server_fault = (
        "Something went wrong on the server; it has been logged. Try again, and tell the "
        "organizer if it keeps happening."
    )
    # Seconds a client should wait: 429 is a per-minute limit; a PostgreSQL restart takes
    # a second or two (0.3 s for the tests' private cluster), a failover a few more.
    retry_after = {429: 60, 503: 5}

    def answer(request: Request, status: int, message: str, **extra: object) -> Response:
        seconds = retry_after.get(status)
        headers = None if seconds is None else {"Retry-After": str(seconds)}
        if request.url.path.startswith("/api/") or "text/html" not in request.headers.get(
            "accept", ""
        ):
            return JSONResponse({"detail": message, **extra}, status, headers=headers)
        page = runtime.templates.get_template("error.html").render(status=status, message=message)
        return HTMLResponse(page, status, headers=headers)

    async def input_error(request: Request, error: Exception) -> Response:
        field = error.field if isinstance(error, InputError) else None
        return answer(request, 422, str(error), field=field)

    def fixed(status: int) -> Callable[[Request, Exception], Response]:
        def handler(request: Request, error: Exception) -> Response:
            return answer(request, status, str(error))

        return handler

    async def http_error(request: Request, error: Exception) -> Response:
        # Starlette's own (no route: 404, wrong method: 405) and FastAPI's alike, so a
        # browser gets a page rather than JSON for those too.
        assert isinstance(error, StarletteHTTPException)  # noqa: S101 - registered for it
        response = answer(request, error.status_code, str(error.detail))
        for name, value in (error.headers or {}).items():
            response.headers[name] = value
        if isinstance(error, NoValidLink):
            for cookie in error.stale_cookies:
                response.delete_cookie(cookie, path="/", httponly=True, samesite="lax")
        return response

    def server_error(request: Request, error: Exception) -> Response:
        # Starlette answers an unhandled error outside every middleware, SecurityHeaders
        # included, so this page carries the headers itself. The error is raised again
        # after it and logged with its traceback: it is a bug.
        response = answer(request, 500, server_fault)
        for name, value in SECURITY_HEADERS:
            response.headers[name.decode()] = value.decode()
        return response

    async def database_error(request: Request, error: Exception) -> Response:
        if not database_unavailable(error):
            raise error  # a bug, not an outage: the 500 and its traceback stay
        cause = getattr(error, "orig", None) or error
        # The route's pattern, not the path: /l/{token} must not put a key in the log.
        route = getattr(request.scope.get("route"), "path", "an unmatched path")
        logger.warning(
            "Database unavailable; answered %s %s with 503: %s",
            request.method,
            route,
            str(cause).splitlines()[0] if str(cause) else type(cause).__name__,
        )
        return answer(request, 503, database_down)

    app.add_exception_handler(DBAPIError, database_error)
    app.add_exception_handler(PoolTimeout, database_error)
    app.add_exception_handler(InputError, input_error)
    app.add_exception_handler(NotAllowed, fixed(403))
    app.add_exception_handler(AgendaError, fixed(409))
    app.add_exception_handler(InfeasibleError, fixed(409))
    app.add_exception_handler(StaleCommand, fixed(409))
    app.add_exception_handler(VersionConflict, fixed(409))
    app.add_exception_handler(SessionNotFound, fixed(404))
    app.add_exception_handler(LookupError, fixed(404))
    app.add_exception_handler(TooManyAttempts, fixed(429))
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, server_error)
