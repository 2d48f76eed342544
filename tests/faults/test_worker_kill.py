"""A worker killed mid-session costs no event and no note (issue 5, "Faults").

Two `pollinate serve` processes, A and B, share a private PostgreSQL and a private Redis.
Live pages follow the session on both; two hosts post notes (with Idempotency-Key) while
the facilitator broadcasts and extends the timer; then A gets SIGKILL (no shutdown hook
runs, as in a crash or an OOM kill). The pages that were on A reconnect to B with their
Last-Event-ID, as EventSource does, and must end up with every event they may receive
exactly once and in order. A request the kill cut off is sent again to B with the same
key, as the host's page would; every note answered 2xx must be stored exactly once.
"""

from __future__ import annotations

import http.client
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import ServerProcess
from tests.faults.conftest import (
    Cluster,
    Follower,
    Note,
    Notebook,
    assert_caught_up_exactly,
    eventually,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

NOTES_PER_HOST = 12
KILL_AFTER_ACKNOWLEDGED = 8
ATTEMPTS = 5  # per request: one cut off by the kill goes again, to the next live server
PACE_SECONDS = 0.05  # between one host's notes, so the kill lands amid the traffic
CATCH_UP_SECONDS = 15.0  # heartbeat 1 s, retry 0.2 s: a hang fails this, not a slow machine


def test_pages_on_a_killed_worker_resume_on_another_and_miss_no_event(
    make_cluster: Callable[..., Cluster], follow: Callable[..., Follower]
) -> None:
    cluster = make_cluster(heartbeat_seconds=1.0)
    a, b = cluster.a, cluster.b
    for action in ("start", "next"):  # the introduction, then round 1: notes are open
        act(cluster, a, action)
    first, second = cluster.hosts[:2]
    console_on_a = follow("facilitator on A", cluster, a)
    host_on_a = follow(f"host of {first.table} on A", cluster, a, host=first)
    console_on_b = follow("facilitator on B", cluster, b)
    notebook = Notebook(cluster, round=1)

    def paced_host_and_facilitator() -> None:
        for number in range(NOTES_PER_HOST):
            deliver(notebook, notebook.new(first, f"paced {number}"), prefer=(a, b)[number % 2])
            time.sleep(PACE_SECONDS)
            if number % 3 == 2:  # the facilitator acts between notes, on both servers
                act(cluster, a, "broadcast", message=f"Broadcast {number}")
                act(cluster, b, "extend", minutes=1)

    def hurried_host() -> None:
        # No pause, always to A first: the likeliest to have a request cut off by the kill.
        for number in range(NOTES_PER_HOST):
            deliver(notebook, notebook.new(second, f"hurried {number}"), prefer=a)

    problems: list[str] = []
    writers = [
        threading.Thread(target=reporting(job, problems))
        for job in (paced_host_and_facilitator, hurried_host)
    ]
    for writer in writers:
        writer.start()
    # Kill A mid-session: notes acknowledged, and its pages past the first events.
    eventually(
        lambda: (
            bool(problems)
            or (len(notebook.acknowledged()) >= KILL_AFTER_ACKNOWLEDGED and host_on_a.last() > 2)
        ),
        30,
        f"{KILL_AFTER_ACKNOWLEDGED} notes acknowledged and shown on A before the kill",
    )
    a.kill()
    for writer in writers:
        writer.join(60)
        assert not writer.is_alive(), "a host kept posting for over a minute"
    assert not problems, f"{problems}\n{cluster.output()}"
    assert a.popen.returncode == -signal.SIGKILL

    act(cluster, b, "broadcast", message="After the kill")  # B carries on alone
    assert_caught_up_exactly([console_on_a, host_on_a, console_on_b], CATCH_UP_SECONDS)
    everything = console_on_b.expected()
    assert everything == list(range(1, len(everything) + 1)), "the facilitator misses some"
    for follower in (console_on_a, host_on_a):
        moved = [c for c in follower.connections if c.port == b.port and c.status == 200]
        assert moved, f"{follower.name} never reached B: {follower.connections}"
        assert moved[0].last_event_id, f"{follower.name} came to B without Last-Event-ID"
    assert len(notebook.acknowledged()) == 2 * NOTES_PER_HOST, [n.answers for n in notebook.notes]
    notebook.assert_each_acknowledged_note_once()


def deliver(notebook: Notebook, note: Note, *, prefer: ServerProcess) -> None:
    """Post until a 2xx, as a host's page would: a cut-off request goes again, same key."""
    servers = notebook.cluster.servers
    server = prefer
    for _ in range(ATTEMPTS):
        reply = notebook.post(note, server)
        if reply is not None and 200 <= reply.status < 300:
            return
        assert reply is None or reply.status >= 500, f"note: {reply.status} {reply.text}"
        server = servers[(servers.index(server) + 1) % len(servers)]
    raise AssertionError(f"{note.text!r} was not acknowledged in {ATTEMPTS} tries: {note.errors}")


def act(cluster: Cluster, prefer: ServerProcess, action: str, **fields: Any) -> None:
    """A facilitator command; one cut off by the kill is pressed again on a live server."""
    servers = cluster.servers
    server = prefer
    for _ in range(ATTEMPTS):
        try:
            reply = cluster.control(server, action, **fields)
        except (OSError, http.client.HTTPException):
            server = servers[(servers.index(server) + 1) % len(servers)]
            continue
        assert reply.status == 200, f"{action}: {reply.status} {reply.text}"
        return
    raise AssertionError(f"{action} was not accepted in {ATTEMPTS} tries")


def reporting(job: Callable[[], None], problems: list[str]) -> Callable[[], None]:
    """`job` for a thread: what goes wrong lands in `problems`, for the test to report."""

    def run() -> None:
        try:
            job()
        except Exception as error:  # the test reports it; a thread's traceback is lost
            problems.append(f"{type(error).__name__}: {error}")

    return run
