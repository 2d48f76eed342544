"""The shared clustering service, as a real process on a real socket."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from multiprocessing.connection import Client
from multiprocessing.context import AuthenticationError
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from pollinate.actions import clustering_address, clustering_service
from pollinate.actions.board import Clusterer, refresh_board
from pollinate.actions.clustering_address import ServiceAddress
from pollinate.actions.clustering_service import ClusteringServiceError
from pollinate.actions.live import SessionNotFound
from pollinate.core.harvest import remote
from pollinate.core.harvest.edits import ThemeEdits
from pollinate.core.notes import Note
from pollinate.live.memory import MemoryBus
from pollinate.web.clustering_process import ClusteringProcess
from tests.actions.conftest import in_round_one
from tests.actions.test_board import take
from tests.web.conftest import START

TEXTS = [
    "Rural broadband must reach every village",
    "Fund rural broadband networks now",
    "Teach media literacy in every school",
    "Schools need media literacy lessons",
]
TAKEN = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
WAIT = 20.0


def notes(texts: list[str]) -> list[Note]:
    return [Note(f"n{i}", 1, "Table 1", text, TAKEN) for i, text in enumerate(texts)]


@pytest.fixture
def service() -> Iterator[ClusteringProcess]:
    process = ClusteringProcess()
    process.start()
    yield process
    process.stop()


def running(pid: int) -> bool:
    try:
        return b"zombie" not in Path(f"/proc/{pid}/status").read_bytes()
    except FileNotFoundError:
        return False


def address_of(process: ClusteringProcess) -> ServiceAddress:
    environment = process.environment()
    return ServiceAddress(
        environment[clustering_address.SOCKET_VARIABLE],
        bytes.fromhex(environment[clustering_address.KEY_VARIABLE]),
    )


def test_the_service_finds_the_themes_a_thread_finds(service: ClusteringProcess) -> None:
    board = notes(TEXTS)
    shared = clustering_service.themes(address_of(service), board, None, ThemeEdits(), ())
    here = remote.themes(board, None, ThemeEdits(), ())
    assert [(t.label, t.note_ids) for t in shared] == [(t.label, t.note_ids) for t in here]
    assert sorted(theme.size for theme in shared) == [2, 2]
    assert service.pid is not None
    assert b"\0-OO\0" in Path(f"/proc/{service.pid}/cmdline").read_bytes()  # what it ran as
    environment = Path(f"/proc/{service.pid}/environ").read_bytes().split(b"\0")
    assert b"MALLOC_MMAP_THRESHOLD_=131072" in environment


def test_an_error_in_clustering_reaches_the_worker_as_itself(service: ClusteringProcess) -> None:
    twice = [*notes(TEXTS[:2]), *notes(TEXTS[:1])]  # two notes with the id n0
    with pytest.raises(ValueError, match="its own id"):
        clustering_service.themes(address_of(service), twice, None, ThemeEdits(), ())
    # …and the service goes on answering.
    assert clustering_service.themes(address_of(service), notes(TEXTS), 2, ThemeEdits(), ())


def test_a_caller_without_the_key_is_refused_and_the_service_serves_on(
    service: ClusteringProcess,
) -> None:
    address = address_of(service)
    clustering_service.themes(address, notes(TEXTS), 2, ThemeEdits(), ())  # it is up
    pid = service.pid
    for _ in range(3):
        # Refused in the handshake; which side notices first decides the error.
        with pytest.raises((AuthenticationError, ConnectionResetError, EOFError)):
            Client(address.socket, family="AF_UNIX", authkey=b"not the key").recv()
    assert clustering_service.themes(address, notes(TEXTS), 2, ThemeEdits(), ())
    assert service.pid == pid  # the same process: a wrong key does not bring it down
    assert service.starts == 1


def test_its_socket_is_for_the_server_s_user_alone(service: ClusteringProcess) -> None:
    clustering_service.themes(address_of(service), notes(TEXTS), 2, ThemeEdits(), ())
    assert Path(service.socket).parent.stat().st_mode & 0o777 == 0o700


def test_it_runs_at_a_lower_priority_than_the_server(service: ClusteringProcess) -> None:
    clustering_service.themes(address_of(service), notes(TEXTS), 2, ThemeEdits(), ())
    assert service.pid is not None
    assert os.getpriority(os.PRIO_PROCESS, service.pid) == (
        os.getpriority(os.PRIO_PROCESS, 0) + remote.NICENESS
    )


def test_a_killed_service_is_started_again(service: ClusteringProcess) -> None:
    first = service.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + WAIT
    while service.pid == first:
        assert time.monotonic() < deadline, "not started again"
        time.sleep(0.05)
    # Asked at once, while the new one may still be loading: the call waits for it.
    assert clustering_service.themes(address_of(service), notes(TEXTS), 2, ThemeEdits(), ())
    assert service.starts == 2


def test_a_service_stopped_by_sigterm_is_not_started_again(service: ClusteringProcess) -> None:
    first = service.pid
    assert first is not None
    clustering_service.themes(address_of(service), notes(TEXTS), 2, ThemeEdits(), ())
    os.kill(first, signal.SIGTERM)  # what stopping the server sends its process group
    time.sleep(1.5)
    assert service.pid == first
    assert service.starts == 1


def test_stop_ends_the_service_and_removes_its_socket() -> None:
    process = ClusteringProcess()
    process.start()
    address = address_of(process)
    clustering_service.themes(address, notes(TEXTS), 2, ThemeEdits(), ())
    pid = process.pid
    process.stop()
    assert pid is not None
    assert not running(pid)
    assert not Path(address.socket).parent.exists()


def test_a_worker_that_cannot_reach_the_service_says_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clustering_service, "CONNECT_SECONDS", 0.2)
    address = ServiceAddress(str(tmp_path / "nobody.sock"), b"key")
    with pytest.raises(ClusteringServiceError, match=r"nobody\.sock"):
        clustering_service.themes(address, notes(TEXTS), 2, ThemeEdits(), ())


@contextlib.contextmanager
def under_a_supervisor(socket: Path, key: str) -> Iterator[int]:
    """A service started by a stand-in supervisor, which is killed outright on leaving;
    yields the service's pid."""
    code = (
        "import os, subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-m', "
        f"'pollinate.actions.clustering_service', {str(socket)!r}],"
        f" env={{**os.environ, {clustering_address.KEY_VARIABLE!r}: {key!r}}})\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE) as supervisor:
        assert supervisor.stdout is not None
        try:
            yield int(supervisor.stdout.readline())
        finally:
            supervisor.kill()


def wait_until_gone(pid: int) -> None:
    deadline = time.monotonic() + WAIT
    while running(pid):
        assert time.monotonic() < deadline, "the service outlived its supervisor"
        time.sleep(0.1)


def test_the_service_exits_when_its_supervisor_is_gone() -> None:
    """A supervisor killed outright cannot stop it; it notices and goes, with its socket
    and the socket's folder, which the supervisor can no longer remove."""
    # As the supervisor makes it: a short path in the temporary folder (a socket's path
    # may not pass 107 bytes, which a test's own tmp_path can under pytest-xdist).
    folder = Path(tempfile.mkdtemp(prefix=clustering_address.FOLDER_PREFIX))
    socket = folder / "service.sock"
    key = "ab" * 32
    try:
        with under_a_supervisor(socket, key) as child:
            address = ServiceAddress(str(socket), bytes.fromhex(key))
            clustering_service.themes(address, notes(TEXTS), 2, ThemeEdits(), ())
        wait_until_gone(child)
        assert not folder.exists()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_an_orphaned_service_leaves_every_folder_but_its_own_empty_one(tmp_path: Path) -> None:
    socket = tmp_path / "s.sock"  # a folder that is not the supervisor's (short: 107 bytes at most)
    (tmp_path / "kept").write_text("not the service's")
    key = "cd" * 32
    with under_a_supervisor(socket, key) as child:
        address = ServiceAddress(str(socket), bytes.fromhex(key))
        clustering_service.themes(address, notes(TEXTS), 2, ThemeEdits(), ())
    wait_until_gone(child)
    assert not socket.exists()
    assert (tmp_path / "kept").exists()
    other = tmp_path / "e"  # empty, but not the supervisor's: kept
    other.mkdir()
    with under_a_supervisor(other / "s.sock", key) as child:
        address = ServiceAddress(str(other / "s.sock"), bytes.fromhex(key))
        clustering_service.themes(address, notes(TEXTS), 2, ThemeEdits(), ())
    wait_until_gone(child)
    assert other.is_dir()
    assert list(other.iterdir()) == []


@pytest.mark.anyio
@pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)
async def test_the_service_reads_and_clusters_a_session_s_board_itself(
    service: ClusteringProcess, store: sessionmaker[Session]
) -> None:
    bus = MemoryBus()
    session_id = await in_round_one(store, bus)
    for second, text in enumerate(TEXTS):
        await take(store, bus, session_id, text, second)
    shared = Clusterer(service=address_of(service))
    board = await refresh_board(store, bus, session_id, now=START, clusterer=shared)
    assert board.revision == 1
    assert sorted(theme.size for theme in board.themes) == [2, 2]
    again = await refresh_board(store, bus, session_id, now=START, clusterer=shared)
    assert again.revision == 1  # the same notes: nothing clustered, nothing saved
    with pytest.raises(SessionNotFound):
        await refresh_board(store, bus, "no-such-session", now=START, clusterer=shared)
    await bus.close()


def test_the_service_does_only_what_it_offers(service: ClusteringProcess) -> None:
    with pytest.raises(ClusteringServiceError, match="nothing called 'exec'"):
        clustering_service._call(address_of(service), "exec", ("print(1)",))
