"""A Redis restart mid-session loses no event and fails no action (issue 5, "Faults").

Redis only wakes workers up; the outbox in PostgreSQL is the truth (live/redis.py). So
while the cluster's private Redis is down, notes and facilitator commands must keep
answering 2xx on both servers (their wake-ups are dropped), and the open pages must stay
connected. Once Redis is back on its port, each worker's bus reconnects by itself and
wakes its streams to re-read the outbox (live/redis.py, "Reconnect rule"): the pages must
receive what happened meanwhile, and an action on A must reach a page on B through Redis
again.

The servers run with the longest heartbeat a stream honours (15 s, web/sse.py), so an
event that arrives within `WAKE_SECONDS` came through a Redis wake-up, not through the
stream's own periodic re-read of the outbox. Two outages, in this order:
- a blip: Redis is back within a moment, with only facilitator commands meanwhile. Notes
  come later on purpose: each one re-clusters the theme board two seconds on
  (actions/board.py), and that event's wake-up would hide a reconnect that woke nobody.
- an outage long enough for the bus to retry and fail, with notes and commands.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

import pytest

from tests.e2e.conftest import ServerProcess
from tests.faults.conftest import Cluster, Follower, Notebook, assert_caught_up_exactly, eventually

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

HEARTBEAT_SECONDS = 15.0
WAKE_SECONDS = 5.0  # well under the heartbeat: only a wake-up delivers this fast
# The bus retries with backoff doubling from 0.1 s to 5 s; 20 s covers several attempts.
RECONNECT_SECONDS = 20.0
ANSWER_SECONDS = 5.0  # an action while Redis is down must not wait for it
# What live/redis.py logs; the test waits for these lines rather than sleeping.
LOST = "Redis bus lost its connection"
FAILED_TWICE = "Redis bus reconnect attempt 2 "
RECONNECTED = "Redis bus reconnected"


def test_actions_succeed_while_redis_is_down_and_pages_catch_up_after_its_restart(
    make_cluster: Callable[..., Cluster], follow: Callable[..., Follower]
) -> None:
    cluster = make_cluster(heartbeat_seconds=HEARTBEAT_SECONDS)
    a, b = cluster.a, cluster.b
    for action in ("start", "next"):  # round 1: notes are open
        assert cluster.control(a, action).status == 200
    host = cluster.hosts[0]
    patient = HEARTBEAT_SECONDS + 10  # a quiet stream sends only a heartbeat comment
    console_on_a = follow("facilitator on A", cluster, a, read_timeout=patient)
    console_on_b = follow("facilitator on B", cluster, b, read_timeout=patient)
    host_on_b = follow(f"host of {host.table} on B", cluster, b, host=host, read_timeout=patient)
    pages = [console_on_a, console_on_b, host_on_b]
    notebook = Notebook(cluster, round=1)

    # Before: an action on A reaches B through Redis.
    assert cluster.control(a, "broadcast", message="Before the blip").status == 200
    console_on_b.catch_up(WAKE_SECONDS)

    # The blip: down and back at once; commands meanwhile are heard after the reconnect.
    before = lines_logged(a, b)
    cluster.redis.stop()
    for server in (a, b):
        assert cluster.control(server, "extend", minutes=1).status == 200
    cluster.redis.start()
    wait_for_new_line(RECONNECTED, before)
    for page in pages:
        page.catch_up(WAKE_SECONDS)

    # The outage: the bus notices, retries and fails; notes and commands still succeed.
    before = lines_logged(a, b)
    cluster.redis.stop()
    wait_for_new_line(LOST, before)
    for number in range(6):
        server = (a, b)[number % 2]
        started = time.monotonic()
        reply = notebook.post(notebook.new(host, f"while down {number}"), server)
        assert reply is not None
        assert reply.status == 201, f"note: {reply.status} {reply.text}"
        assert cluster.control(server, "extend", minutes=1).status == 200
        took = time.monotonic() - started
        assert took < ANSWER_SECONDS, f"a note and an action took {took:.1f} s, Redis down"
    wait_for_new_line(FAILED_TWICE, before)
    cluster.redis.start()
    wait_for_new_line(RECONNECTED, before)
    for page in pages:
        page.catch_up(WAKE_SECONDS)

    # After: an action and a note on A reach the pages on B through Redis again.
    assert cluster.control(a, "broadcast", message="After the restart").status == 200
    console_on_b.catch_up(WAKE_SECONDS)
    reply = notebook.post(notebook.new(host, "after the restart"), a)
    assert reply is not None
    assert reply.status == 201
    host_on_b.catch_up(WAKE_SECONDS)

    assert_caught_up_exactly(pages, WAKE_SECONDS)
    for page in pages:
        assert len(page.connections) == 1, f"{page.name} lost its stream: {page.connections}"
    notebook.assert_each_acknowledged_note_once()


def lines_logged(*servers: ServerProcess) -> list[tuple[ServerProcess, str]]:
    """What each server has logged so far, to wait for what it logs next."""
    return [(server, server.printed()) for server in servers]


def wait_for_new_line(line: str, before: list[tuple[ServerProcess, str]]) -> None:
    """Wait until every server has logged `line` once more than in `before` (bounded)."""
    for server, printed in before:
        eventually(
            partial(logged_more, server, line, printed.count(line)),
            RECONNECT_SECONDS,
            f"the server on port {server.port} logs {line!r} again:\n{server.output()}",
        )


def logged_more(server: ServerProcess, line: str, count: int) -> bool:
    return server.printed().count(line) > count
