"""A PostgreSQL restart mid-session: a clear 503 while it is down, nothing half-written,
no acknowledged note lost or doubled (issue 5, "Faults").

The cluster's private PostgreSQL is stopped (`pg_ctl stop -m fast`: open connections are
cut, as in a restart or a failover) while a host keeps posting notes to both servers.
While it is down, every request that needs the database must answer 503 with a
Retry-After header and a sentence (JSON under /api, an HTML page otherwise) within a few
seconds: never a 500, never a hang. Once it is back on the same port, posts succeed
again; a note that got a 503 is sent again with the same Idempotency-Key, as the host's
page does, and every note must be stored exactly once, however the outage cut it.
"""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from pollinate.actions.live import CONNECT_RETRY_PAUSES, transact
from pollinate.config import Settings
from pollinate.store.db import (
    PG_CONNECT_TIMEOUT_SECONDS,
    create_engine_for,
    database_unavailable,
    session_factory,
    upgrade,
)
from pollinate.web.app import create_app
from tests.e2e.conftest import Reply, ServerProcess, send
from tests.faults.conftest import (
    Cluster,
    Follower,
    Note,
    Notebook,
    PrivatePostgres,
    assert_caught_up_exactly,
    eventually,
)

ANSWER_SECONDS = 5.0  # a request while the database is down answers within this (no hang)
BACK_SECONDS = 15.0  # after the restart, writes succeed again within this
PACE_SECONDS = 0.05  # between the racing host's notes
CATCH_UP_SECONDS = 15.0


@pytest.mark.postgres
@pytest.mark.redis
def test_database_restart_answers_503_meanwhile_and_keeps_every_note_once(
    make_cluster: Callable[..., Cluster],
    follow: Callable[..., Follower],
    postgres_up: PrivatePostgres,
) -> None:
    cluster = make_cluster(heartbeat_seconds=1.0)
    a, b = cluster.a, cluster.b
    for action in ("start", "next"):  # round 1: notes are open
        assert cluster.control(a, action).status == 200
    first, second = cluster.hosts[:2]
    facilitator = cluster.tokens["facilitator"]
    pages = [follow("facilitator on A", cluster, a), follow("facilitator on B", cluster, b)]
    notebook = Notebook(cluster, round=1)
    for number in range(4):
        reply = notebook.post(notebook.new(first, f"before {number}"), (a, b)[number % 2])
        assert reply is not None
        assert reply.status == 201, reply

    # A host keeps typing through the outage; a note is sent once here, and again with
    # its key after the restart if it got no 2xx.
    typing = threading.Event()
    typing.set()

    def keep_posting() -> None:
        number = 0
        while typing.is_set():
            notebook.post(notebook.new(second, f"racing {number}"), (a, b)[number % 2])
            number += 1
            time.sleep(PACE_SECONDS)

    poster = threading.Thread(target=keep_posting)
    poster.start()
    try:
        eventually(lambda: len(notebook.acknowledged()) >= 8, 10, "racing notes acknowledged")
        postgres_up.stop("fast")
        # People act at once while it is down; each must have its answer within bounds.
        with ThreadPoolExecutor(5) as people:
            asked = [
                people.submit(timed, request)
                for request in (
                    lambda: notebook.post(notebook.new(first, "while down, on A"), a),
                    lambda: notebook.post(notebook.new(first, "while down, on B"), b),
                    lambda: cluster.control(a, "extend", minutes=1),
                    lambda: b.call("GET", cluster.api("/state"), token=facilitator),
                    lambda: page_request(b, facilitator),
                )
            ]
            *during, html_page = [future.result() for future in asked]
        # Down long enough for the racing host to get a 503. The pages' streams stay
        # open meanwhile (web/sse.py waits for the database at each heartbeat).
        eventually(
            lambda: any(503 in note.answers for note in notebook.notes if note.host == second),
            ANSWER_SECONDS * 2,
            "the racing host got a 503",
        )
        postgres_up.start()
        eventually(
            lambda: (r := notebook.post(notebook.new(first, "after"), a)) and r.status == 201,
            BACK_SECONDS,
            "a note is accepted again after the restart",
        )
    finally:
        typing.clear()
        poster.join(30)

    for reply, seconds in during:
        assert reply is not None
        assert reply.status == 503, f"{reply.status} {reply.text}"
        assert header(reply, "Retry-After").isdigit(), reply.headers
        assert reply.json()["detail"].endswith("."), reply.json()  # a sentence for people
        assert seconds < ANSWER_SECONDS, f"{seconds:.1f} s to answer with the database down"
    reply, seconds = html_page
    assert reply is not None
    assert reply.status == 503, f"{reply.status} {reply.text[:300]}"
    assert header(reply, "Content-Type").startswith("text/html"), reply.headers
    assert header(reply, "Retry-After").isdigit(), reply.headers
    assert "try again in a few seconds" in reply.text
    assert seconds < ANSWER_SECONDS

    # The host's page sends every unanswered note again, with the same key.
    for note in notebook.notes:
        if not note.acknowledged:
            resend(notebook, note)
    answers = {status for note in notebook.notes for status in note.answers}
    assert answers <= {201, 503}, f"answers other than 201 and 503: {answers}"
    notebook.assert_each_acknowledged_note_once()
    assert_caught_up_exactly(pages, CATCH_UP_SECONDS)
    # Each page rode out the outage on the stream it opened before it, without reconnecting.
    assert [len(page.connections) for page in pages] == [1, 1]


def header(reply: Reply, name: str) -> str:
    """A header of the reply, whatever the case of its name."""
    return next((v for k, v in reply.headers.items() if k.lower() == name.lower()), "")


def timed(request: Callable[[], Reply | None]) -> tuple[Reply | None, float]:
    started = time.monotonic()
    reply = request()
    return reply, time.monotonic() - started


def page_request(server: ServerProcess, token: str) -> Reply:
    """Open a link as a browser does: it asks for HTML."""
    return send(
        "GET",
        f"{server.base_url}/l/{token}",
        headers={"Accept": "text/html,application/xhtml+xml"},
        timeout=ANSWER_SECONDS * 2,
    )


def resend(notebook: Notebook, note: Note) -> None:
    servers = notebook.cluster.servers
    for attempt in range(4):
        reply = notebook.post(note, servers[attempt % 2])
        if reply is not None and reply.status == 201:
            return
    raise AssertionError(f"{note.text!r} was not accepted after the restart: {note.answers}")


# ── transact: what it retries and what it must not ───────────────────────────────────


class Refusals:
    """Makes the engine's next `count` connection attempts fail as a refused connect would."""

    def __init__(self, engine: Engine, count: int) -> None:
        self.left = count
        self.attempts = 0
        event.listen(engine, "do_connect", self.connect)

    def connect(self, *_: Any) -> None:
        self.attempts += 1
        if self.left > 0:
            self.left -= 1
            raise psycopg.OperationalError("connection failed: Connection refused (simulated)")


@pytest.fixture
def fresh_engine(postgres_up: PrivatePostgres) -> Iterator[Engine]:
    engine = create_engine_for(postgres_up.create_database())
    yield engine
    engine.dispose()


@pytest.mark.anyio
@pytest.mark.postgres
async def test_transact_tries_again_when_the_connection_is_refused_before_any_work(
    fresh_engine: Engine, anyio_backend: str
) -> None:
    refusals = Refusals(fresh_engine, count=2)
    ran: list[int] = []

    def work(db: Session) -> int:
        ran.append(1)
        return int(db.execute(text("SELECT 41 + 1")).scalar_one())

    assert await transact(session_factory(fresh_engine), work) == 42
    assert (refusals.attempts, len(ran)) == (3, 1)


@pytest.mark.anyio
@pytest.mark.postgres
async def test_transact_gives_up_within_a_second_or_so_and_the_error_reads_as_an_outage(
    fresh_engine: Engine, anyio_backend: str
) -> None:
    refusals = Refusals(fresh_engine, count=100)
    ran: list[int] = []
    started = time.monotonic()
    with pytest.raises(DBAPIError) as raised:
        await transact(session_factory(fresh_engine), lambda db: ran.append(1))
    assert time.monotonic() - started < ANSWER_SECONDS
    assert refusals.attempts == 1 + len(CONNECT_RETRY_PAUSES)
    assert ran == [], "work ran without a connection"
    assert database_unavailable(raised.value)


@pytest.mark.anyio
@pytest.mark.postgres
async def test_transact_never_runs_work_again_once_it_has_begun(
    fresh_engine: Engine, anyio_backend: str
) -> None:
    # The connection dies in the middle of the work, as when PostgreSQL stops: from here
    # on a commit may have happened, so it must not be retried (actions/live.py).
    ran: list[int] = []

    def work(db: Session) -> None:
        ran.append(1)
        db.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))

    with pytest.raises(DBAPIError) as raised:
        await transact(session_factory(fresh_engine), work)
    assert ran == [1]
    assert database_unavailable(raised.value), raised.value  # so the web answers 503


def test_only_outages_count_as_database_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
    with engine.begin() as setup:
        setup.execute(text("CREATE TABLE t (x INTEGER)"))
    holder = sqlite3.connect(path)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(DBAPIError) as locked, engine.begin() as db:
            db.execute(text("INSERT INTO t VALUES (1)"))
        with pytest.raises(DBAPIError) as missing, engine.connect() as db:
            db.execute(text("SELECT * FROM no_such_table"))
    finally:
        holder.close()
        engine.dispose()
    assert database_unavailable(locked.value), "another writer's lock is a passing outage"
    assert not database_unavailable(missing.value), "a missing table is a bug, not an outage"
    assert not database_unavailable(ValueError("nothing to do with the database"))


def test_a_database_error_that_is_no_outage_stays_a_500(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'broken.db'}"
    engine = create_engine_for(url)
    upgrade(engine)
    with engine.begin() as db:
        db.execute(text("DROP TABLE links"))  # a bug's stand-in: every link lookup fails
    app = create_app(
        Settings(db_url=url, secret_key=SecretStr("x" * 40), data_dir=tmp_path),
        engine=engine,
        cluster_in_helper=False,
    )
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            reply = client.get("/api/sessions/any/state", headers={"Authorization": "Bearer t"})
    finally:
        engine.dispose()
    assert reply.status_code == 500
    assert "Retry-After" not in reply.headers


def test_a_database_that_never_answers_gets_a_503_within_the_connect_timeout(
    tmp_path: Path,
) -> None:
    # A host that is gone without refusing (a failover in progress, a dropped route):
    # the kernel completes the handshake into the listen backlog, nothing ever answers.
    bound = PG_CONNECT_TIMEOUT_SECONDS + ANSWER_SECONDS
    answers: list[int] = []
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        engine = create_engine_for(f"postgresql://postgres@127.0.0.1:{port}/pollinate")
        app = create_app(Settings(secret_key=SecretStr("x" * 40), data_dir=tmp_path), engine=engine)

        def ask() -> None:
            # No `with`: the app's lifespan (upkeep) would wait on the same silent server.
            reply = TestClient(app).get(
                "/api/sessions/any/state", headers={"Authorization": "Bearer t"}
            )
            answers.append(reply.status_code)

        # On a thread, so that a hang fails the test instead of stalling the run; closing
        # the silent socket at the end of the block cuts a hung connect loose.
        asking = threading.Thread(target=ask, daemon=True)
        asking.start()
        asking.join(bound)
        hung = asking.is_alive()
    asking.join(ANSWER_SECONDS)
    engine.dispose()
    assert not hung, f"no answer within {bound} s with a database that never answers"
    assert answers == [503]
