"""The load harness's clients: hand-written HTTP/1.1 over asyncio, cheap enough for 2,000.

    SseProtocol (one per simulated phone)          HttpClient (hosts, facilitator, checks)
      connect ─▶ GET path, Bearer token              request ─▶ a kept-alive connection
      200 + chunked body ─▶ ChunkedDecoder             from the pool, or a new one
      "\\n\\n"-separated frames ─▶ FrameSink.frame      status, headers, body ─▶ Reply
      first frame (retry:) ─▶ `ready`: subscribed
      connection lost ─▶ FrameSink.lost

A simulated participant is an `asyncio.Protocol`, not a task reading a stream: the event
loop calls `data_received` when bytes arrive, so 2,000 idle phones cost no coroutine
switches, and the arrival time is taken at the top of that callback, as soon as the loop
sees the bytes. The harness shares the machine's two cores with the server, so the less
the client side spends, the more the figures say about the server.

Only what the pollinate server and the bare Starlette endpoint send is handled: HTTP/1.1,
`Transfer-Encoding: chunked` or `Content-Length` bodies, SSE frames ending in a blank
line with `\\n` line ends (web/sse.py writes exactly that).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, cast


class FrameSink(Protocol):
    """Where a client's frames go: `frame` for each SSE frame, `lost` when it drops."""

    def frame(self, client: int, event: str, seq: int | None, data: bytes, at: float) -> None: ...

    def lost(self, client: int) -> None: ...


class ChunkedDecoder:
    """Undo `Transfer-Encoding: chunked` incrementally: feed bytes, get the body's bytes.

    >>> decoder = ChunkedDecoder()
    >>> decoder.feed(b"5\\r\\nhel"), decoder.feed(b"lo\\r\\n0\\r\\n\\r\\n"), decoder.finished
    (b'hel', b'lo', True)
    """

    def __init__(self) -> None:
        self._buffer = b""
        self._left = 0  # bytes of the current chunk still to come
        self._state = "size"  # size line, chunk data, the CRLF after it, or finished

    @property
    def finished(self) -> bool:
        return self._state == "finished"

    def feed(self, data: bytes) -> bytes:
        self._buffer += data
        out: list[bytes] = []
        while self._buffer and self._state != "finished":
            if self._state == "size":
                end = self._buffer.find(b"\r\n")
                if end < 0:
                    break
                size = int(self._buffer[:end].split(b";", 1)[0], 16)
                self._buffer = self._buffer[end + 2 :]
                self._state, self._left = ("data", size) if size else ("finished", 0)
            elif self._state == "data":
                piece = self._buffer[: self._left]
                out.append(piece)
                self._buffer = self._buffer[len(piece) :]
                self._left -= len(piece)
                if not self._left:
                    self._state = "crlf"
            else:
                if len(self._buffer) < 2:
                    break
                self._buffer = self._buffer[2:]
                self._state = "size"
        return b"".join(out)


def parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    """The status code and the lower-cased headers of a response head (without CRLFCRLF)."""
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers


class SseProtocol(asyncio.Protocol):
    """One simulated page holding `GET path` open and handing its frames to a sink.

    `ready` resolves at the first frame: the pollinate server (web/sse.py) and the bare
    endpoint both subscribe before they send `retry:`, so from then on nothing published
    can be missed. It fails with the status line when the answer is not a 200.
    """

    def __init__(self, client: int, request: bytes, sink: FrameSink) -> None:
        self.client = client
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closing = False  # set when the harness hangs up, so it is not counted as a drop
        self._request = request
        self._sink = sink
        self._transport: asyncio.Transport | None = None
        self._head = b""
        self._decoder: ChunkedDecoder | None = None
        self._body_started = False
        self._text = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self._transport = cast(asyncio.Transport, transport)
        self._transport.write(self._request)

    def data_received(self, data: bytes) -> None:
        at = time.monotonic()  # first thing: the arrival time of everything in `data`
        if not self._body_started:
            self._head += data
            end = self._head.find(b"\r\n\r\n")
            if end < 0:
                return
            status, headers = parse_head(self._head[:end])
            data, self._head = self._head[end + 4 :], b""
            if status != 200:
                self._fail(f"HTTP {status}")
                return
            self._body_started = True
            if headers.get("transfer-encoding", "").lower() == "chunked":
                self._decoder = ChunkedDecoder()
        self._text += self._decoder.feed(data) if self._decoder else data
        while (cut := self._text.find(b"\n\n")) >= 0:
            raw, self._text = self._text[:cut], self._text[cut + 2 :]
            self._frame(raw, at)

    def _frame(self, raw: bytes, at: float) -> None:
        event, seq, data, fields = "message", None, b"", False
        for line in raw.split(b"\n"):
            name, _, value = line.partition(b":")
            value = value[1:] if value.startswith(b" ") else value
            if name == b"event":
                event, fields = value.decode(), True
            elif name == b"id":
                seq, fields = int(value) if value.isdigit() else None, True
            elif name == b"data":
                data, fields = value, True
            elif name == b"retry":
                fields = True
        if not self.ready.done():
            self.ready.set_result(None)
        if fields and (data or seq is not None):
            self._sink.frame(self.client, event, seq, data, at)

    def _fail(self, reason: str) -> None:
        if not self.ready.done():
            self.ready.set_exception(ConnectionError(reason))
        self.close()

    def close(self) -> None:
        self.closing = True
        if self._transport is not None:
            self._transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.ready.done():
            self.ready.set_exception(ConnectionError(f"closed before the first frame: {exc}"))
        elif not self.closing:
            self._sink.lost(self.client)


async def open_stream(
    host: str,
    port: int,
    path: str,
    *,
    client: int,
    sink: FrameSink,
    token: str | None,
    timeout: float,
) -> SseProtocol:
    """Connect one page's event stream and return once it is subscribed (`ready`)."""
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Accept: text/event-stream",
        "Cache-Control: no-cache",
    ]
    if token is not None:
        lines.append(f"Authorization: Bearer {token}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(timeout):
        _, protocol = await loop.create_connection(
            lambda: SseProtocol(client, request, sink), host, port
        )
        try:
            await protocol.ready
        except BaseException:
            protocol.close()
            raise
    return protocol


@dataclass(frozen=True)
class Reply:
    """One HTTP answer; `reused` when it came over a connection kept from before."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    reused: bool = False

    def json(self) -> Any:
        return json.loads(self.body)


class StaleConnection(ConnectionError):
    """A kept-alive connection was closed by the server before any answer came back.

    uvicorn closes idle connections after 5 s (`timeout_keep_alive`), so a request sent on
    one it just closed never reached the application; sending it again is safe.
    """


Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]
IDLE_SECONDS = 4.0  # under uvicorn's 5 s keep-alive, so a pooled connection is rarely stale


class HttpClient:
    """JSON requests to one server over kept-alive connections, at most `limit` at once.

    Requests beyond `limit` wait for a connection, and that wait is part of whatever the
    caller measures: the open-loop note schedule counts it as latency, as it should. The
    `timeout` of a request runs from when it has a connection, not while it waits.
    """

    def __init__(self, host: str, port: int, *, limit: int = 64) -> None:
        self.host, self.port = host, port
        self._slots = asyncio.Semaphore(limit)
        self._idle: list[tuple[float, Connection]] = []

    async def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        fresh: bool = False,
    ) -> Reply:
        """Send and read one request; `fresh` opens a new connection (for non-idempotent
        calls, which must never be re-sent after a stale connection).

        Raises `StaleConnection` when a kept connection closed before any answer (safe to
        re-send), `TimeoutError` after `timeout`, and `OSError` for other transport faults.
        """
        payload = b"" if body is None else json.dumps(body).encode()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if token is not None:
            lines.append(f"Authorization: Bearer {token}")
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        message = ("\r\n".join(lines) + "\r\n\r\n").encode() + payload
        # The timeout starts once a connection slot is free: a request waiting for one
        # has not been sent, and its caller counts that wait in its own clock.
        async with self._slots, asyncio.timeout(timeout):
            connection, reused = await self._connection(fresh)
            try:
                reply = await self._exchange(connection, message, reused)
            except BaseException:
                connection[1].close()
                raise
            if reply.headers.get("connection", "").lower() == "close" or fresh:
                connection[1].close()
            else:
                self._idle.append((time.monotonic(), connection))
            return reply

    async def _connection(self, fresh: bool) -> tuple[Connection, bool]:
        while self._idle and not fresh:
            since, connection = self._idle.pop()
            if time.monotonic() - since < IDLE_SECONDS and not connection[0].at_eof():
                return connection, True
            connection[1].close()
        return await asyncio.open_connection(self.host, self.port), False

    async def _exchange(self, connection: Connection, message: bytes, reused: bool) -> Reply:
        reader, writer = connection
        writer.write(message)
        try:
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError) as error:
            if reused:
                raise StaleConnection(str(error)) from error
            raise ConnectionError(f"no answer: {error!r}") from error
        status, headers = parse_head(head[:-4])
        if "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while size := int((await reader.readline()).split(b";", 1)[0], 16):
                parts.append(await reader.readexactly(size))
                await reader.readline()
            await reader.readline()
            body = b"".join(parts)
        else:
            body = await reader.read()
            headers["connection"] = "close"
        return Reply(status, headers, body, reused)

    def close(self) -> None:
        for _, (_, writer) in self._idle:
            writer.close()
        self._idle.clear()
