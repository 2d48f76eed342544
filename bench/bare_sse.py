"""A bare Starlette SSE endpoint: the ceiling for live fan-out on this machine.

Run: .venv/bin/python bench/bare_sse.py --port 8765   (bench/live.py starts it itself)

    GET /events ─▶ a queue joins `listeners` ─▶ "retry: 2000" ─▶ every queued frame
    POST /fire  ─▶ one frame {"type": "fire", "seq": n, ...} into every queue at once
    GET /healthz ─▶ {"status": "ok"}

No database, no bus, no authentication, no per-viewer filtering and no access log: what
is left is uvicorn, Starlette's StreamingResponse and one event loop on one process, so
how long a frame takes to reach N clients here is as good as a pollinate worker could
ever do with the same clients on the same machine. The first frame is sent only after
the queue joined, like pollinate's stream after it subscribed, so a client that has read
it cannot miss a fire.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route


def create_app() -> Starlette:
    listeners: set[asyncio.Queue[str]] = set()
    numbers = itertools.count(1)

    async def events(request: Request) -> Response:
        queue: asyncio.Queue[str] = asyncio.Queue()

        async def stream() -> AsyncIterator[str]:
            listeners.add(queue)
            try:
                yield "retry: 2000\n\n"
                while True:
                    yield await queue.get()
            finally:
                listeners.discard(queue)

        return StreamingResponse(stream(), media_type="text/event-stream")

    async def fire(request: Request) -> Response:
        seq = next(numbers)
        data = {"type": "fire", "seq": seq, "server_time": datetime.now(UTC).isoformat()}
        text = f"event: fire\nid: {seq}\ndata: {json.dumps(data)}\n\n"
        for queue in listeners:
            queue.put_nowait(text)
        return JSONResponse({"seq": seq, "listeners": len(listeners)})

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/events", events),
            Route("/fire", fire, methods=["POST"]),
            Route("/healthz", healthz),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="A bare Starlette SSE endpoint (the ceiling).")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    uvicorn.run(
        create_app(), host="127.0.0.1", port=args.port, log_level="warning", access_log=False
    )


if __name__ == "__main__":
    main()
