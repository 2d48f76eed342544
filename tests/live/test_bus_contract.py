"""What every `Bus` promises, run against each implementation through the `bus` fixture.

Waits use generous timeouts because a networked bus (Redis) delivers asynchronously;
the memory bus answers at once.
"""

from __future__ import annotations

import anyio
import pytest

from pollinate.live.bus import Bus

pytestmark = pytest.mark.anyio

WAIT = 5.0  # seconds a delivery may take
QUIET = 0.2  # seconds of silence that count as "nothing arrived"


async def test_subscriber_wakes_with_the_published_seq(bus: Bus):
    async with bus.subscribe("s1") as updates:
        await bus.publish("s1", 1)
        with anyio.fail_after(WAIT):
            assert await anext(updates) == 1


async def test_every_subscriber_of_the_session_wakes(bus: Bus):
    async with bus.subscribe("s1") as a, bus.subscribe("s1") as b, bus.subscribe("s1") as c:
        await bus.publish("s1", 7)
        with anyio.fail_after(WAIT):
            assert [await anext(a), await anext(b), await anext(c)] == [7, 7, 7]


async def test_subscribers_of_other_sessions_stay_asleep(bus: Bus):
    async with bus.subscribe("s1") as mine, bus.subscribe("s2") as theirs:
        await bus.publish("s2", 1)
        with anyio.fail_after(WAIT):
            assert await anext(theirs) == 1
        with anyio.move_on_after(QUIET) as quiet:
            await anext(mine)
        assert quiet.cancelled_caught


async def test_publishes_before_a_read_end_on_the_newest_seq(bus: Bus):
    async with bus.subscribe("s1") as updates:
        for seq in (1, 2, 3):
            await bus.publish("s1", seq)
        seen: list[int] = []
        with anyio.fail_after(WAIT):
            while not seen or seen[-1] < 3:
                seen.append(await anext(updates))
    assert seen == sorted(set(seen))
    assert seen[-1] == 3


async def test_seqs_never_go_backwards(bus: Bus):
    async with bus.subscribe("s1") as updates:
        await bus.publish("s1", 5)
        with anyio.fail_after(WAIT):
            assert await anext(updates) == 5
        await bus.publish("s1", 3)  # a slower worker's older commit
        await bus.publish("s1", 6)
        with anyio.fail_after(WAIT):
            assert await anext(updates) == 6


async def test_a_new_subscriber_misses_earlier_publishes(bus: Bus):
    await bus.publish("s1", 1)
    async with bus.subscribe("s1") as updates:
        with anyio.move_on_after(QUIET) as quiet:
            await anext(updates)
        assert quiet.cancelled_caught


async def test_closing_the_bus_ends_every_subscription(bus: Bus):
    async with bus.subscribe("s1") as a, bus.subscribe("s2") as b:
        await bus.close()
        with anyio.fail_after(WAIT):
            assert [seq async for seq in a] == []
            assert [seq async for seq in b] == []
    await bus.publish("s1", 1)  # dropped, not an error: the event is in the outbox
    await bus.close()  # twice is fine
