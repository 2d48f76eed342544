from __future__ import annotations

import anyio
import pytest

from pollinate.live.memory import MemoryBus

pytestmark = pytest.mark.anyio


async def test_a_busy_subscriber_holds_only_the_newest_seq():
    bus = MemoryBus()
    async with bus.subscribe("s1") as updates:
        for seq in range(1, 10_001):
            await bus.publish("s1", seq)
        assert await anext(updates) == 10_000
        with anyio.move_on_after(0.05) as quiet:
            await anext(updates)
        assert quiet.cancelled_caught


async def test_leaving_a_subscription_forgets_the_subscriber():
    bus = MemoryBus()
    async with bus.subscribe("s1"), bus.subscribe("s1"):
        assert bus.subscriber_count("s1") == 2
    assert bus.subscriber_count("s1") == 0
    assert bus._subscribers == {}


async def test_a_pending_seq_is_delivered_before_close_ends_the_stream():
    bus = MemoryBus()
    async with bus.subscribe("s1") as updates:
        await bus.publish("s1", 4)
        await bus.close()
        assert [seq async for seq in updates] == [4]


async def test_a_closed_bus_drops_publishes_and_gives_ended_subscriptions():
    bus = MemoryBus()
    await bus.close()
    await bus.publish("s1", 1)  # an action committing during shutdown must not fail
    async with bus.subscribe("s1") as updates:
        assert [seq async for seq in updates] == []
    assert bus.subscriber_count("s1") == 0


async def test_a_waiting_subscriber_wakes_when_another_task_publishes():
    bus = MemoryBus()
    received: list[int] = []
    async with bus.subscribe("s1") as updates, anyio.create_task_group() as tasks:

        async def listen() -> None:
            received.append(await anext(updates))

        tasks.start_soon(listen)
        await anyio.sleep(0.01)  # let the listener block on its wait
        await bus.publish("s1", 2)
    assert received == [2]
