"""The supervisor's side of the shared clustering service (actions/clustering_service.py).

    start() ─▶ a private directory for the socket, a fresh key
            ─▶ `python -m pollinate.actions.clustering_service SOCKET` (key in its
               environment, never on its command line)
            ─▶ a watcher thread: the service exits with an error or is killed ─▶ logged,
               started again (at most once a second)
    environment() ─▶ the POLLINATE_CLUSTERING_* variables the workers are started with
    stop() ─▶ SIGTERM, SIGKILL after a few seconds ─▶ the directory removed

A service ended by SIGTERM or Ctrl-C exits 0 and is not restarted: those reach the whole
process group when the server itself is being stopped.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from pollinate.actions.clustering_address import FOLDER_PREFIX, KEY_VARIABLE, SOCKET_VARIABLE

logger = logging.getLogger("pollinate.clustering")

STOP_SECONDS = 5.0
RESTART_PAUSE = 1.0
SERVICE_ENVIRONMENT = {"MALLOC_MMAP_THRESHOLD_": "131072"}
"""Arrays over 128 KB get memory of their own from the system and give it back when
freed. By default glibc raises that threshold as large blocks are freed (to 32 MB), so
clustering's arrays came from the heap and their memory stayed: clustering 8,000 notes
three times peaked at 183 MB and kept 154 by default, 172 and 140 so (2.5 % more CPU)."""
OPTIMIZE = ("-OO",)
"""The service runs without docstrings (and asserts): NumPy's, SciPy's and
scikit-learn's docstrings took 13 MB of its 171 at rest (bench/live.py's budget is
500 MB for the whole server). The same themes either way: a 6,000-note board clustered
three times gave identical themes with and without (and tests/actions compares the
service's themes with a thread's)."""


class ClusteringProcess:
    """The one clustering service of a server with several workers."""

    def __init__(self) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))  # mode 0700
        self.socket = str(self._folder / "service.sock")
        self._key = secrets.token_hex(32)
        self._stopping = threading.Event()
        self._lock = threading.Lock()  # a restart and a stop never cross
        self._popen: subprocess.Popen[bytes] | None = None
        self._watcher: threading.Thread | None = None
        self.starts = 0

    def environment(self) -> dict[str, str]:
        """What a worker needs to reach the service."""
        return {SOCKET_VARIABLE: self.socket, KEY_VARIABLE: self._key}

    @property
    def pid(self) -> int | None:
        return self._popen.pid if self._popen is not None else None

    def start(self) -> None:
        """Start the service and keep it running until `stop`."""
        self._popen = self._spawn()
        self._watcher = threading.Thread(target=self._watch, name="clustering", daemon=True)
        self._watcher.start()

    def stop(self) -> None:
        """Stop the service (it finishes nothing: a board is re-clustered next time)."""
        with self._lock:
            self._stopping.set()
            popen = self._popen
        if popen is not None and popen.poll() is None:
            popen.terminate()
            try:
                popen.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                popen.kill()
                popen.wait()
        if self._watcher is not None:
            self._watcher.join(STOP_SECONDS)
        shutil.rmtree(self._folder, ignore_errors=True)

    def _spawn(self) -> subprocess.Popen[bytes]:
        self.starts += 1
        return subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            [sys.executable, *OPTIMIZE, "-m", "pollinate.actions.clustering_service", self.socket],
            env={**SERVICE_ENVIRONMENT, **os.environ, KEY_VARIABLE: self._key},
            stdin=subprocess.DEVNULL,
        )

    def _watch(self) -> None:
        while (popen := self._popen) is not None:
            began = time.monotonic()
            code = popen.wait()
            if self._stopping.is_set() or code == 0:
                return
            logger.warning("the clustering service exited (%s); starting it again", code)
            self._stopping.wait(max(0.0, RESTART_PAUSE - (time.monotonic() - began)))
            with self._lock:
                if self._stopping.is_set():
                    return
                self._popen = self._spawn()
