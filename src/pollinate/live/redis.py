"""The Redis bus: wake-ups across server workers and hosts through Redis pub/sub.

    worker A: action commits ─▶ PUBLISH pollinate:{session_id} "<seq>"
                                     │  Redis fans it out to every subscribed worker
    worker B: one pub/sub connection ─▶ reader task ─▶ each local listener of that session,
                                                        coalesced to the newest seq

One channel per session (`<channel_prefix><session_id>`, prefix "pollinate:" by default)
and one pub/sub connection per worker, however many streams it serves: the first stream
of a session makes the worker SUBSCRIBE to its channel, and once the last one has left,
the reader UNSUBSCRIBEs within a second. A connection per stream would cost a file
descriptor on both sides for each of the thousands of SSE clients a worker holds.

What Redis does not promise, and why that is fine
- Pub/sub stores nothing: a worker misses what is published while its connection is down,
  and a wake-up can be lost in flight. The outbox is the truth. The SSE layer
  (`web/sse.py`) reads `outbox.since(last seq sent)` after every wake-up and after every
  quiet heartbeat interval, so a lost wake-up delays an event by at most one heartbeat
  (`POLLINATE_HEARTBEAT_SECONDS`); it never loses it.
- Reconnect rule: when the connection drops (Redis restarted, `CLIENT KILL`, no answer to
  a PING), the reader reconnects with backoff (0.1 s doubling to 5 s, retried until the
  bus closes, every attempt logged), subscribes every watched session again and, as soon
  as Redis confirms a session's channel, wakes each of its listeners with the newest seq
  that listener has already yielded (0 if none). A listener cannot know what it missed,
  so this wake-up carries no news; it makes the SSE layer re-read the outbox, which does.
  Seqs still never go backwards, but one may repeat after a reconnect. A stream that
  subscribes while Redis is down does not wait: its wake-up comes with the reconnect.
- publish() runs after the action's commit. On a connection error it tries once more
  (the failed connection is dropped, so the second try dials afresh); if that fails too,
  or Redis refuses the command, it logs a warning and drops the wake-up rather than fail
  a request whose change was saved. Streams then show the event after their next
  heartbeat-time outbox read, or earlier with the session's next wake-up.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress
from typing import Any
from urllib.parse import urlsplit

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from pollinate.live.bus import Mailbox

logger = logging.getLogger("pollinate.live")

DEFAULT_CHANNEL_PREFIX = "pollinate:"
DEFAULT_CLIENT_NAME = "pollinate-bus"  # shows in Redis's CLIENT LIST, so operators see who is who

# The reader wakes at least this often to drop channels nobody listens to any more and to
# check the connection; a second keeps idle subscriptions short and costs nothing.
TICK_SECONDS = 1.0

# The errors that mean "the connection is gone or stuck", after which trying again helps.
LOST = (RedisConnectionError, RedisTimeoutError, OSError)


class _Listener(Mailbox):
    """One stream on this worker: a `Mailbox` that knows when it awaits its confirmation."""

    def __init__(self) -> None:
        super().__init__()
        # True while subscribe() waits for Redis to confirm this listener's own channel:
        # that confirmation answers its wait and is no reason to wake it.
        self.confirming = False


def redis_address(url: str) -> str:
    """host:port of a Redis URL for log lines: never the password the URL may carry."""
    parts = urlsplit(url)
    try:
        port = parts.port or 6379
    except ValueError:
        port = 6379
    return f"{parts.hostname or 'localhost'}:{port}"


class RedisBus:
    """`Bus` across processes and machines through Redis pub/sub (`redis://…` bus URLs).

    Nothing connects until the first subscribe or publish, so the bus can be built before
    the server's event loop runs. Use it from one event loop; `close()` ends every stream,
    stops the reader task and closes every connection.
    """

    def __init__(
        self,
        url: str,
        *,
        channel_prefix: str = DEFAULT_CHANNEL_PREFIX,
        client_name: str = DEFAULT_CLIENT_NAME,
        keepalive_seconds: float = 10.0,
        confirm_seconds: float = 5.0,
        backoff_seconds: tuple[float, float] = (0.1, 5.0),
    ) -> None:
        # redis-py's own retries are off (Retry with 0 retries): publish() and the reader
        # decide themselves, and a hidden reconnect would skip the wake-up rule above.
        # Timeouts bound a hung Redis to seconds per request; settings in the URL's query
        # string (socket_timeout=…) take precedence over these defaults.
        self._client = Redis.from_url(
            url,
            client_name=client_name,
            socket_connect_timeout=5.0,
            socket_timeout=5.0,
            retry=Retry(NoBackoff(), 0),
        )
        # redis-py makes connections lazily, so a misspelt URL setting (?socket_timout=1)
        # would first fail inside a request; making one unconnected now fails at start.
        try:
            self._client.connection_pool.make_connection()  # type: ignore[no-untyped-call]
        except TypeError as error:
            raise ValueError(f"unknown setting: {error}") from None
        self.address = redis_address(url)
        self.channel_prefix = channel_prefix
        self.client_name = client_name
        self._keepalive = keepalive_seconds
        self._confirm_seconds = confirm_seconds
        self._backoff_first, self._backoff_cap = backoff_seconds
        self._listeners: dict[str, set[_Listener]] = {}
        self._pubsub: PubSub | None = None  # None while disconnected
        self._on_server: set[str] = set()  # channels SUBSCRIBEd on the current connection
        # One future per SUBSCRIBE sent and not yet confirmed, oldest first; Redis answers
        # in order, so each confirmation resolves the oldest one of its channel.
        self._awaiting: dict[str, deque[asyncio.Future[None]]] = {}
        self._stale = False  # a session lost its last listener: its channel can go
        self._attempt = 0  # reconnect attempts since the connection last proved healthy
        self._reader: asyncio.Task[None] | None = None
        self._starting = asyncio.Lock()
        self._sending = asyncio.Lock()  # keeps SUBSCRIBE/UNSUBSCRIBE in state order
        self._closed = False

    # ── the Bus protocol ──────────────────────────────────────────────────────────────

    async def publish(self, session_id: str, seq: int) -> None:
        if self._closed:
            return
        error: Exception | None = None
        for _ in range(2):
            try:
                await self._client.publish(self.channel(session_id), str(seq))
                return
            except LOST as lost:
                error = lost
            except RedisError as refused:  # an ACL or a read-only replica: retrying can't help
                error = refused
                break
        logger.warning(
            "Redis bus at %s dropped the wake-up for session %s (seq %d): %s. Its streams "
            "will read the event from the outbox at their next heartbeat.",
            self.address,
            session_id,
            seq,
            error,
        )

    @asynccontextmanager
    async def subscribe(self, session_id: str) -> AsyncIterator[AsyncIterator[int]]:
        listener = _Listener()
        if self._closed:
            listener.close()
            yield listener
            return
        self._listeners.setdefault(session_id, set()).add(listener)
        try:
            await self._start_reader()
            await self._confirm(session_id, listener)
            yield listener
        finally:
            # No await here: a cancelled stream (client gone) must leave at once, so the
            # reader sends the UNSUBSCRIBE at its next tick.
            listeners = self._listeners.get(session_id)
            if listeners is not None:
                listeners.discard(listener)
                if not listeners:
                    del self._listeners[session_id]
                    self._stale = True

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for listeners in self._listeners.values():
            for listener in listeners:
                listener.close()
        reader, self._reader = self._reader, None
        # redis-py sends through asyncio.wait_for, which on Python 3.11 can swallow a
        # cancellation that lands as the send completes (bpo-42130; seen here as a close()
        # that hung in about one test run of two). So cancel until the task is done; the
        # reader also checks `_closed` at every tick and stops by itself.
        while reader is not None and not reader.done():
            reader.cancel()
            await asyncio.wait([reader], timeout=TICK_SECONDS)
        await self._disconnect()
        with suppress(*LOST, RedisError):
            await self._client.aclose()

    # ── for health pages and tests ────────────────────────────────────────────────────

    def channel(self, session_id: str) -> str:
        """The Redis channel of one session."""
        return f"{self.channel_prefix}{session_id}"

    def subscriber_count(self, session_id: str) -> int:
        """How many streams on this worker listen to the session now."""
        return len(self._listeners.get(session_id, ()))

    @property
    def connected(self) -> bool:
        """True while the pub/sub connection is up."""
        return self._pubsub is not None

    # ── subscribing ───────────────────────────────────────────────────────────────────

    async def _start_reader(self) -> None:
        """Connect on first use and start the one task that reads for every listener."""
        if self._reader is not None:
            return
        async with self._starting:
            if self._reader is not None or self._closed:
                return
            try:
                await self._connect()
            except (*LOST, RedisError) as error:
                logger.warning(
                    "Redis bus cannot reach %s (%s); live streams fall back to their "
                    "heartbeat reads until it answers, retrying in the background.",
                    self.address,
                    error,
                )
            if self._closed:  # close() ran while we were connecting
                await self._disconnect()
                return
            self._reader = asyncio.get_running_loop().create_task(
                self._read_until_closed(), name=f"pollinate redis bus {self.address}"
            )

    async def _confirm(self, session_id: str, listener: _Listener) -> None:
        """Return once Redis has confirmed the session's channel (or it is down).

        From the confirmation on, Redis delivers every publish to this worker, which is
        what "subscribed" means in the Bus protocol. Waiting is bounded: a Redis too slow
        to confirm leaves the stream on heartbeat reads, not stuck.
        """
        # Set before the SUBSCRIBE goes out: its confirmation may be read before we wait.
        listener.confirming = True
        try:
            await self._sync()
            pending = self._awaiting.get(self.channel(session_id))
            if not pending:
                return  # confirmed already, or disconnected: the reconnect wakes the listener
            async with asyncio.timeout(self._confirm_seconds):
                # Shielded: other listeners of the session may wait on the same future.
                await asyncio.shield(pending[-1])
        except TimeoutError:
            logger.warning(
                "Redis at %s did not confirm the subscription to session %s within %g s; "
                "its stream wakes when it does.",
                self.address,
                session_id,
                self._confirm_seconds,
            )
        finally:
            listener.confirming = False

    async def _sync(self) -> None:
        """Make the connection's subscriptions match the sessions that have listeners."""
        async with self._sending:
            pubsub = self._pubsub
            if pubsub is None:
                return
            self._stale = False
            wanted = {self.channel(session_id) for session_id in self._listeners}
            join = sorted(wanted - self._on_server)
            leave = sorted(self._on_server - wanted)
            self._on_server = wanted
            loop = asyncio.get_running_loop()
            for channel in join:
                self._awaiting.setdefault(channel, deque()).append(loop.create_future())
            try:
                if join:
                    await pubsub.subscribe(*join)
                if leave:
                    await pubsub.unsubscribe(*leave)
            except (*LOST, RedisError) as error:
                # A failed write closes the connection, so the reader's read fails as well
                # and it reconnects, subscribing everything again.
                logger.debug("Redis bus could not update its subscriptions: %s", error)

    # ── the reader task ───────────────────────────────────────────────────────────────

    async def _connect(self) -> None:
        pubsub = self._client.pubsub()
        # redis-py leaves PubSub.connect and PubSub.aclose unannotated (redis 8.1).
        try:
            await pubsub.connect()  # type: ignore[no-untyped-call]  # dials and names it
        except BaseException:
            await pubsub.aclose()  # type: ignore[no-untyped-call]
            raise
        self._pubsub = pubsub
        self._on_server = set()
        self._awaiting = {}
        await self._sync()

    async def _disconnect(self) -> None:
        pubsub, self._pubsub = self._pubsub, None
        self._on_server = set()
        for pending in self._awaiting.values():
            for future in pending:
                if not future.done():
                    future.set_result(None)  # waiters go on; the reconnect will wake them
        self._awaiting = {}
        if pubsub is not None:
            with suppress(*LOST, RedisError):
                await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def _read_until_closed(self) -> None:
        while not self._closed:
            pubsub = self._pubsub
            if pubsub is None:
                await self._reconnect()
                continue
            try:
                await self._read(pubsub)
            except LOST as error:
                logger.warning(
                    "Redis bus lost its connection to %s (%s); reconnecting.", self.address, error
                )
            except Exception:
                # A bug here must not silence this worker's streams for good: log it and
                # start afresh as after a dropped connection.
                logger.exception("Redis bus reader failed; reconnecting to %s.", self.address)
            await self._disconnect()

    async def _reconnect(self) -> None:
        # One connection per worker, so a Redis restart sees as many reconnects as there
        # are workers; plain doubling without jitter spreads those well enough.
        delay = min(self._backoff_cap, self._backoff_first * 2 ** min(self._attempt, 16))
        self._attempt += 1
        await asyncio.sleep(delay)
        if self._closed:
            return
        try:
            await self._connect()
        except (*LOST, RedisError) as error:
            logger.warning(
                "Redis bus reconnect attempt %d to %s failed (%s); next try in %.1f s.",
                self._attempt,
                self.address,
                error,
                min(self._backoff_cap, self._backoff_first * 2 ** min(self._attempt, 16)),
            )
            return
        logger.warning(
            "Redis bus reconnected to %s after %d attempt(s); waking the streams of %d "
            "session(s) to re-read their outboxes.",
            self.address,
            self._attempt,
            len(self._listeners),
        )

    async def _read(self, pubsub: PubSub) -> None:
        """Deliver messages until the connection fails; PING it when it has been quiet."""
        loop = asyncio.get_running_loop()
        heard = loop.time()
        pinged = False
        tick = min(TICK_SECONDS, self._keepalive / 2)  # look often enough to honour keepalive
        while not self._closed:
            message: Mapping[str, Any] | None = await pubsub.get_message(timeout=tick)
            now = loop.time()
            if message is not None:
                heard, pinged, self._attempt = now, False, 0
                self._deliver(message)
            elif not self._on_server:
                heard = now  # nothing subscribed, nothing to miss: no need to probe
            elif now - heard > 2 * self._keepalive:
                # TCP alone can take many minutes to notice a peer that vanished.
                raise RedisConnectionError(f"no answer to PING within {self._keepalive:g} s")
            elif now - heard > self._keepalive and not pinged:
                async with self._sending:
                    await pubsub.ping()
                pinged = True
            if self._stale:
                await self._sync()

    def _deliver(self, message: Mapping[str, Any]) -> None:
        kind = message["type"]
        channel = message["channel"]
        if isinstance(channel, bytes):
            channel = channel.decode("utf-8", "replace")
        if not isinstance(channel, str) or not channel.startswith(self.channel_prefix):
            return  # a pong, or an unsubscribe confirmation of no interest
        listeners = self._listeners.get(channel[len(self.channel_prefix) :], set())
        if kind == "message":
            try:
                seq = int(message["data"])
            except (TypeError, ValueError):
                logger.warning("Redis bus ignored a message that is not a seq on %s.", channel)
                return
            for listener in listeners:
                listener.offer(seq)
        elif kind == "subscribe":
            pending = self._awaiting.get(channel)
            if pending:
                future = pending.popleft()
                if not future.done():
                    future.set_result(None)
                if not pending:
                    del self._awaiting[channel]
            for listener in listeners:
                if not listener.confirming:
                    listener.rouse()
