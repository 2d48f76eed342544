"""One clustering process for every worker of a server (`serve --workers N`).

    supervisor ─▶ `python -m pollinate.actions.clustering_service SOCKET` (the key in
                  POLLINATE_CLUSTERING_KEY), restarted if it dies (web/clustering_process.py)
    worker ─▶ Clusterer(service=…) ─▶ connect, authenticate, send what to do: a session's
              board to re-cluster (read by the service itself), or notes to cluster
    service ─▶ `board_remote.recluster_at(…)` or `remote.themes(…)` on a thread per
               connection, one board at a time,
               at a lower CPU priority than the workers (`remote.NICENESS`)
            ─▶ the themes, or the error

With one helper process per worker, two workers on two cores kept two copies of NumPy
and scikit-learn: about 140 MB each at rest and 200 MB while clustering 8,000 notes
(bench/live.py, PostgreSQL with two workers). One service clusters for all of them; the
clustering lease (store/harvest.py) already lets only one worker re-cluster a board at a
time, so nothing waits on the others. Workers on other hosts use their own host's
service.

The socket lives in a directory only the server's user can enter, and a connection must
prove it knows the key (an HMAC challenge, `multiprocessing.connection`) before anything
is unpickled, so no other local user can talk to it.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from multiprocessing.connection import Client, Connection, Listener
from multiprocessing.context import AuthenticationError
from types import FrameType
from typing import TYPE_CHECKING, Any

from pollinate.actions.clustering_address import (
    FOLDER_PREFIX,
    KEY_VARIABLE,
    ServiceAddress,
)
from pollinate.core.harvest import remote
from pollinate.core.harvest.edits import ThemeEdits
from pollinate.core.harvest.theme import Theme
from pollinate.core.notes import Note
from pollinate.memory import release_freed_memory

if TYPE_CHECKING:
    from pollinate.actions.board_remote import Reclustered

logger = logging.getLogger("pollinate.clustering")

CONNECT_SECONDS = 10.0
"""How long a worker keeps trying to reach a service that is (re)starting."""


class ClusteringServiceError(RuntimeError):
    """The clustering service could not be reached, or failed on a board."""


# ── the worker's side ─────────────────────────────────────────────────────────────────


def themes(
    address: ServiceAddress,
    notes: Sequence[Note],
    n_themes: int | None,
    pinned: ThemeEdits,
    previous: Sequence[Theme],
) -> tuple[Theme, ...]:
    """`remote.themes(…)`, computed by the service (blocking: call it on a thread)."""
    result: tuple[Theme, ...] = _call(
        address, "themes", (list(notes), n_themes, pinned, tuple(previous))
    )
    return result


def recluster(address: ServiceAddress, db_url: str, session_id: str, force: bool) -> Reclustered:
    """`board_remote.recluster_at(…)` in the service (blocking: call it on a thread)."""
    result: Reclustered = _call(address, "recluster", (db_url, session_id, force))
    return result


def _call(address: ServiceAddress, name: str, arguments: tuple[Any, ...]) -> Any:
    with _connect(address) as connection:
        connection.send((name, arguments))
        try:
            outcome, value = connection.recv()
        except (EOFError, OSError) as error:
            raise ClusteringServiceError(f"the clustering service stopped: {error}") from error
    if outcome == "error":
        raise value
    return value


def _connect(address: ServiceAddress) -> Connection:
    deadline = time.monotonic() + CONNECT_SECONDS
    while True:
        try:
            return Client(address.socket, family="AF_UNIX", authkey=address.key)
        except (FileNotFoundError, ConnectionRefusedError) as error:
            if time.monotonic() > deadline:
                raise ClusteringServiceError(
                    f"cannot reach the clustering service at {address.socket}: {error}"
                ) from error
            time.sleep(0.1)  # it is starting (or restarting): its socket is not there yet


# ── the service's side ────────────────────────────────────────────────────────────────


def serve(address: ServiceAddress, *, parent: int | None = None) -> None:
    """Answer workers until stopped (SIGTERM, SIGINT) or until `parent` is gone."""
    remote.lower_priority()
    one_board = threading.Lock()
    with suppress(FileNotFoundError):
        os.unlink(address.socket)  # left by a service that was killed outright
    with Listener(address.socket, family="AF_UNIX", backlog=64, authkey=address.key) as listener:
        os.chmod(address.socket, 0o600)
        if parent is not None:
            threading.Thread(target=_follow, args=(parent, address.socket), daemon=True).start()
        with one_board:  # workers connecting meanwhile wait for it, not fail
            _work("recluster")  # the database layer
            remote.warm()
        while True:
            try:
                connection = listener.accept()
            except (AuthenticationError, OSError, EOFError) as error:  # a wrong key
                logger.warning("refused a connection to the clustering service: %s", error)
                continue
            threading.Thread(target=_answer, args=(connection, one_board), daemon=True).start()


def _answer(connection: Connection, one_board: threading.Lock) -> None:
    with connection:
        try:
            name, arguments = connection.recv()
        except (EOFError, OSError, ValueError, TypeError):
            return
        reply: tuple[str, Any]
        try:
            work = _work(name)
            with one_board:
                reply = ("done", work(*arguments))
                release_freed_memory()  # a board's arrays, gone until the next one
        except Exception as error:  # the worker raises it as its own
            reply = ("error", error)
        try:
            connection.send(reply)
        except OSError:
            return  # the worker went away (shut down); nothing to tell it
        except Exception as error:  # an error that does not pickle
            connection.send(("error", ClusteringServiceError(repr(error))))


def _work(name: str) -> Callable[..., Any]:
    """What a worker may ask for, by name."""
    if name == "themes":
        return remote.themes
    if name == "recluster":
        from pollinate.actions.board_remote import recluster_at  # the database layer

        return recluster_at
    raise ClusteringServiceError(f"the clustering service does nothing called {name!r}")


def _follow(parent: int, socket: str) -> None:
    """Exit when the supervisor is gone (killed outright, it cannot stop this process),
    taking the socket with it, and the private folder the supervisor made for it
    (`FOLDER_PREFIX`, nothing else in it), which a supervisor killed outright cannot
    remove."""
    while os.getppid() == parent:
        time.sleep(1.0)
    with suppress(OSError):
        os.unlink(socket)
        folder = os.path.dirname(socket)
        if os.path.basename(folder).startswith(FOLDER_PREFIX):  # the supervisor's own
            os.rmdir(folder)  # and refused unless empty
    os._exit(0)


def _stop(number: int, frame: FrameType | None) -> None:
    # Nothing to finish: a board being clustered is clustered again next time, and the
    # supervisor removes the socket's folder. Exiting at once spares the interpreter's
    # teardown of NumPy, SciPy and scikit-learn, which at this process's lowered priority
    # on a busy machine held the supervisor's stop for 3 s (tests/e2e/test_workers.py).
    sys.stderr.flush()
    os._exit(0)


def main(argv: Sequence[str] = sys.argv[1:]) -> None:
    """`python -m pollinate.actions.clustering_service SOCKET`, key in the environment."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    key = os.environ.pop(KEY_VARIABLE, "")
    if len(argv) != 1 or not key:
        sys.exit(f"usage: {KEY_VARIABLE}=… python -m pollinate.actions.clustering_service SOCKET")
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, _stop)
    serve(ServiceAddress(argv[0], bytes.fromhex(key)), parent=os.getppid())


if __name__ == "__main__":
    # Run the module under its own name, not as __main__: an error it sends back must
    # unpickle in the worker as pollinate.actions.clustering_service's, not __main__'s.
    from pollinate.actions import clustering_service

    clustering_service.main()
