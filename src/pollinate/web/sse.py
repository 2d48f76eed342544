"""The live stream: `GET /api/sessions/{id}/events`, Server-Sent Events over plain Starlette.

    connect (Last-Event-ID header, or ?last_event_id= on a first connect, else "now")
       │
       ├─ watch the session FIRST (web/fanout.py), so nothing committed from here on
       │  is missed
       ├─ id older than the outbox keeps, or unknown? ──▶ event: resync (page re-fetches)
       ├─ replay the events after id, filtered by core.events.receives for this viewer
       ▼
    loop ─┬─ the fan-out wakes us (seq N), for an event this viewer receives
          │     ─▶ feed.after(last, newest=N), from memory ─▶ send each allowed event
          ├─ heartbeat_seconds pass quietly ─▶ ": heartbeat" comment (keeps proxies open)
          ├─ the database is restarting ─▶ keep the connection, read again next heartbeat
          ├─ client disconnects ─▶ EventStreamResponse.stream cancels the loop, unsubscribes
          └─ server shuts down ─▶ bus.close() ends the fan-out ─▶ the stream ends

The events come from `web/feed.py`, which reads the outbox once per change for all the
streams of a worker and frames each event once; a stream only filters and adds its time.

Every frame carries `id: <outbox seq>`, so the browser's EventSource sends the last one
back as `Last-Event-ID` when it reconnects on its own, and `data:` is one JSON object
`{"type", "seq", "payload", "server_time"}`: the server's clock travels with every event,
so a page keeps its clock offset fresh. Events the viewer may not receive are skipped
but still advance the position, so they are never re-read.

The route hands its stream to the `EventStreams` middleware, which runs it outside
FastAPI's routing (see `EventStreamResponse`). Written on plain ASGI rather than
sse-starlette: the protocol is a few lines, and the shutdown path (the bus closing) is
ours either way.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.exc import DBAPIError
from starlette.responses import StreamingResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from pollinate.actions.live import LiveSession
from pollinate.core.events import reaches
from pollinate.core.roles import Role
from pollinate.store.db import database_unavailable
from pollinate.web.auth import Viewer
from pollinate.web.fanout import Fanout
from pollinate.web.feed import FeedEntry, OutboxFeed

logger = logging.getLogger("pollinate.web")

RETRY_MS = 2000  # how long a browser waits before reconnecting after a drop
# Proxies and routers cut idle connections after 30-60 s; 15 s stays well inside that
# (sse-starlette's default too), whatever POLLINATE_HEARTBEAT_SECONDS says.
MAX_HEARTBEAT_SECONDS = 15.0
# A round change wakes every phone at once, so without a spread their next heartbeats
# would also fall due together: 2,000 streams waking in the same instant every 15 s,
# holding up whatever else the worker was doing (notes) for that moment. Each wait is
# drawn between (1 - HEARTBEAT_SPREAD) and 1 times the heartbeat, so they drift apart.
HEARTBEAT_SPREAD = 0.2
HANDOVER = "pollinate.event_streams"  # where EventStreams waits for a route's stream


def heartbeat_wait(heartbeat_seconds: float, draw: Callable[[], float] = random.random) -> float:
    """Seconds until a quiet stream's next heartbeat: the setting (at most
    `MAX_HEARTBEAT_SECONDS`), less up to `HEARTBEAT_SPREAD` of it at random."""
    return min(heartbeat_seconds, MAX_HEARTBEAT_SECONDS) * (1 - HEARTBEAT_SPREAD * draw())


class EventStreamResponse(StreamingResponse):
    """What the events route answers: its stream, to be run by `EventStreams`.

    The route authenticates and checks the session inside FastAPI, then hands the stream
    over: with `EventStreams` in the app it is run there, after FastAPI's router, its
    dependencies and their exit stacks have returned, so a stream that stays open for an
    hour holds only the frames of the middleware above it. Streamed inside the route, an
    open phone cost a worker 52 KB (28 KB of Python objects: some 30 coroutines, exit
    stacks, an anyio task group); handed over, 39 KB (17 KB). 500 streams on SQLite,
    measured from the server's RSS and `sys._debugmallocstats`.
    """

    media_type = "text/event-stream"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handed = scope.get(HANDOVER)
        if isinstance(handed, list):
            handed.append(self)
        else:  # an app without EventStreams: run here
            await self.stream(receive, send)

    async def stream(self, receive: Receive, send: Send) -> None:
        """Send the frames until they end or the client goes away (which ends them)."""
        streaming = asyncio.current_task()
        if streaming is None:
            raise RuntimeError("an event stream runs in a task")
        # Listen for the client leaving: a quiet stream would otherwise only learn of it
        # at its next heartbeat's write, holding its subscription until then.
        listener = asyncio.create_task(_cancel_when_gone(receive, streaming))
        start = {"type": "http.response.start", "status": self.status_code}
        try:
            await send(start | {"headers": self.raw_headers})
            async for text in self.body_iterator:
                body = text if isinstance(text, bytes | memoryview) else text.encode()
                await send({"type": "http.response.body", "body": body, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except asyncio.CancelledError:
            # Cancelled because the client left: the stream is over, nothing more to say.
            # Any other cancellation (the server stopping) goes on up.
            if not _left(listener) or streaming.uncancel() > 0:
                raise
        finally:
            listener.cancel()
            await _close(self.body_iterator)


async def _cancel_when_gone(receive: Receive, streaming: asyncio.Task[Any]) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    streaming.cancel()


def _left(listener: asyncio.Task[None]) -> bool:
    """True when `_cancel_when_gone` saw the client leave (and so cancelled the stream)."""
    return listener.done() and not listener.cancelled() and listener.exception() is None


async def _close(frames: object) -> None:
    aclose = getattr(frames, "aclose", None)
    if aclose is not None:
        await aclose()


class EventStreams:
    """Runs the event streams that routes hand over (`EventStreamResponse`); pure ASGI.

    Added as the innermost middleware: security headers and request limits still wrap
    every stream, and everything below (routing, dependencies, error handlers) is done
    with by the time a stream runs. An error answer (401, 403, 404) passes through as
    usual; only a stream is run here.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        handed: list[EventStreamResponse] = []
        scope[HANDOVER] = handed
        before = set(scope)
        await self.app(scope, receive, send)
        if handed:
            # What routing left in the scope (the route, its exit stacks): done with, and
            # the scope lives as long as the stream.
            for key in set(scope) - before:
                del scope[key]
            await handed[0].stream(receive, send)


def frame(*, event: str | None = None, id: int | None = None, data: Any = None) -> str:
    """One SSE frame; `data` is sent as one line of JSON."""
    lines = []
    if event is not None:
        lines.append(f"event: {event}")
    if id is not None:
        lines.append(f"id: {id}")
    lines.append(f"data: {json.dumps(data, separators=(',', ':'), ensure_ascii=False)}")
    return "\n".join(lines) + "\n\n"


def parse_last_event_id(header: str | None, query: str | None) -> int | None:
    """The position a client resumes from; None when it sent none (or nonsense)."""
    for value in (header, query):
        if value is not None and value.strip().isdigit():
            return int(value.strip())
    return None


def _table_for(viewer: Viewer, live: LiveSession, round: int | None) -> str | None:
    if viewer.role is Role.HOST:
        return viewer.table
    plan = live.plan
    if viewer.role is not Role.PARTICIPANT or not viewer.participant_id or plan is None:
        return None
    if round is None or not 1 <= round <= plan.rounds:
        return None
    return plan.place_of(viewer.participant_id, round)


def _frames(entries: Sequence[FeedEntry], viewer: Viewer, now: str) -> list[str]:
    """The frames of `entries` that the viewer may see."""
    server_time = json.dumps(now, ensure_ascii=False)
    frames = []
    for entry in entries:
        seat = partial(_table_for, viewer, entry.live)
        if reaches(entry.audience, role=viewer.role, seat=seat):
            frames.append(entry.frame(server_time))
    return frames


async def _read(
    feed: OutboxFeed, session_id: str, last: int, woken: int | None
) -> Sequence[FeedEntry]:
    if woken is None:  # a heartbeat: a read from the last second will do
        return await feed.after(session_id, last, newest=None)
    # Woken by the fan-out, which has read up to `woken` already: this comes from memory.
    return await feed.after(session_id, last, newest=woken)


async def event_stream(
    feed: OutboxFeed,
    fanout: Fanout,
    session_id: str,
    viewer: Viewer,
    *,
    last_event_id: int | None,
    heartbeat_seconds: float,
    clock: Callable[[], datetime],
) -> AsyncIterator[str]:
    """The frames of one client's stream, until it disconnects or the bus closes."""
    seat = partial(_table_for, viewer)
    async with fanout.watch(session_id, viewer.role, seat) as wakeups:
        last, resync = await feed.start(session_id, last_event_id)
        yield f"retry: {RETRY_MS}\n\n"
        if resync:
            data = {"last_event_id": last, "server_time": clock().isoformat()}
            yield frame(event="resync", id=last, data=data)
        iterator = aiter(wakeups)
        woken: int | None = None
        failed = False
        while True:
            # Read after every wake-up and after every heartbeat too: the outbox is
            # the truth, so a wake-up lost anywhere costs at most about one heartbeat.
            if woken is None and not failed:
                # Nothing pending: skip what the fan-out found this viewer need not see.
                # Not after a failed read, whose wake-up was taken but not yet read.
                last = wakeups.settled(last)
            failed = False
            try:
                entries = await _read(feed, session_id, last, woken)
            except DBAPIError as error:
                if not database_unavailable(error):
                    raise
                # The database is restarting: keep the phone connected and try again
                # at the next heartbeat, rather than drop every stream at once and
                # have them all reconnect into 503s.
                logger.info("live stream waits for the database: %s", type(error).__name__)
                entries, failed = [], True
            if entries:
                last = entries[-1].seq
                for text in _frames(entries, viewer, clock().isoformat()):
                    yield text
            woken = None
            try:
                async with asyncio.timeout(heartbeat_wait(heartbeat_seconds)):
                    woken = await anext(iterator)
            except TimeoutError:
                pass  # quiet: a heartbeat
            except StopAsyncIteration:
                return  # the bus closed: the server is shutting down
            if woken is None:
                yield f": heartbeat {clock().isoformat()}\n\n"
