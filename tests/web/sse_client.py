"""Reading an endless event stream in-process: a tiny ASGI driver for the tests.

Starlette's TestClient and httpx's ASGITransport both collect the whole body before they
return, which an event stream never finishes; this driver hands each chunk over as it is
sent, and sends `http.disconnect` when the test leaves the block, as a browser would.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream


@dataclass
class Frame:
    event: str | None = None
    id: str | None = None
    data: str | None = None
    comment: str | None = None


def parse_frame(text: str) -> Frame:
    frame = Frame()
    for line in text.split("\n"):
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "":
            frame.comment = value
        elif name in ("event", "id", "data"):
            setattr(frame, name, value)
    return frame


@dataclass
class Stream:
    status: int
    headers: dict[str, str]
    chunks: MemoryObjectReceiveStream[dict[str, Any]]
    buffer: str = ""
    ended: bool = False
    seen: list[Frame] = field(default_factory=list)

    async def next_frame(self, timeout: float = 2.0) -> Frame:
        """The next frame (or comment); `TimeoutError` if none comes in time."""
        with anyio.fail_after(timeout):
            while "\n\n" not in self.buffer:
                message = await self.chunks.receive()
                self.buffer += message.get("body", b"").decode()
                if not message.get("more_body", False):
                    self.ended = True
                    if "\n\n" not in self.buffer:
                        raise EOFError("the stream ended")
        text, self.buffer = self.buffer.split("\n\n", 1)
        frame = parse_frame(text)
        self.seen.append(frame)
        return frame

    async def next_event(self, timeout: float = 2.0) -> Frame:
        """The next frame that is an event (skipping comments and the retry line)."""
        while True:
            frame = await self.next_frame(timeout)
            if frame.event is not None or frame.data is not None:
                return frame

    async def frames_through(self, seq: int, timeout: float = 3.0) -> list[Frame]:
        """Every event frame up to and including the one with id `seq`."""
        frames: list[Frame] = []
        with anyio.fail_after(timeout):
            while True:
                frame = await self.next_event(timeout)
                frames.append(frame)
                if frame.id is not None and frame.id.isdigit() and int(frame.id) >= seq:
                    return frames

    async def frames_until_quiet(self, quiet: float = 0.3) -> list[Frame]:
        """Every event frame that arrives until the stream stays quiet for `quiet` s."""
        frames: list[Frame] = []
        while True:
            try:
                frame = await self.next_frame(quiet)
            except TimeoutError:
                return frames
            if frame.data is not None:
                frames.append(frame)


@asynccontextmanager
async def open_stream(
    app: Any, path: str, headers: Sequence[tuple[str, str]] = ()
) -> AsyncIterator[Stream]:
    """GET `path` on `app` and yield the stream; leaving the block disconnects."""
    path_only, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path_only,
        "raw_path": path_only.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver")]
        + [(k.lower().encode(), v.encode()) for k, v in headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    disconnected = anyio.Event()
    finished = anyio.Event()
    sender, receiver = anyio.create_memory_object_stream[dict[str, Any]](1000)

    async def receive() -> dict[str, Any]:
        await disconnected.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        await sender.send(message)

    async def run() -> None:
        try:
            await app(scope, receive, send)
        finally:
            finished.set()

    async with sender, receiver, anyio.create_task_group() as group:
        group.start_soon(run)
        with anyio.fail_after(5):
            start = await receiver.receive()
        headers_sent = {k.decode(): v.decode() for k, v in start.get("headers", [])}
        stream = Stream(start["status"], headers_sent, receiver)
        if start["type"] == "http.response.start" and start["status"] != 200:
            stream.ended = True
        else:
            # The retry line comes once the stream has subscribed and fixed its position;
            # before it, an event committed now might fall before "from now" and be skipped.
            assert (await stream.next_frame(5)).data is None
        try:
            yield stream
        finally:
            disconnected.set()
            with anyio.fail_after(5):
                await finished.wait()
