"""The Redis bus beyond the shared contract: several workers, dropped connections, a
Redis that is not there, and one subscription per worker.

Each `redis_bus()` stands for one server worker; all of a test's buses share a channel
prefix of their own. Faults are injected by killing only this test's connections (found
by client name), never the whole server's, so parallel test workers are unaffected.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import anyio
import pytest
from anyio.abc import ByteStream, SocketAttribute
from redis.asyncio import Redis

from pollinate.live.redis import RedisBus

pytestmark = [pytest.mark.anyio, pytest.mark.redis]

WAIT = 5.0  # seconds a delivery or a reconnect may take
QUIET = 0.2  # seconds of silence that count as "nothing arrived"

MakeBus = Callable[..., RedisBus]


async def kill_connections(redis_url: str, client_name: str, kind: str) -> int:
    """CLIENT KILL the connections of one client name and type; return how many died."""
    admin = Redis.from_url(redis_url)
    try:
        killed = 0
        for client in await admin.client_list(_type=kind):
            if client["name"] == client_name:
                killed += await admin.client_kill_filter(_id=client["id"], _type=kind)
        return killed
    finally:
        await admin.aclose()


async def connections_named(redis_url: str, client_name: str) -> int:
    admin = Redis.from_url(redis_url)
    try:
        return sum(client["name"] == client_name for client in await admin.client_list())
    finally:
        await admin.aclose()


async def subscriptions_on_server(redis_url: str, channel: str) -> int:
    admin = Redis.from_url(redis_url)
    try:
        [(_, count)] = await admin.pubsub_numsub(channel)
        return int(count)
    finally:
        await admin.aclose()


class Relay:
    """A TCP relay to Redis whose open connections can be made to go silent.

    A silenced connection stays open but nothing gets through in either direction, as
    when a network path dies without a reset: only a PING that gets no answer tells.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.links: list[dict[str, bool]] = []

    def silence(self) -> None:
        for link in self.links:
            link["silent"] = True


@asynccontextmanager
async def relay_to(redis_url: str) -> AsyncIterator[Relay]:
    target = urlsplit(redis_url)
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    relay = Relay(listener.extra(SocketAttribute.local_port))  # noqa: S610 (anyio, not Django)

    async def pump(source: ByteStream, sink: ByteStream, link: dict[str, bool]) -> None:
        async for chunk in source:
            if not link["silent"]:
                await sink.send(chunk)

    async def serve(client: ByteStream) -> None:
        link = {"silent": False}
        relay.links.append(link)
        upstream = await anyio.connect_tcp(target.hostname or "127.0.0.1", target.port or 6379)
        async with client, upstream, anyio.create_task_group() as pumps:
            # Either side hanging up ends the link.
            async def one_way(source: ByteStream, sink: ByteStream) -> None:
                await pump(source, sink, link)
                pumps.cancel_scope.cancel()

            pumps.start_soon(one_way, client, upstream)
            pumps.start_soon(one_way, upstream, client)

    async with listener, anyio.create_task_group() as relays:
        relays.start_soon(listener.serve, serve)
        yield relay
        relays.cancel_scope.cancel()


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_publish_on_one_worker_wakes_streams_on_every_worker(redis_bus: MakeBus):
    publisher, second, third = redis_bus(), redis_bus(), redis_bus()
    async with (
        publisher.subscribe("s1") as own,
        second.subscribe("s1") as a,
        second.subscribe("s1") as b,
        third.subscribe("s1") as c,
    ):
        await publisher.publish("s1", 4)
        with anyio.fail_after(WAIT):
            assert [await anext(own), await anext(a), await anext(b), await anext(c)] == [4] * 4


async def test_workers_with_another_channel_prefix_hear_nothing(redis_bus: MakeBus):
    staging = redis_bus()
    production = redis_bus(channel_prefix=f"{staging.channel_prefix}other:")
    async with production.subscribe("s1") as updates:
        await staging.publish("s1", 1)
        with anyio.move_on_after(QUIET) as quiet:
            await anext(updates)
        assert quiet.cancelled_caught


async def test_one_worker_holds_one_redis_subscription_however_many_streams(
    redis_bus: MakeBus, redis_url: str
):
    worker = redis_bus()
    channel = worker.channel("s1")
    async with worker.subscribe("s1"), worker.subscribe("s1"), worker.subscribe("s1"):
        assert worker.subscriber_count("s1") == 3
        assert await subscriptions_on_server(redis_url, channel) == 1
    assert worker.subscriber_count("s1") == 0
    with anyio.fail_after(WAIT):
        while await subscriptions_on_server(redis_url, channel):
            await anyio.sleep(0.05)  # the reader unsubscribes at its next tick


async def test_a_stream_wakes_after_its_connection_is_killed_and_hears_later_publishes(
    redis_bus: MakeBus, redis_url: str, caplog: pytest.LogCaptureFixture
):
    worker, other = redis_bus(), redis_bus()
    caplog.set_level(logging.WARNING, logger="pollinate.live")
    async with worker.subscribe("s1") as updates:
        await other.publish("s1", 1)
        with anyio.fail_after(WAIT):
            assert await anext(updates) == 1

        assert await kill_connections(redis_url, worker.client_name, "pubsub") == 1
        with anyio.fail_after(WAIT):
            # It cannot know what was published while it was away: it wakes with the
            # newest seq it knew, so the stream re-reads the outbox.
            assert await anext(updates) == 1
        assert worker.connected

        await other.publish("s1", 2)
        with anyio.fail_after(WAIT):
            assert await anext(updates) == 2
    assert "lost its connection" in caplog.text
    assert "reconnected" in caplog.text


async def test_a_stream_that_saw_nothing_yet_wakes_with_zero_after_a_reconnect(
    redis_bus: MakeBus, redis_url: str
):
    worker = redis_bus()
    async with worker.subscribe("s1") as woken, worker.subscribe("s2") as other_session:
        assert await kill_connections(redis_url, worker.client_name, "pubsub") == 1
        with anyio.fail_after(WAIT):
            assert [await anext(woken), await anext(other_session)] == [0, 0]


async def test_publish_still_reaches_other_workers_after_its_connection_is_killed(
    redis_bus: MakeBus, redis_url: str
):
    publisher, listener = redis_bus(), redis_bus()
    async with listener.subscribe("s1") as updates:
        await publisher.publish("s1", 1)  # opens the publisher's pooled connection
        with anyio.fail_after(WAIT):
            assert await anext(updates) == 1
        assert await kill_connections(redis_url, publisher.client_name, "normal") >= 1
        await publisher.publish("s1", 2)
        with anyio.fail_after(WAIT):
            assert await anext(updates) == 2


async def test_messages_that_are_not_seqs_are_ignored(redis_bus: MakeBus, redis_url: str):
    worker = redis_bus()
    async with worker.subscribe("s1") as updates:
        admin = Redis.from_url(redis_url)
        try:
            await admin.publish(worker.channel("s1"), "not a number")
            await admin.publish(worker.channel("s1"), "3")
        finally:
            await admin.aclose()
        with anyio.fail_after(WAIT):
            assert await anext(updates) == 3


async def test_closing_ends_streams_and_leaves_no_connection_behind(
    redis_bus: MakeBus, redis_url: str
):
    worker = redis_bus()
    async with worker.subscribe("s1") as updates:
        await worker.publish("s1", 1)
        with anyio.fail_after(WAIT):
            assert await anext(updates) == 1
        assert await connections_named(redis_url, worker.client_name) >= 1
        await worker.close()
        with anyio.fail_after(WAIT):
            assert [seq async for seq in updates] == []
    assert not worker.connected
    with anyio.fail_after(WAIT):
        while await connections_named(redis_url, worker.client_name):
            await anyio.sleep(0.05)


async def test_publish_to_an_unreachable_redis_logs_and_drops_the_wake_up(
    redis_bus: MakeBus, caplog: pytest.LogCaptureFixture
):
    worker = redis_bus(url=f"redis://:sekrit@127.0.0.1:{unused_port()}/0")
    caplog.set_level(logging.WARNING, logger="pollinate.live")
    with anyio.fail_after(WAIT):
        await worker.publish("s1", 7)  # returns: the event is safe in the outbox
    [record] = [r for r in caplog.records if "dropped the wake-up" in r.getMessage()]
    assert "session s1 (seq 7)" in record.getMessage()
    assert "sekrit" not in caplog.text


async def test_a_stream_opens_without_redis_and_ends_when_the_bus_closes(
    redis_bus: MakeBus, caplog: pytest.LogCaptureFixture
):
    worker = redis_bus(url=f"redis://127.0.0.1:{unused_port()}/0", backoff_seconds=(0.01, 0.05))
    caplog.set_level(logging.WARNING, logger="pollinate.live")
    with anyio.fail_after(WAIT):
        async with worker.subscribe("s1") as updates:
            assert not worker.connected
            await anyio.sleep(0.2)  # several reconnect attempts go by
            await worker.close()
            assert [seq async for seq in updates] == []
    assert "cannot reach" in caplog.text
    assert "reconnect attempt 2" in caplog.text


async def test_a_connection_gone_silent_is_found_by_ping_and_replaced(
    redis_bus: MakeBus, redis_url: str, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.WARNING, logger="pollinate.live")
    async with relay_to(redis_url) as relay:
        worker = redis_bus(url=f"redis://127.0.0.1:{relay.port}/0", keepalive_seconds=0.2)
        other = redis_bus()
        async with worker.subscribe("s1") as updates:
            await other.publish("s1", 1)
            with anyio.fail_after(WAIT):
                assert await anext(updates) == 1
            relay.silence()
            with anyio.fail_after(WAIT):
                assert await anext(updates) == 1  # woken after the reconnect
            await other.publish("s1", 2)
            with anyio.fail_after(WAIT):
                assert await anext(updates) == 2
        await worker.close()  # before the relay goes, so it does not try to reconnect
    assert "no answer to PING" in caplog.text
