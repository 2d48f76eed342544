"""Fault fixtures: a two-server cluster on a PostgreSQL and a Redis of its own (issue 5).

    private_postgres (one cluster per xdist worker, in a temp folder, run as `postgres`)
    private_redis    (one redis-server per test, nothing saved)
        │  both can be stopped and started again on the SAME port, as an operator's
        │  restart would; the machine's shared 5432 and 6379 are never touched
        ▼
    make_cluster(heartbeat_seconds) ─▶ a fresh database, migrated
        ├─ `pollinate session create` (small roster)    ┐ at the same time,
        ├─ server A: `pollinate serve --db … --bus …`   │ so a cluster is up in
        └─ server B: the same command, another port     ┘ a few seconds
    Cluster.call(...)     one request through the "load balancer": the server asked for
                          first, the next live one when it refuses the connection
    Follower              a live page: an SSE stream read on a thread that reconnects the
                          way EventSource does (same URL, `Last-Event-ID` header)
    Notebook              notes posted with Idempotency-Key, and every answer each got

What the fault tests assert at the end: `assert_caught_up_exactly`, each page saw every
event it may receive once and in order (`Cluster.expected_seqs`: the outbox filtered by
the same `core.events.receives` the server applies), and
`Notebook.assert_each_acknowledged_note_once`, each note answered 2xx is listed once and
every listed note has its `note.added` event (nothing half-written).

PostgreSQL refuses to run as root, so as root its tools run through `runuser -u postgres`,
with the temp folder (data and socket) owned by that user. Outside CI a missing binary
skips these tests with a hint; with CI=true it fails them (`require_service`).
"""

from __future__ import annotations

import contextlib
import csv
import glob
import http.client
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest
import redis
from sqlalchemy import Engine

from pollinate.actions.live import load_live
from pollinate.core.events import event_from_payload, receives
from pollinate.core.roles import Role
from pollinate.store import outbox
from pollinate.store.db import create_engine_for, session_factory, upgrade
from tests.conftest import require_service
from tests.e2e.conftest import ROOT, Reply, ServerProcess, free_port, send, start_server

T = TypeVar("T")

REDIS_SERVER = Path(os.environ.get("POLLINATE_TEST_REDIS_SERVER", "/usr/bin/redis-server"))
REDIS_BINARY_HINT = (
    "install redis-server (apt-get install redis-server), or point "
    "POLLINATE_TEST_REDIS_SERVER at its binary: the fault tests start and restart their own"
)
POSTGRES_BINARY_HINT = (
    "install PostgreSQL's server binaries (apt-get install postgresql): the fault tests run "
    "initdb and pg_ctl from /usr/lib/postgresql/*/bin to start and restart their own cluster"
)
SESSION_FILE = ROOT / "src" / "pollinate" / "examples" / "igf-world-cafe.yaml"
ROSTER = ROOT / "examples" / "roster-small.csv"

# Generous bounds that catch a hang, never speed figures.
SERVICE_START_SECONDS = 20.0
HTTP_SECONDS = 10.0


def eventually(check: Callable[[], T | None], seconds: float, what: str) -> T:
    """Poll `check` every 50 ms until it returns something truthy, and return that."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds:g} s: {what}")
        time.sleep(0.05)


def marker() -> str:
    """Ten random letters that make a note's text unique (digits could be redacted)."""
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(10))


# ── a Redis of our own ────────────────────────────────────────────────────────────────


class PrivateRedis:
    """A `redis-server` on a free port, storing nothing, that a test may restart."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.popen: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start on `port` (the same one every time) and return once it answers PING."""
        self.starts += 1
        log = self.folder / f"redis-{self.starts}.log"
        with log.open("wb") as sink:
            self.popen = subprocess.Popen(
                [
                    *(str(REDIS_SERVER), "--port", str(self.port), "--bind", "127.0.0.1"),
                    *("--save", "", "--appendonly", "no", "--daemonize", "no"),
                    *("--dir", str(self.folder)),
                ],
                stdout=sink,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

        def answers() -> bool:
            assert self.popen is not None
            if self.popen.poll() is not None:
                raise AssertionError(f"redis-server exited:\n{log.read_text(errors='replace')}")
            try:
                with redis.Redis(port=self.port, socket_connect_timeout=1) as client:
                    return bool(client.ping())
            except redis.RedisError:
                return False

        eventually(answers, SERVICE_START_SECONDS, f"redis-server on port {self.port} answers")

    def stop(self) -> None:
        """SIGTERM, as a service manager's restart sends; wait until it has exited."""
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(SERVICE_START_SECONDS)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(SERVICE_START_SECONDS)


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    usable = REDIS_SERVER.is_file() and os.access(REDIS_SERVER, os.X_OK)
    require_service(f"redis-server at {REDIS_SERVER}", usable, REDIS_BINARY_HINT)
    folder = tmp_path / "redis"
    folder.mkdir()
    server = PrivateRedis(folder)
    start_on_a_free_port(server)
    yield server
    server.stop()


def start_on_a_free_port(server: PrivateRedis | PrivatePostgres) -> None:
    """The first start: another process may take the free port before the server binds
    it, so try twice more on other ports. Restarts keep the port the first start got."""
    for attempt in range(3):
        try:
            server.start()
            return
        except AssertionError:
            if attempt == 2:
                raise
            server.port = free_port()


# ── a PostgreSQL of our own ───────────────────────────────────────────────────────────


def postgres_bin() -> Path | None:
    """The newest PostgreSQL server binaries installed, or None."""
    found = sorted(
        (Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")),
        key=lambda folder: int(folder.parent.name) if folder.parent.name.isdigit() else 0,
    )
    return found[-1] if found and (found[-1] / "initdb").is_file() else None


class PrivatePostgres:
    """A PostgreSQL cluster in a temp folder, on a free port, that a test may restart.

    Trust auth for user postgres over 127.0.0.1 only. fsync stays on: a restart must keep
    whatever was committed, as on a real server.
    """

    def __init__(self, bin: Path, folder: Path) -> None:
        self.bin = bin
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def server_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            [*self.as_postgres, *args],
            capture_output=True,
            text=True,
            timeout=SERVICE_START_SECONDS + 10,
            check=False,
        )
        if done.returncode != 0:
            log = self.folder / "postgres.log"
            printed = log.read_text(errors="replace")[-4000:] if log.exists() else ""
            raise AssertionError(f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}{printed}")

    def init(self) -> None:
        # --no-sync only speeds up initdb's own writes; the server runs with fsync on.
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )

    def start(self) -> None:
        """Start on `port` (the same one every time); returns once it accepts connections."""
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "postgres.log"),
            "-w",
            "-t",
            str(int(SERVICE_START_SECONDS)),
            "-o",
            options,
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        """`pg_ctl stop -m fast`: open connections are cut, committed work is kept."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        try:
            with psycopg.connect(self.server_url, connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def create_database(self) -> str:
        name = f"faults_{secrets.token_hex(4)}"
        with psycopg.connect(self.server_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')  # name is ours: no injection
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"


@pytest.fixture(scope="session")
def private_postgres() -> Iterator[PrivatePostgres]:
    """One cluster per xdist worker; each test makes its own database on it."""
    bin = postgres_bin()
    usable = bin is not None
    if usable and os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            usable = False  # root must hand the server to this user, and there is none
        usable = usable and shutil.which("runuser") is not None
    require_service("PostgreSQL server binaries (initdb, pg_ctl)", usable, POSTGRES_BINARY_HINT)
    assert bin is not None
    # Not under pytest's tmp folder: that is private to root, and the server runs as postgres.
    folder = Path(tempfile.mkdtemp(prefix="pollinate-faults-pg-"))
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
    server = PrivatePostgres(bin, folder)
    try:
        server.init()
        start_on_a_free_port(server)
        yield server
    finally:
        with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
            server.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_up(private_postgres: PrivatePostgres) -> Iterator[PrivatePostgres]:
    """The private cluster, running now and again after the test (which may stop it)."""
    if not private_postgres.running():
        private_postgres.start()
    yield private_postgres
    if not private_postgres.running():
        private_postgres.start()


# ── the cluster ───────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Host:
    """A table host's personal link, read from the link sheet."""

    table: str
    token: str


@dataclass
class Cluster:
    """Two `pollinate serve` processes, A and B, on one database and one Redis."""

    session_id: str
    tokens: dict[str, str]
    hosts: list[Host]
    servers: list[ServerProcess]
    redis: PrivateRedis
    engine: Engine  # the test's own view of the database, to check what is stored

    @property
    def a(self) -> ServerProcess:
        return self.servers[0]

    @property
    def b(self) -> ServerProcess:
        return self.servers[1]

    def api(self, rest: str = "") -> str:
        return f"/api/sessions/{self.session_id}{rest}"

    def call(
        self,
        method: str,
        path: str,
        *,
        prefer: ServerProcess,
        token: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[ServerProcess, Reply]:
        """One request as a load balancer routes it: to `prefer`, else to the next server
        that accepts the connection. Errors after the connection was made are the caller's.
        """
        start = self.servers.index(prefer)
        order = self.servers[start:] + self.servers[:start]
        for server in order:
            try:
                reply = send(
                    method,
                    server.base_url + path,
                    token=token,
                    body=body,
                    headers=headers,
                    timeout=HTTP_SECONDS,
                )
            except urllib.error.URLError as error:
                if isinstance(error.reason, ConnectionRefusedError):
                    continue  # nothing listens there: the request never reached a server
                raise
            return server, reply
        raise ConnectionRefusedError(f"no server of the cluster accepts connections: {path}")

    def control(self, server: ServerProcess, action: str, **fields: Any) -> Reply:
        """A facilitator command; the reply whatever it is (the caller asserts)."""
        _, reply = self.call(
            "POST",
            self.api("/control"),
            prefer=server,
            token=self.tokens["facilitator"],
            body={"action": action, **fields},
        )
        return reply

    def notes(self) -> list[dict[str, Any]]:
        """Every note of the session as the rapporteur's API lists it (any live server)."""
        live = next(server for server in self.servers if server.popen.poll() is None)
        _, reply = self.call(
            "GET", self.api("/notes"), prefer=live, token=self.tokens["rapporteur"]
        )
        assert reply.status == 200, f"notes: {reply.status} {reply.text}"
        notes: list[dict[str, Any]] = reply.json()
        return notes

    def expected_seqs(self, role: Role, table: str | None = None) -> list[int]:
        """The seqs a stream of `role` (at `table`) must carry: the whole outbox, filtered
        by the same `core.events.receives` the server applies."""
        with session_factory(self.engine)() as db:
            spec = load_live(db, self.session_id).spec
            logged = outbox.since(db, self.session_id, 0, limit=1_000_000)
        return [
            event.seq
            for event in logged
            if receives(
                event_from_payload(event.type, event.payload), role=role, table=table, spec=spec
            )
        ]

    def output(self) -> str:
        return "\n\n".join(server.output() for server in self.servers)


def _links_from_sheet(path: Path) -> list[Host]:
    with path.open(encoding="utf-8-sig", newline="") as sheet:
        rows = list(csv.DictReader(sheet))
    return [
        Host(row["table"], row["link"].rsplit("/l/", 1)[1]) for row in rows if row["role"] == "host"
    ]


@pytest.fixture
def make_cluster(
    postgres_up: PrivatePostgres, private_redis: PrivateRedis, tmp_path: Path
) -> Iterator[Callable[..., Cluster]]:
    """A factory of clusters (one per test is the use); every server stops at teardown."""
    started: list[ServerProcess] = []
    engines: list[Engine] = []

    def make(heartbeat_seconds: float = 1.0) -> Cluster:
        db_url = postgres_up.create_database()
        upgrade(db_url)  # once, before three processes would race to do it
        env = {
            # One secret for every process: link fingerprints and CSRF tokens must agree.
            "POLLINATE_SECRET_KEY": secrets.token_urlsafe(32),
            "POLLINATE_HEARTBEAT_SECONDS": str(heartbeat_seconds),
            "POLLINATE_DATA_DIR": str(tmp_path),
        }
        serve = ["serve", "--db", db_url, "--bus", private_redis.url]
        sheet = tmp_path / "links.csv"
        create = [sys.executable, "-m", "pollinate", "session", "create"]
        create += [str(SESSION_FILE), str(ROSTER), "--db", db_url, "--time-limit", "2"]
        create += ["--links-csv", str(sheet)]
        with ThreadPoolExecutor(3) as pool:
            creating = pool.submit(
                subprocess.run,
                create,
                capture_output=True,
                text=True,
                cwd=tmp_path,
                env={**os.environ, **env},
                timeout=120,
                check=False,
            )
            launching = [pool.submit(start_server, serve, tmp_path / name, env) for name in "ab"]
            servers = []
            for future in launching:
                with contextlib.suppress(BaseException):
                    servers.append(future.result())
            started.extend(servers)
            for future in launching:
                future.result()  # re-raises the failure, with the server's output
            created = creating.result()
        assert created.returncode == 0, f"session create failed:\n{created.stderr}"
        document = json.loads(created.stdout)
        hosts = _links_from_sheet(sheet)
        assert len(hosts) >= 2, f"the roster has fewer than two hosts: {hosts}"
        engines.append(create_engine_for(db_url))
        return Cluster(
            document["session_id"], document["tokens"], hosts, servers, private_redis, engines[-1]
        )

    yield make
    for server in started:
        server.stop()
    for engine in engines:
        engine.dispose()


# ── a live page ───────────────────────────────────────────────────────────────────────


@dataclass
class Connection:
    """One attempt of a follower: where, with which Last-Event-ID, and what it answered."""

    port: int
    last_event_id: int | None
    status: int | None  # None: refused, or cut before an answer


@dataclass
class Follower:
    """A live page's event stream, read on its own thread.

    Like EventSource it connects once with `?last_event_id=0` and, whenever the stream
    ends or breaks, waits `retry_seconds` and opens the same URL again with a
    `Last-Event-ID` header; like live.js it also tries again after an error status. A
    refused connection moves it to the next server, as a load balancer would.
    """

    name: str
    cluster: Cluster
    server: ServerProcess
    role: Role
    token: str
    table: str | None
    read_timeout: float
    retry_seconds: float = 0.2
    seqs: list[int] = field(default_factory=list)
    resyncs: list[str] = field(default_factory=list)
    connections: list[Connection] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._changed = threading.Condition()
        self._socket: socket.socket | None = None
        self._thread = threading.Thread(target=self._run, name=f"follower {self.name}")

    def start(self) -> Follower:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        sock = self._socket
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked read
        self._thread.join(10)
        assert not self._thread.is_alive(), f"{self.name} did not stop"

    def expected(self) -> list[int]:
        """What this page must have received by now, per the outbox."""
        return self.cluster.expected_seqs(self.role, self.table)

    def last(self) -> int:
        with self._changed:
            return self.seqs[-1] if self.seqs else 0

    def catch_up(self, seconds: float) -> None:
        """Return once the newest event this page may receive (as of now) has arrived."""
        expected = self.expected()
        newest = expected[-1] if expected else 0
        with self._changed:
            arrived = self._changed.wait_for(lambda: self.last() >= newest, seconds)
        assert arrived, (
            f"{self.name} did not receive seq {newest} within {seconds:g} s; it saw up to "
            f"{self.last()}; connections {self.connections}; failures {self.failures[-5:]}"
        )

    def wait_connected(self, seconds: float = HTTP_SECONDS) -> None:
        with self._changed:
            ok = self._changed.wait_for(
                lambda: any(c.status == 200 for c in self.connections), seconds
            )
        assert ok, f"{self.name} never connected: {self.connections} {self.failures}"

    # ── the thread ──

    def _run(self) -> None:
        servers = self.cluster.servers
        index = servers.index(self.server)
        while not self._stop.is_set():
            server = servers[index]
            last = self.last() if self.seqs else None
            try:
                self._follow(server, last)
            except ConnectionRefusedError:
                self._record(Connection(server.port, last, None))
                index = (index + 1) % len(servers)  # the load balancer routes elsewhere
            except (OSError, http.client.HTTPException, ValueError) as error:
                if not self._stop.is_set():
                    self.failures.append(f"{server.port}: {type(error).__name__}: {error}")
            except Exception as error:  # a thread must not die silently
                self.failures.append(f"unexpected {type(error).__name__}: {error}")
                return
            self._stop.wait(self.retry_seconds)

    def _record(self, connection: Connection) -> None:
        with self._changed:
            self.connections.append(connection)
            self._changed.notify_all()

    def _follow(self, server: ServerProcess, last: int | None) -> None:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "text/event-stream"}
        if last is not None:
            headers["Last-Event-ID"] = str(last)
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=self.read_timeout)
        try:
            connection.connect()
            self._socket = connection.sock
            if self._stop.is_set():
                return
            connection.request("GET", self.cluster.api("/events?last_event_id=0"), headers=headers)
            response = connection.getresponse()
            self._record(Connection(server.port, last, response.status))
            if response.status != 200:
                response.read()
                return
            self._read(response)
        finally:
            self._socket = None
            connection.close()

    def _read(self, response: http.client.HTTPResponse) -> None:
        fields: dict[str, str] = {}
        while not self._stop.is_set():
            raw = response.readline()
            if not raw:
                return  # the stream ended
            line = raw.decode("utf-8").rstrip("\r\n")
            if line:
                name, _, value = line.partition(":")
                if name:  # a line starting with ":" is a comment (the heartbeat)
                    fields[name] = value.removeprefix(" ")
                continue
            if "id" in fields and "data" in fields:
                with self._changed:
                    if fields.get("event") == "resync":
                        self.resyncs.append(fields["data"])
                    else:
                        self.seqs.append(int(fields["id"]))
                    self._changed.notify_all()
            fields = {}


@pytest.fixture
def follow() -> Iterator[Callable[..., Follower]]:
    """Open a page's stream on a server: the facilitator's, or a host's with `host=`.

    Returns once the stream has answered 200; every follower is stopped at teardown.
    """
    started: list[Follower] = []

    def start(
        name: str,
        cluster: Cluster,
        server: ServerProcess,
        *,
        host: Host | None = None,
        read_timeout: float = 10.0,
    ) -> Follower:
        if host is None:
            role, token, table = Role.FACILITATOR, cluster.tokens["facilitator"], None
        else:
            role, token, table = Role.HOST, host.token, host.table
        follower = Follower(name, cluster, server, role, token, table, read_timeout)
        started.append(follower.start())
        follower.wait_connected()
        return follower

    yield start
    for follower in started:
        follower.stop()


def assert_caught_up_exactly(followers: list[Follower], seconds: float) -> None:
    """Wait until every follower has received exactly what the outbox says it may, every
    event once and in order, and never a resync; then say precisely what differs.

    Polled rather than checked once: a theme board re-clustered a moment after the last
    note (actions/board.py) may still append an event, which the pages then receive.
    """
    expected: dict[str, list[int]] = {}

    def all_current() -> bool:
        expected.update({f.name: f.expected() for f in followers})
        return all(list(f.seqs) == expected[f.name] for f in followers)

    with contextlib.suppress(AssertionError):
        eventually(all_current, seconds, "every page caught up")
    for follower in followers:
        seen, wanted = list(follower.seqs), expected[follower.name]
        duplicates = sorted({seq for seq in seen if seen.count(seq) > 1})
        missing = sorted(set(wanted) - set(seen))
        extra = sorted(set(seen) - set(wanted))
        assert not follower.resyncs, f"{follower.name} was told to resync: {follower.resyncs}"
        assert (duplicates, missing, extra) == ([], [], []), (
            f"{follower.name}: duplicates {duplicates}, missing {missing}, unexpected {extra}; "
            f"connections {follower.connections}; failures {follower.failures[-5:]}"
        )
        assert seen == wanted, f"{follower.name} saw events out of order: {seen}"


# ── notes ─────────────────────────────────────────────────────────────────────────────


@dataclass
class Note:
    """One note a host means to post, with its Idempotency-Key and every answer it got."""

    host: Host
    text: str
    key: str = field(default_factory=lambda: secrets.token_hex(16))
    answers: list[int] = field(default_factory=list)  # 0: no answer (connection cut)
    errors: list[str] = field(default_factory=list)  # why each 0 came

    @property
    def acknowledged(self) -> bool:
        return any(200 <= status < 300 for status in self.answers)


@dataclass
class Notebook:
    """The notes of a test: each posted (and retried) with its own Idempotency-Key."""

    cluster: Cluster
    round: int
    notes: list[Note] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def new(self, host: Host, label: str) -> Note:
        note = Note(host, f"{label} {marker()}")
        with self.lock:
            self.notes.append(note)
        return note

    def post(self, note: Note, server: ServerProcess) -> Reply | None:
        """Send (or resend) `note`; None when no answer came (connection cut or refused)."""
        try:
            _, reply = self.cluster.call(
                "POST",
                self.cluster.api("/notes"),
                prefer=server,
                token=note.host.token,
                body={"round": self.round, "table": note.host.table, "text": note.text},
                headers={"Idempotency-Key": note.key},
            )
        except (OSError, http.client.HTTPException) as error:
            note.answers.append(0)
            note.errors.append(f"{server.port}: {type(error).__name__}: {error}")
            return None
        note.answers.append(reply.status)
        return reply

    def acknowledged(self) -> list[Note]:
        with self.lock:
            return [note for note in self.notes if note.acknowledged]

    def assert_each_acknowledged_note_once(self) -> None:
        """Every note answered 2xx is listed exactly once, and no note is half-written:
        the notes listed and the `note.added` events logged are the same notes."""
        listed = self.cluster.notes()
        texts = [note["text"] for note in listed]
        wrong = {
            note.text: texts.count(note.text)
            for note in self.acknowledged()
            if texts.count(note.text) != 1
        }
        assert not wrong, f"acknowledged notes not present exactly once (text: count): {wrong}"
        with session_factory(self.cluster.engine)() as db:
            logged = outbox.since(db, self.cluster.session_id, 0, limit=1_000_000)
        announced = sorted(e.payload["note_id"] for e in logged if e.type == "note.added")
        assert announced == sorted(note["id"] for note in listed), "notes and events differ"
