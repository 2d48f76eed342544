from __future__ import annotations

import os
import secrets
import subprocess
import sys

import anyio
import pytest

from pollinate.errors import InputError
from pollinate.live.factory import bus_from_url
from pollinate.live.memory import MemoryBus
from pollinate.live.redis import RedisBus

WAIT = 5.0
QUIET = 0.2


@pytest.mark.parametrize("url", ["memory://", "memory:", " memory:// "])
def test_memory_urls_give_the_in_process_bus(url):
    assert isinstance(bus_from_url(url), MemoryBus)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("redis://127.0.0.1:6379/0", "127.0.0.1:6379"),
        ("redis://:pw@cache.internal/2", "cache.internal:6379"),
        ("rediss://cache.internal:6380", "cache.internal:6380"),
    ],
)
async def test_redis_urls_give_an_unconnected_redis_bus(url, address):
    bus = bus_from_url(url)
    assert isinstance(bus, RedisBus)
    assert bus.address == address
    assert bus.channel("s1") == "pollinate:s1"
    assert not bus.connected
    await bus.close()


@pytest.mark.anyio
async def test_the_channel_prefix_comes_from_the_url_and_is_not_passed_to_redis():
    bus = bus_from_url("redis://127.0.0.1:6379/0?channel_prefix=staging:&socket_timeout=2")
    assert isinstance(bus, RedisBus)
    assert bus.channel("s1") == "staging:s1"
    await bus.close()


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("kafka://admin:sekrit@broker:9092", "unknown bus scheme kafka://"),
        ("127.0.0.1:6379", "unknown bus scheme"),
        ("", "the bus URL is empty"),
        ("redis://:sekrit@cache:port/0", "cannot read the Redis URL"),
        ("redis://:sekrit@cache/0?socket_timout=1", "unknown setting"),
        ("redis://:sekrit@cache/0?socket_timeout=soon", "cannot read the Redis URL"),
    ],
)
def test_an_unusable_url_is_an_input_error_naming_the_setting(url, problem):
    with pytest.raises(InputError) as raised:
        bus_from_url(url)
    error = raised.value
    assert error.field == "POLLINATE_BUS_URL"
    assert problem in error.problem
    assert "memory://" in error.advice
    assert "redis://" in error.advice
    assert "sekrit" not in str(error)  # a URL's password never reaches a message


@pytest.mark.anyio
@pytest.mark.redis
async def test_deployments_sharing_a_redis_stay_apart_by_channel_prefix(redis_url):
    # Pub/sub ignores the database number, so the prefix is what keeps them apart.
    tag = secrets.token_hex(4)
    staging = bus_from_url(f"{redis_url}?channel_prefix=test-{tag}-staging:")
    production = bus_from_url(f"{redis_url}?channel_prefix=test-{tag}-production:")
    production_peer = bus_from_url(f"{redis_url}?channel_prefix=test-{tag}-production:")
    try:
        async with production.subscribe("s1") as updates:
            await staging.publish("s1", 1)
            with anyio.move_on_after(QUIET) as quiet:
                await anext(updates)
            assert quiet.cancelled_caught
            await production_peer.publish("s1", 2)
            with anyio.fail_after(WAIT):
                assert await anext(updates) == 2
    finally:
        for bus in (staging, production, production_peer):
            await bus.close()


def test_a_server_on_the_memory_bus_loads_no_redis_client(tmp_path):
    # redis-py is about 10 MB of a one-process server's memory, and it has no use for it;
    # QR codes (segno, 4 MB) wait for the first card or projector page too.
    script = (
        "import sys\n"
        "from pollinate.web.server import worker_app\n"
        "worker_app()\n"
        "print(sorted(name for name in ('redis', 'segno') if name in sys.modules))\n"
    )
    environment = {
        **os.environ,
        "POLLINATE_DB_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "POLLINATE_BUS_URL": "memory://",
        "POLLINATE_DATA_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
