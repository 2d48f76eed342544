"""`pollinate serve --workers 2` on PostgreSQL and Redis: one session, two processes.

The kernel hands each new connection to one of the workers, so the tests find out which
worker holds each stream (its socket, looked up in /proc) and then prove what crosses
between them: an action on one worker reaches streams on the other, a stream resumes with
`Last-Event-ID` on the other, one idempotency key sent to both makes one note, and a
killed worker is replaced while its clients reconnect and miss nothing.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PostgresServer
from tests.e2e.conftest import ServerProcess, send

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SESSION_FILE = ROOT / "examples" / "igf-world-cafe.yaml"
WAIT = 10.0  # seconds any awaited event may take before the test fails (a hang guard)


# ── a plain event-stream reader on its own socket and thread ──────────────────────────


@dataclass
class Frame:
    event: str
    id: int
    data: dict[str, Any]


@dataclass
class Reader:
    """One SSE connection; frames arrive on a thread, `ended` is set when it closes."""

    port: int
    path: str
    token: str
    last_event_id: int | None = None
    frames: list[Frame] = field(default_factory=list)
    ended: threading.Event = field(default_factory=threading.Event)
    # Set once the server sent its `retry:` line: the stream has taken its starting
    # position, so anything committed from now on reaches it.
    ready: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.socket = socket.create_connection(("127.0.0.1", self.port), timeout=WAIT * 3)
        resume = "" if self.last_event_id is None else f"Last-Event-ID: {self.last_event_id}\r\n"
        request = (
            f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
            f"Authorization: Bearer {self.token}\r\n{resume}\r\n"
        )
        self.socket.sendall(request.encode())
        self.client_port: int = self.socket.getsockname()[1]
        threading.Thread(target=self._read, daemon=True).start()
        if not self.ready.wait(WAIT):
            self.socket.close()
            raise AssertionError(f"the stream from port {self.client_port} never began")

    def _read(self) -> None:
        buffer = b""
        try:
            while chunk := self.socket.recv(65536):
                buffer += chunk
                while b"\n\n" in buffer:
                    text, buffer = buffer.split(b"\n\n", 1)
                    self._take(text.decode())
        except OSError:
            pass
        finally:
            self.ended.set()

    def _take(self, text: str) -> None:
        if "retry: " in text:
            self.ready.set()
        fields: dict[str, str] = {}
        for line in text.split("\n"):
            name, _, value = line.partition(": ")
            fields[name] = value
        if "id" in fields and "event" in fields and fields["id"].isdigit():
            frame = Frame(fields["event"], int(fields["id"]), json.loads(fields["data"]))
            with self.lock:
                self.frames.append(frame)

    def ids(self) -> list[int]:
        with self.lock:
            return [frame.id for frame in self.frames]

    def wait_for(self, seq: int) -> None:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if seq in self.ids():
                return
            time.sleep(0.02)
        raise AssertionError(f"stream on port {self.client_port} never got seq {seq}")

    def close(self) -> None:
        self.socket.close()


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (uvicorn's workers are its children)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except FileNotFoundError:  # a thread (or the process) that ended since the listing
            continue
        for child in children:
            found += [int(child), *descendants(int(child))]
    return found


def worker_of(server: ServerProcess, client_port: int) -> int:
    """The pid of the worker whose socket is connected to our `client_port`."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        inode = _server_side_inode(server.port, client_port)
        for pid in descendants(server.pid):
            try:
                links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
            except (FileNotFoundError, PermissionError):
                continue
            if inode and f"socket:[{inode}]" in links:
                return pid
        time.sleep(0.05)  # accepted but not yet seen in /proc: look again
    raise AssertionError(f"no worker holds the connection from port {client_port}")


def _server_side_inode(server_port: int, client_port: int) -> str | None:
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            parts = line.split()
            local, remote, inode = parts[1], parts[2], parts[9]
            if int(local.rsplit(":", 1)[1], 16) == server_port and (
                int(remote.rsplit(":", 1)[1], 16) == client_port
            ):
                return inode
    return None


# ── the cluster ───────────────────────────────────────────────────────────────────────


@dataclass
class Cluster:
    server: ServerProcess
    session_id: str
    tokens: dict[str, str]

    @property
    def events_path(self) -> str:
        return f"/api/sessions/{self.session_id}/events"

    def control(self, action: str, **body: Any) -> int:
        """A facilitator command; returns the seq of the last event it logged."""
        reply = self.server.call(
            "POST",
            f"/api/sessions/{self.session_id}/control",
            token=self.tokens["facilitator"],
            body={"action": action, **body},
        )
        assert reply.status == 200, f"{action}: {reply.status} {reply.text}"
        return self.latest_seq()

    def latest_seq(self) -> int:
        reply = self.server.call(
            "GET", f"/api/sessions/{self.session_id}/state", token=self.tokens["facilitator"]
        )
        seq: int = reply.json()["last_event_id"]
        return seq

    def stream(self, last_event_id: int | None = None) -> Reader:
        return Reader(self.server.port, self.events_path, self.tokens["facilitator"], last_event_id)

    def connections_to_both_workers(self) -> dict[int, http.client.HTTPConnection]:
        """One open connection to each worker, by worker pid."""
        connections: dict[int, http.client.HTTPConnection] = {}
        for _ in range(40):
            connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=WAIT)
            connection.connect()
            assert connection.sock is not None
            worker = worker_of(self.server, connection.sock.getsockname()[1])
            if worker in connections:
                connection.close()
            else:
                connections[worker] = connection
            if len(connections) == 2:
                return connections
        raise AssertionError("every connection landed on one worker")

    def streams_on_both_workers(self, readers: list[Reader]) -> dict[int, list[Reader]]:
        """Open streams until at least two workers hold some; readers grouped by worker."""
        by_worker: dict[int, list[Reader]] = {}
        for _ in range(40):
            reader = self.stream()
            readers.append(reader)
            by_worker.setdefault(worker_of(self.server, reader.client_port), []).append(reader)
            if len(by_worker) >= 2 and len(readers) >= 6:
                return by_worker
        raise AssertionError(f"40 streams all landed on one worker: {list(by_worker)}")


@pytest.fixture
def cluster(
    postgres_server: PostgresServer,
    redis_url: str,
    launch_server: Callable[..., ServerProcess],
    tmp_path: Path,
) -> Cluster:
    db_url = postgres_server.create_database()
    roster = tmp_path / "roster.csv"
    pollinate = [sys.executable, "-m", "pollinate"]
    subprocess.run([*pollinate, "roster", "generate", "-n", "40", "-o", str(roster)], check=True)
    created = subprocess.run(
        [*pollinate, "session", "create", str(SESSION_FILE), str(roster), "--db", db_url,
         "--links-csv", str(tmp_path / "links.csv"), "--time-limit", "2"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    document = json.loads(created.stdout)
    prefix = f"test-{uuid.uuid4().hex[:8]}:"  # this test's channels alone
    bus = f"{redis_url}?channel_prefix={prefix}"
    server = launch_server(
        ["serve", "--workers", "2", "--db", db_url, "--bus", bus],
        tmp_path,
        {"POLLINATE_DATA_DIR": str(tmp_path), "POLLINATE_HEARTBEAT_SECONDS": "2"},
    )
    # /healthz answers once one worker is up; the other may still be starting, and until
    # it is, the first takes every connection.
    deadline = time.monotonic() + 60
    while server.printed().count("Application startup complete") < 2:
        assert time.monotonic() < deadline, f"a worker never started:\n{server.output()}"
        time.sleep(0.1)
    return Cluster(server, document["session_id"], document["tokens"])


@pytest.fixture
def readers() -> Iterator[list[Reader]]:
    opened: list[Reader] = []
    yield opened
    for reader in opened:
        reader.close()


def test_an_action_on_one_worker_reaches_streams_on_every_worker(
    cluster: Cluster, readers: list[Reader]
):
    by_worker = cluster.streams_on_both_workers(readers)
    seq = cluster.control("start")
    for reader in readers:
        reader.wait_for(seq)
    assert all(len(group) >= 1 for group in by_worker.values())
    assert {frame.event for reader in readers for frame in reader.frames} == {"block.started"}


def test_a_stream_resumes_with_last_event_id_on_the_other_worker(
    cluster: Cluster, readers: list[Reader]
):
    by_worker = cluster.streams_on_both_workers(readers)
    first = cluster.control("start")
    leaving = next(iter(by_worker.values()))[0]
    leaving.wait_for(first)
    left_worker = worker_of(cluster.server, leaving.client_port)
    leaving.close()
    missed = [cluster.control("broadcast", message=f"message {n}") for n in range(3)]
    for _ in range(40):
        resumed = cluster.stream(last_event_id=first)
        readers.append(resumed)
        if worker_of(cluster.server, resumed.client_port) != left_worker:
            break
    else:
        raise AssertionError("every reconnection landed on the worker the stream left")
    resumed.wait_for(missed[-1])
    assert resumed.ids() == missed


def test_one_idempotency_key_sent_to_both_workers_makes_one_note(
    cluster: Cluster, readers: list[Reader]
):
    cluster.control("start")
    cluster.control("next")  # round 1: notes are taken while their round is on
    host = send(
        "GET",
        f"{cluster.server.base_url}/api/sessions/{cluster.session_id}/state",
        token=cluster.tokens["host"],
    ).json()["my"]
    connections = cluster.connections_to_both_workers()
    body = json.dumps({"round": host["round"], "table": host["table"], "text": "Map the money"})
    headers = {
        "Authorization": f"Bearer {cluster.tokens['host']}",
        "Content-Type": "application/json",
        "Idempotency-Key": "same-key-on-both-workers",
    }
    answers = []
    for connection in connections.values():
        connection.request(
            "POST", f"/api/sessions/{cluster.session_id}/notes", body=body, headers=headers
        )
        reply = connection.getresponse()
        answers.append((reply.status, json.loads(reply.read())["id"]))
        connection.close()
    assert [status for status, _ in answers] == [201, 201]
    assert answers[0][1] == answers[1][1]
    notes = send(
        "GET",
        f"{cluster.server.base_url}/api/sessions/{cluster.session_id}/notes",
        token=cluster.tokens["rapporteur"],
    ).json()
    assert [note["text"] for note in notes] == ["Map the money"]


def test_a_killed_worker_is_replaced_and_its_streams_resume_without_a_gap(
    cluster: Cluster, readers: list[Reader]
):
    by_worker = cluster.streams_on_both_workers(readers)
    started = cluster.control("start")
    for reader in readers:
        reader.wait_for(started)
    victim, *survivors = list(by_worker)
    os.kill(victim, signal.SIGKILL)
    for reader in by_worker[victim]:
        assert reader.ended.wait(WAIT), "a stream of the killed worker stayed open"
    during = [cluster.control("broadcast", message=f"while down {n}") for n in range(3)]
    resumed = [cluster.stream(last_event_id=reader.ids()[-1]) for reader in by_worker[victim]]
    readers.extend(resumed)
    after = cluster.control("broadcast", message="after the kill")
    for reader in resumed:
        reader.wait_for(after)
        assert reader.ids() == [*during, after]
    for worker in survivors:
        for reader in by_worker[worker]:
            reader.wait_for(after)
            assert reader.ids() == [started, *during, after]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        workers = [pid for pid in descendants(cluster.server.pid) if _is_worker(pid)]
        if len(workers) == 2 and victim not in workers:
            break
        time.sleep(0.2)
    else:
        raise AssertionError(f"uvicorn did not replace the killed worker: {workers}")


def _is_worker(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return False
    return b"pollinate.web.worker" in command


def test_sigterm_stops_every_worker_promptly_with_streams_open(
    cluster: Cluster, readers: list[Reader]
):
    cluster.streams_on_both_workers(readers)
    workers = [pid for pid in descendants(cluster.server.pid) if _is_worker(pid)]
    workers += clustering_services(cluster.server)
    asked = time.monotonic()
    os.kill(cluster.server.pid, signal.SIGTERM)
    cluster.server.popen.wait(WAIT)
    # Well inside uvicorn's graceful timeout: the open streams did not hold anyone.
    assert time.monotonic() - asked < 4.0
    assert all(reader.ended.wait(WAIT) for reader in readers)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)


# ── one clustering service for both workers ───────────────────────────────────────────


def clustering_services(server: ServerProcess) -> list[int]:
    return [pid for pid in descendants(server.pid) if b"clustering_service" in _command(pid)]


def helper_processes(server: ServerProcess) -> list[int]:
    """anyio's per-worker helper processes, which the shared service replaces."""
    return [pid for pid in descendants(server.pid) if b"anyio.to_process" in _command(pid)]


def _command(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return b""


NOTE_TEXTS = (
    "Ask boards to publish their AI risk assessments",
    "Publish AI risk assessments every year",
    "Tie climate targets to executive pay",
    "Executive pay should follow the climate targets",
)


def recount(cluster: Cluster, connection: http.client.HTTPConnection) -> dict[str, Any]:
    """Ask for two themes on this worker's connection: clustered while the request waits."""
    connection.request(
        "POST",
        f"/api/sessions/{cluster.session_id}/board",
        body=json.dumps({"action": "recount", "n_themes": 2}),
        headers={
            "Authorization": f"Bearer {cluster.tokens['rapporteur']}",
            "Content-Type": "application/json",
        },
    )
    reply = connection.getresponse()
    body = reply.read()
    assert reply.status == 200, body
    board: dict[str, Any] = json.loads(body)
    return board


def take_notes(cluster: Cluster) -> None:
    cluster.control("start")
    cluster.control("next")
    host = send(
        "GET",
        f"{cluster.server.base_url}/api/sessions/{cluster.session_id}/state",
        token=cluster.tokens["host"],
    ).json()["my"]
    for text in NOTE_TEXTS:
        reply = send(
            "POST",
            f"{cluster.server.base_url}/api/sessions/{cluster.session_id}/notes",
            token=cluster.tokens["host"],
            body={"round": host["round"], "table": host["table"], "text": text},
        )
        assert reply.status == 201, reply.text


def test_both_workers_cluster_their_boards_in_one_shared_service(cluster: Cluster):
    take_notes(cluster)
    services = clustering_services(cluster.server)
    assert len(services) == 1
    for connection in cluster.connections_to_both_workers().values():
        board = recount(cluster, connection)
        connection.close()
        assert sorted(theme["size"] for theme in board["themes"]) == [2, 2]
    assert clustering_services(cluster.server) == services
    assert helper_processes(cluster.server) == []


def test_a_killed_clustering_service_is_started_again_and_boards_follow(cluster: Cluster):
    take_notes(cluster)
    [killed] = clustering_services(cluster.server)
    os.kill(killed, signal.SIGKILL)
    deadline = time.monotonic() + WAIT
    while (services := clustering_services(cluster.server)) in ([], [killed]):
        assert time.monotonic() < deadline, "the clustering service was not started again"
        time.sleep(0.1)
    assert len(services) == 1
    for connection in cluster.connections_to_both_workers().values():
        board = recount(cluster, connection)
        connection.close()
        assert sorted(theme["size"] for theme in board["themes"]) == [2, 2]
    assert "the clustering service exited (-9); starting it again" in cluster.server.printed()
