"""The supervisor's workers: N processes on one listening socket, kept alive and beating.

    WorkerPool(N, socket).run()
        ─▶ N × `python -m pollinate.web.worker` (web/worker.py), each inheriting the
           socket and the write end of its own beat pipe
        ─▶ every TICK: read the beats
           ├─ a worker exited ─▶ logged, replaced (a replacement that fails to start
           │  is tried again RESTART_PAUSE later)
           ├─ a started worker silent for SILENT_SECONDS, or one not started after
           │  READY_SECONDS ─▶ SIGKILL, replaced
           └─ a worker of the first start failed before it was ready (an exit status,
              not a signal) ─▶ everything stops with status 3: the app, settings or
              socket are broken and every restart would fail the same way (uvicorn's
              rule too)
        ─▶ SIGHUP: each worker replaced in turn, the new one ready before the old stops
        ─▶ SIGINT / SIGTERM: SIGTERM to every worker, SIGKILL to any still running after
           the graceful timeout and a margin

This stands in for uvicorn's own supervisor (`uvicorn.run(workers=N)`), which spawns
its workers through multiprocessing: that cost a process of multiprocessing's resource
tracker (12 MB) and kept uvicorn's imports in the supervisor (28 MB against 16 MB here),
for 40 MB of a 500 MB budget (bench/live.py, PostgreSQL with two workers). Its health
check pinged a thread of the worker; the beat here comes from the worker's event loop,
so a loop that no longer turns is noticed too.
"""

from __future__ import annotations

import logging
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from types import FrameType

from pollinate.web.worker import STARTUP_FAILURE

logger = logging.getLogger("pollinate.workers")

TICK_SECONDS = 0.5
SILENT_SECONDS = 30.0
"""How long a started worker's event loop may go without a beat before it is replaced.
A beat is due every second; a request's heavy work runs on threads, off the loop."""
READY_SECONDS = 60.0
"""How long a worker may take to start serving before it is killed and replaced (and a
rolling restart gives up): imports and the app's startup take 1-3 s here."""
RESTART_PAUSE = 1.0
STOP_MARGIN = 5.0
"""Beyond uvicorn's graceful timeout, before a stopping worker is killed."""
WORKER_ENVIRONMENT = {"MALLOC_ARENA_MAX": "2"}
"""glibc gives each thread that allocates its own heap, up to 8 per core, and keeps what
was freed in each: a worker's database work runs on up to 40 threads. Two heaps per
worker held 25 MB less in two workers after 8,000 notes (bench/live.py, PostgreSQL ×2 at
2,000 phones: 284 against 310 MB), with the same note latency."""


def listening_socket(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """A TCP socket listening on host:port that the workers inherit (uvicorn's backlog)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(backlog)
    except OSError:
        listener.close()
        raise
    listener.set_inheritable(True)
    return listener


@dataclass
class Worker:
    """One worker process and the read end of its beat pipe."""

    popen: subprocess.Popen[bytes]
    beats: int
    first: bool  # one of the pool's first start: failing before ready stops the server
    started: float = field(default_factory=time.monotonic)
    last_beat: float | None = None  # None until the worker has started serving

    @property
    def pid(self) -> int:
        return self.popen.pid


@dataclass
class WorkerPool:
    """`count` workers serving `listener`, supervised until SIGINT or SIGTERM."""

    count: int
    listener: socket.socket
    host: str
    port: int
    graceful_seconds: float
    workers: list[Worker] = field(default_factory=list)
    _selector: selectors.DefaultSelector = field(default_factory=selectors.DefaultSelector)
    _stopping: bool = False
    _rolling: bool = False
    _retry_at: dict[int, float] = field(default_factory=dict)  # slot ─▶ when to try again

    def run(self) -> int:
        """Supervise until stopped; 0, or STARTUP_FAILURE when the first start failed."""
        previous = {
            number: signal.signal(number, self._on_signal)
            for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
        }
        logger.info("supervisor %s starting %s workers", os.getpid(), self.count)
        try:
            self.workers = [self._start(first=True) for _ in range(self.count)]
            while not self._stopping:
                self._read_beats(TICK_SECONDS)
                if self._rolling:
                    self._rolling = False
                    self._restart_each()
                if not self._keep_alive():
                    return STARTUP_FAILURE
            return 0
        finally:
            self._stop_all()
            for number, handler in previous.items():
                signal.signal(number, handler)

    # ── signals ──────────────────────────────────────────────────────────────────────

    def _on_signal(self, number: int, frame: FrameType | None) -> None:
        if number == signal.SIGHUP:
            logger.info("SIGHUP: replacing the workers one by one")
            self._rolling = True
        else:
            logger.info("%s: stopping the workers", signal.Signals(number).name)
            self._stopping = True

    # ── starting and watching ───────────────────────────────────────────────────────

    def _start(self, *, first: bool = False) -> Worker:
        beats, beat_end = os.pipe()
        command = [
            sys.executable, "-m", "pollinate.web.worker",
            str(self.listener.fileno()), str(beat_end), self.host, str(self.port),
        ]  # fmt: skip
        try:
            popen = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
                command,
                pass_fds=(self.listener.fileno(), beat_end),
                stdin=subprocess.DEVNULL,
                env={**WORKER_ENVIRONMENT, **os.environ},  # the operator's settings win
            )
        finally:
            os.close(beat_end)  # the worker holds it now: its exit is our end-of-file
        os.set_blocking(beats, False)
        worker = Worker(popen, beats, first)
        self._selector.register(beats, selectors.EVENT_READ, worker)
        return worker

    def _read_beats(self, timeout: float) -> None:
        for key, _ in self._selector.select(timeout):
            worker: Worker = key.data
            try:
                got = os.read(worker.beats, 4096)
            except BlockingIOError:
                continue
            if got:
                worker.last_beat = time.monotonic()
            else:  # the worker is gone; `_keep_alive` sees it by its exit status
                self._selector.unregister(worker.beats)

    def _keep_alive(self) -> bool:
        """Replace exited and silent workers; False when a first start failed."""
        now = time.monotonic()
        for slot, worker in enumerate(self.workers):
            if self._stopping:
                return True
            if worker.popen.poll() is None:
                if (trouble := _trouble(worker, now)) is None:
                    continue
                logger.error("worker %s %s; killing it", worker.pid, trouble)
                worker.popen.kill()
                worker.popen.wait()
            elif worker.first and worker.last_beat is None and worker.popen.returncode > 0:
                logger.error("worker %s exited (%s) before it started; stopping",
                             worker.pid, worker.popen.returncode)  # fmt: skip
                return False
            if now < self._retry_at.get(slot, 0.0):
                continue
            if worker.last_beat is None:
                self._retry_at[slot] = now + RESTART_PAUSE  # failing to start: not too often
            logger.warning("worker %s exited (%s); starting another",
                           worker.pid, worker.popen.returncode)  # fmt: skip
            self._forget(worker)
            self.workers[slot] = self._start()
        return True

    def _restart_each(self) -> None:
        for slot, old in enumerate(self.workers):
            new = self._start()
            deadline = time.monotonic() + READY_SECONDS
            while new.last_beat is None and new.popen.poll() is None:
                if self._stopping or time.monotonic() > deadline:
                    break
                self._read_beats(TICK_SECONDS)
            if new.last_beat is None:
                logger.error("a new worker did not start; keeping worker %s", old.pid)
                self._end([new])
                return
            self.workers[slot] = new
            self._end([old])

    # ── stopping ─────────────────────────────────────────────────────────────────────

    def _stop_all(self) -> None:
        self._end(self.workers)
        self._selector.close()

    def _end(self, workers: list[Worker]) -> None:
        """SIGTERM, then SIGKILL to any still running after the grace and margin."""
        running = [worker for worker in workers if worker.popen.poll() is None]
        for worker in running:
            worker.popen.terminate()
        deadline = time.monotonic() + self.graceful_seconds + STOP_MARGIN
        for worker in running:
            try:
                worker.popen.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.error("worker %s did not stop in time; killing it", worker.pid)
                worker.popen.kill()
                worker.popen.wait()
        for worker in workers:
            self._forget(worker)

    def _forget(self, worker: Worker) -> None:
        if worker.beats in self._selector.get_map():
            self._selector.unregister(worker.beats)
        os.close(worker.beats)


def _trouble(worker: Worker, now: float) -> str | None:
    """What is wrong with a running worker, if anything."""
    if worker.last_beat is None:
        if now - worker.started > READY_SECONDS:
            return f"has not started within {READY_SECONDS:.0f} s"
        return None
    if now - worker.last_beat >= SILENT_SECONDS:
        return f"has not answered for {now - worker.last_beat:.0f} s"
    return None
