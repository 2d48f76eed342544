"""The live stream: `GET /api/sessions/{id}/events`, Server-Sent Events over plain Starlette.

    connect (Last-Event-ID header, or ?last_event_id= on a first connect, else "now")
       │
       ├─ subscribe to the bus FIRST, so nothing committed from here on is missed
       ├─ id older than the outbox keeps, or unknown? ──▶ event: resync (page re-fetches)
       ├─ replay outbox.since(id), filtered by core.events.receives for this viewer
       ▼
    loop ─┬─ bus wakes us (seq N) ─▶ read outbox.since(last) ─▶ send each allowed event
          ├─ heartbeat_seconds pass quietly ─▶ ": heartbeat" comment (keeps proxies open)
          ├─ client disconnects ─▶ EventStreamResponse cancels the loop, unsubscribes
          └─ server shuts down ─▶ bus.close() ends the subscription ─▶ the stream ends

Every frame carries `id: <outbox seq>`, so the browser's EventSource sends the last one
back as `Last-Event-ID` when it reconnects on its own, and `data:` is one JSON object
`{"type", "seq", "payload", "server_time"}`: the server's clock travels with every event,
so a page keeps its clock offset fresh. Events the viewer may not receive are skipped
but still advance the position, so they are never re-read.

Written on Starlette's StreamingResponse rather than sse-starlette: the protocol is a
few lines, and the shutdown path (the bus closing) is ours either way.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from functools import partial
from typing import Any

import anyio
from sqlalchemy.orm import Session
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from pollinate.actions.live import LiveSession, Store, load_live, transact
from pollinate.core.events import event_from_payload, receives
from pollinate.core.roles import Role
from pollinate.live.bus import Bus
from pollinate.store import outbox
from pollinate.web.auth import Viewer

RETRY_MS = 2000  # how long a browser waits before reconnecting after a drop
# Proxies and routers cut idle connections after 30-60 s; 15 s stays well inside that
# (sse-starlette's default too), whatever POLLINATE_HEARTBEAT_SECONDS says.
MAX_HEARTBEAT_SECONDS = 15.0


class EventStreamResponse(StreamingResponse):
    """A streaming response that always watches for the client going away.

    Starlette only listens for `http.disconnect` on ASGI < 2.4 and otherwise learns of
    a gone client when a write fails, which for a quiet stream is the next heartbeat;
    listening always frees the subscription at once.
    """

    media_type = "text/event-stream"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async with anyio.create_task_group() as group:

            async def stream_then_stop() -> None:
                await self.stream_response(send)
                group.cancel_scope.cancel()

            group.start_soon(stream_then_stop)
            await self.listen_for_disconnect(receive)
            group.cancel_scope.cancel()


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


class _Position:
    """Where one stream is in the session's outbox, and what it knows of the session."""

    def __init__(self, last: int, live: LiveSession) -> None:
        self.last = last
        self.live = live


def _table_for(viewer: Viewer, live: LiveSession, round: int | None) -> str | None:
    if viewer.role is Role.HOST:
        return viewer.table
    plan = live.plan
    if viewer.role is not Role.PARTICIPANT or not viewer.participant_id or plan is None:
        return None
    if round is None or not 1 <= round <= plan.rounds:
        return None
    return plan.place_of(viewer.participant_id, round)


def _frames(
    db: Session, session_id: str, viewer: Viewer, position: _Position, now: str
) -> list[str]:
    """Read what the stream has not sent yet and turn what the viewer may see into frames."""
    frames = []
    for logged in outbox.since(db, session_id, position.last):
        position.last = logged.seq
        event = event_from_payload(logged.type, logged.payload)
        if logged.type == "seating.changed":
            position.live = load_live(db, session_id)  # a participant's table may move
        round = getattr(event, "round", None)
        table = _table_for(viewer, position.live, round)
        if not receives(event, role=viewer.role, table=table, spec=position.live.spec):
            continue
        data = {
            "type": logged.type,
            "seq": logged.seq,
            "payload": logged.payload,
            "server_time": now,
        }
        frames.append(frame(event=logged.type, id=logged.seq, data=data))
    return frames


async def event_stream(
    store: Store,
    bus: Bus,
    session_id: str,
    viewer: Viewer,
    *,
    last_event_id: int | None,
    heartbeat_seconds: float,
    clock: Callable[[], datetime],
) -> AsyncIterator[str]:
    """The frames of one client's stream, until it disconnects or the bus closes."""
    async with bus.subscribe(session_id) as wakeups:

        def start(db: Session) -> tuple[_Position, bool]:
            live = load_live(db, session_id)
            latest = outbox.latest_seq(db, session_id)
            if last_event_id is None:
                return _Position(latest, live), False
            if not outbox.replayable(db, session_id, last_event_id):
                return _Position(latest, live), True
            return _Position(last_event_id, live), False

        position, resync = await transact(store, start)
        yield f"retry: {RETRY_MS}\n\n"
        if resync:
            data = {"last_event_id": position.last, "server_time": clock().isoformat()}
            yield frame(event="resync", id=position.last, data=data)
        iterator = aiter(wakeups)
        while True:
            # Read after every wake-up and after every heartbeat too: the outbox is the
            # truth, so a wake-up lost anywhere costs at most one heartbeat of delay.
            moment = clock().isoformat()
            for text in await transact(
                store,
                partial(
                    _frames, session_id=session_id, viewer=viewer, position=position, now=moment
                ),
            ):
                yield text
            woken = False
            with anyio.move_on_after(min(heartbeat_seconds, MAX_HEARTBEAT_SECONDS)):
                try:
                    await anext(iterator)
                except StopAsyncIteration:
                    return  # the bus closed: the server is shutting down
                woken = True
            if not woken:
                yield f": heartbeat {clock().isoformat()}\n\n"
