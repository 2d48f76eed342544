"""The supervisor's pool of workers, run for real: processes, a socket, beats and signals.

Workers serve SQLite on the in-process bus here: these tests are about the processes,
not what they share (tests/e2e/test_workers.py runs them on PostgreSQL and Redis).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pollinate.config import Settings
from pollinate.web.server import migrate
from pollinate.web.worker import BEAT_SECONDS, STARTUP_FAILURE

WAIT = 30.0

# The supervisor, with a shorter patience than the real one's 30 s for a silent worker
# and 60 s for one that does not start.
SUPERVISOR = """
import sys
from pollinate.web import worker_pool
worker_pool.SILENT_SECONDS = float(sys.argv[1])
worker_pool.READY_SECONDS = float(sys.argv[2])
from pollinate.web.supervisor import main
main(sys.argv[3:])
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def is_worker(pid: int) -> bool:
    try:
        return b"pollinate.web.worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return False


def environment_of(pid: int) -> list[bytes]:
    return Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


@dataclass
class Supervisor:
    popen: subprocess.Popen[bytes]
    port: int
    log: Path

    def printed(self) -> str:
        return self.log.read_text(errors="replace")

    def workers(self) -> list[int]:
        return sorted(pid for pid in children(self.popen.pid) if is_worker(pid))

    def wait_for(self, what: str, condition: Callable[[], bool]) -> None:
        deadline = time.monotonic() + WAIT
        while not condition():
            assert time.monotonic() < deadline, f"{what} did not happen:\n{self.printed()}"
            assert self.popen.poll() is None, f"the supervisor exited:\n{self.printed()}"
            time.sleep(0.1)

    def wait_started(self, count: int = 2) -> list[int]:
        self.wait_for(
            f"{count} workers serving",
            lambda: (
                self.printed().count("Application startup complete") >= count
                and len(self.workers()) == count
                and healthy(self.port)
            ),
        )
        return self.workers()


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[..., Supervisor]]:
    db_url = f"sqlite:///{tmp_path / 'p.db'}"
    migrate(Settings(db_url=db_url), say=lambda line: None)
    started: list[Supervisor] = []

    def launch(
        *,
        silent_seconds: float = 30.0,
        ready_seconds: float = 60.0,
        port: int | None = None,
        **env: str,
    ) -> Supervisor:
        port = port or free_port()
        log = tmp_path / f"supervisor-{len(started)}.log"
        environment = {
            **os.environ,
            "POLLINATE_DB_URL": db_url,
            "POLLINATE_DATA_DIR": str(tmp_path),
            "POLLINATE_SECRET_KEY": "k" * 40,
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        command = [sys.executable, "-c", SUPERVISOR, str(silent_seconds), str(ready_seconds)]
        command += ["2", "127.0.0.1"]
        with log.open("wb") as sink:
            popen = subprocess.Popen(
                [*command, str(port)],
                stdout=sink,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=environment,
                start_new_session=True,
            )
        supervisor = Supervisor(popen, port, log)
        started.append(supervisor)
        return supervisor

    yield launch
    for supervisor in started:
        if supervisor.popen.poll() is None:
            os.killpg(supervisor.popen.pid, signal.SIGKILL)
        supervisor.popen.wait(WAIT)


def test_a_worker_whose_event_loop_stops_is_killed_and_replaced(start):
    supervisor = start(silent_seconds=2.0)
    stuck, other = supervisor.wait_started()
    time.sleep(3 * BEAT_SECONDS)  # both have beaten: this is a worker that was serving
    os.kill(stuck, signal.SIGSTOP)  # alive, but its loop never turns again
    supervisor.wait_for(
        "the stuck worker replaced",
        lambda: (
            stuck not in (workers := supervisor.workers())
            and other in workers
            and len(workers) == 2
        ),
    )
    # 2 s at the least; a busy machine may look a tick later.
    assert re.search(
        rf"worker {stuck} has not answered for [2-9] s; killing it", supervisor.printed()
    )
    assert healthy(supervisor.port)
    assert b"MALLOC_ARENA_MAX=2" in environment_of(other)  # WORKER_ENVIRONMENT


def test_an_operators_malloc_setting_reaches_the_workers_unchanged(start):
    supervisor = start(MALLOC_ARENA_MAX="4")
    for worker in supervisor.wait_started():
        assert b"MALLOC_ARENA_MAX=4" in environment_of(worker)


def test_a_worker_that_never_starts_serving_is_killed_and_replaced(start):
    supervisor = start(ready_seconds=4.0)
    deadline = time.monotonic() + WAIT
    while not (workers := supervisor.workers()):  # stopped while still importing the app
        assert time.monotonic() < deadline, supervisor.printed()
    stuck = workers[0]
    os.kill(stuck, signal.SIGSTOP)
    supervisor.wait_for(
        "the stuck worker replaced",
        lambda: stuck not in (workers := supervisor.workers()) and len(workers) == 2,
    )
    supervisor.wait_started()
    assert f"worker {stuck} has not started within 4 s; killing it" in supervisor.printed()


def test_sighup_replaces_every_worker_while_requests_keep_being_answered(start):
    supervisor = start()
    old = supervisor.wait_started()
    answered, unanswered, done = [0], [0], threading.Event()

    def ask() -> None:
        # An old worker told to stop drops a connection it accepted but has not read
        # yet (uvicorn's graceful shutdown closes idle connections), as a client's
        # keep-alive connection can be dropped at any time; what must not happen is a
        # moment when a retry finds nobody serving.
        while not done.is_set():
            if healthy(supervisor.port) or healthy(supervisor.port):
                answered[0] += 1
            else:
                unanswered[0] += 1

    asker = threading.Thread(target=ask)
    asker.start()
    try:
        os.kill(supervisor.popen.pid, signal.SIGHUP)
        supervisor.wait_for(
            "both workers replaced",
            lambda: len(new := supervisor.workers()) == 2 and not set(new) & set(old),
        )
    finally:
        done.set()
        asker.join(WAIT)
    assert unanswered[0] == 0
    assert answered[0] > 0
    assert supervisor.printed().count("Application startup complete") == 4


def test_a_worker_app_that_cannot_start_stops_the_supervisor_with_status_3(start):
    supervisor = start(POLLINATE_BUS_URL="carrier-pigeon://loft")
    assert supervisor.popen.wait(WAIT) == STARTUP_FAILURE == 3
    printed = supervisor.printed()
    assert "before it started; stopping" in printed
    assert "carrier-pigeon://" in printed  # the worker said what was wrong
    assert printed.count("starting another") == 0  # not restarted in a loop


def test_a_port_in_use_is_named_and_nothing_is_started(start):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        supervisor = start(port=port)
        assert supervisor.popen.wait(WAIT) == 1
    printed = supervisor.printed()
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in printed
    assert "Traceback" not in printed
    assert "starting 2 workers" not in printed


def test_workers_stop_by_themselves_when_the_supervisor_is_killed(start):
    supervisor = start()
    workers = supervisor.wait_started()
    os.kill(supervisor.popen.pid, signal.SIGKILL)
    supervisor.popen.wait(WAIT)
    deadline = time.monotonic() + WAIT
    while any(Path(f"/proc/{pid}").exists() and is_worker(pid) for pid in workers):
        assert time.monotonic() < deadline, "an orphaned worker kept serving"
        time.sleep(0.1)
    assert not healthy(supervisor.port)
