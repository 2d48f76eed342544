"""The servers the load harness starts, what they cost, and the session they serve.

    Postgres.create() ─▶ a fresh database `bench_live_<random>` ─▶ ... ─▶ drop (FORCE)
    create_session()  ─▶ session file + `pollinate roster generate` + `pollinate session
                         create` ─▶ SessionLinks (every participant's and host's token)
    ServerProcess.start([...]) ─▶ its own process group, output in a log file
        ├─ wait_healthy(): GET /healthz until 200 (or it died: its log says why)
        └─ stop(): SIGTERM to the group, SIGKILL after 5 s; always, from a `finally`
    ProcessTree(pid).sample() ─▶ RSS and PSS summed over the server and its workers

Memory is read from /proc, with no extra dependency. RSS summed over several processes
counts shared pages (the interpreter, libraries) once per process, so it overstates a
multi-worker server; PSS (`/proc/PID/smaps_rollup`) shares them out and sums to the real
total. The 500 MB target is checked against the RSS sum, the stricter figure.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import math
import os
import secrets
import signal
import socket
import string
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from live_wire import HttpClient

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
STOP_SECONDS = 5.0
KEEP_OUTPUT = 32 * 2**20  # bytes of a server's output kept (a full sweep logs a few MB)
TICKS = os.sysconf("SC_CLK_TCK")
SEATS_PER_TABLE = 10  # a host and up to nine others: tables = clients / 8 leaves slack


def free_port() -> int:
    """A port nothing listens on now; another process may still take it before we do."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def letters(count: int) -> str:
    """Random lowercase letters: unique markers that redaction leaves alone.

    Digits would not do: a run of them can read as a phone number, and redaction replaces
    it (tests/e2e/test_crash_durability.py saw 2 notes in 89 change that way).
    """
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(count))


# ── processes ─────────────────────────────────────────────────────────────────────────


@dataclass
class ServerProcess:
    """A server subprocess on 127.0.0.1:`port`, in its own process group.

    Its output comes through a pipe into memory (the last `KEEP_OUTPUT` bytes), and is
    written to `log` when it stops. A log file appended to all along, on the disk that
    holds the database, made the database's own syncs wait for the log's data (ext4
    journals in order): the slowest SQLite note commit of a 2,000-phone run took 0.27 s
    with the output in a file and 0.05 s with it in memory (timed around the commit, one
    run each, checkpoints in the background). Where a server's logs go is the operator's
    choice (docs/operations.md says which); the harness keeps them off the disk.
    """

    name: str
    args: list[str]
    port: int
    log: Path
    popen: subprocess.Popen[bytes]
    output: bytearray = field(default_factory=bytearray)
    reader: threading.Thread | None = None

    @classmethod
    def start(
        cls, name: str, args: list[str], port: int, workdir: Path, env: dict[str, str]
    ) -> ServerProcess:
        popen = subprocess.Popen(
            args,
            cwd=workdir,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # its group id is its pid: stop() reaches workers too
        )
        server = cls(name, args, port, workdir / f"{name}-{port}.log", popen)
        server.reader = threading.Thread(target=server._read, name=f"{name} output", daemon=True)
        server.reader.start()
        return server

    def _read(self) -> None:
        if self.popen.stdout is None:
            return
        while chunk := self.popen.stdout.read1(65536):
            self.output += chunk
            if len(self.output) > KEEP_OUTPUT:
                del self.output[: len(self.output) - KEEP_OUTPUT]

    def printed(self, tail: int = 4000) -> str:
        return bytes(self.output[-tail:]).decode("utf-8", errors="replace")

    async def wait_healthy(self, seconds: float) -> None:
        """Return when GET /healthz answers 200; raise with the server's output otherwise."""
        deadline = time.monotonic() + seconds
        client = HttpClient("127.0.0.1", self.port, limit=1)
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with status {self.popen.returncode} before it "
                    f"answered /healthz:\n{self.printed()}"
                )
            with contextlib.suppress(OSError, TimeoutError):
                reply = await client.request("GET", "/healthz", timeout=2.0, fresh=True)
                if reply.status == 200:
                    return
            await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer /healthz in {seconds:.0f} s")

    def stop(self) -> None:
        """SIGTERM the whole group, SIGKILL what is left after a grace period; idempotent."""
        if self.popen.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.popen.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.popen.wait(STOP_SECONDS)
        # Workers may outlive a supervisor that exited first; the group still names them.
        self._signal_group(signal.SIGKILL)
        if self.reader is not None:
            self.reader.join(STOP_SECONDS)
        if self.popen.stdout is not None:
            self.popen.stdout.close()
        self.log.write_bytes(bytes(self.output))

    def _signal_group(self, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, sig)


def _proc_stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name in parentheses may hold spaces; the fields after it do not.
    return text[text.rindex(")") + 2 :].split()


def _kb_field(path: Path, name: str) -> int:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(name):
                return int(line.split()[1])
    except OSError:
        pass  # the process exited between listing and reading
    return 0


@dataclass
class Sample:
    """One reading of a process tree: how many processes, RSS and PSS sums in bytes,
    and the RSS of each kind of process (`process_kind`), to say where the sum goes."""

    processes: int
    rss: int
    pss: int
    rss_by_kind: dict[str, int] = field(default_factory=dict)


def process_kind(pid: int) -> str:
    """What a process of a server's tree is, from its command line."""
    try:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "gone"
    line = b" ".join(words).decode(errors="replace")
    for marker, kind in KINDS:
        if marker in line:
            return kind
    return "server"


KINDS = (  # the first marker found in a command line names its kind
    ("resource_tracker", "resource tracker"),
    ("clustering_service", "clustering"),  # several workers: one shared service
    ("anyio.to_process", "clustering"),  # one worker: its own helper (actions/board.py)
    ("pollinate.web.worker", "worker"),
    ("pollinate.web.supervisor", "supervisor"),
)


@dataclass
class ProcessTree:
    """A process and its descendants, found by parent id in /proc at every reading.

    /proc/PID/task/TID/children needs a kernel option this machine lacks, so the tree
    is rebuilt from each process's parent id (field 4 of /proc/PID/stat).
    """

    root: int
    peak: Sample = field(default_factory=lambda: Sample(0, 0, 0))

    def pids(self) -> list[int]:
        parents: dict[int, list[int]] = {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit() and (stat := _proc_stat(int(entry.name))) is not None:
                parents.setdefault(int(stat[1]), []).append(int(entry.name))
        found, todo = [], [self.root]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(parents.get(pid, []))
        return found

    def sample(self) -> Sample:
        return self._read()[0]

    def rss_by_kind(self) -> dict[str, int]:
        """The RSS of each kind of process now, in bytes (`process_kind`); like every
        reading, it counts toward the peak."""
        return _by_kind(self._read()[1])

    def _read(self) -> tuple[Sample, dict[int, int]]:
        pids = self.pids()
        each = _rss_of(pids)
        pss = sum(_kb_field(Path(f"/proc/{pid}/smaps_rollup"), "Pss:") for pid in pids)
        reading = Sample(len(pids), sum(each.values()), pss * 1024)
        if reading.rss > self.peak.rss:
            reading.rss_by_kind = _by_kind(each)  # only at a new peak: /proc reads cost
            self.peak = reading
        return reading, each

    def cpu_seconds(self) -> float:
        """User plus system CPU of the live processes of the tree, in seconds."""
        ticks = 0
        for pid in self.pids():
            if (stat := _proc_stat(pid)) is not None:
                ticks += int(stat[11]) + int(stat[12])  # utime, stime
        return ticks / TICKS


def _rss_of(pids: list[int]) -> dict[int, int]:
    """Each process's RSS in bytes (0 for one that has exited)."""
    return {pid: _kb_field(Path(f"/proc/{pid}/status"), "VmRSS:") * 1024 for pid in pids}


def megabytes(by_kind: dict[str, int]) -> dict[str, float]:
    """Bytes per kind of process as MB, kinds in order."""
    return {kind: round(rss / 2**20, 1) for kind, rss in sorted(by_kind.items())}


def _by_kind(rss_of: dict[int, int]) -> dict[str, int]:
    found: dict[str, int] = {}
    for pid, rss in rss_of.items():
        kind = process_kind(pid)
        if rss and kind != "gone":  # exited between the readings: nothing to count
            found[kind] = found.get(kind, 0) + rss
    return found


# ── PostgreSQL ────────────────────────────────────────────────────────────────────────


@dataclass
class Postgres:
    """A server on which the harness creates one fresh database per run, then drops it."""

    server_url: str  # postgresql://user@host:port/postgres (libpq form)
    created: list[str] = field(default_factory=list)

    def create(self) -> str:
        import psycopg

        name = f"bench_live_{letters(8)}"
        try:
            with psycopg.connect(self.server_url, autocommit=True, connect_timeout=5) as db:
                db.execute(f'CREATE DATABASE "{name}"')  # the name is ours: no injection
        except psycopg.Error as error:
            raise RuntimeError(f"cannot create a database at {self.server_url}: {error}") from error
        self.created.append(name)
        base = self.server_url.rsplit("/", 1)[0]
        return f"{base}/{name}"

    def drop_all(self) -> None:
        import psycopg

        with psycopg.connect(self.server_url, autocommit=True, connect_timeout=5) as db:
            while self.created:
                db.execute(f'DROP DATABASE IF EXISTS "{self.created.pop()}" WITH (FORCE)')


def libpq_url(url: str) -> str:
    """postgresql+psycopg://… (SQLAlchemy's form) as plain postgresql://… for libpq."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme.split('+', 1)[0]}{sep}{rest}"


# ── the session ───────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class SessionLinks:
    """A stored session and the tokens the harness acts with."""

    session_id: str
    facilitator: str
    rapporteur: str
    participants: tuple[str, ...]
    hosts: tuple[tuple[str, str], ...]  # (table, token), one per table
    create_seconds: float


SESSION_FILE = """\
title: pollinate live load bench
duration_minutes: 60
participant_notes: false
agenda:
  - kind: intro
    minutes: 5
  - kind: round
    minutes: 20
    question: What is already working, and why?
  - kind: round
    minutes: 20
    question: What could we do together that none of us can do alone?
  - kind: report_back
    minutes: 10
tables:
  count: {tables}
  capacity: {capacity}
"""


def table_count(clients: int, hosts: int) -> int:
    """Tables for `clients` participants and at least `hosts` hosts, with seats to spare."""
    return max(hosts, math.ceil(clients / 8), 1)


def pollinate(args: list[str], workdir: Path, env: dict[str, str], timeout: float) -> str:
    """Run `python -m pollinate ARGS`; its standard output, or an error with its stderr."""
    done = subprocess.run(
        [PYTHON, "-m", "pollinate", *args],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"pollinate {args[0]} {args[1]} failed:\n{done.stderr[-4000:]}")
    return done.stdout


def create_session(
    db_url: str,
    *,
    clients: int,
    hosts: int,
    workdir: Path,
    env: dict[str, str],
    timeout: float,
) -> SessionLinks:
    """Store a two-round session seating `clients` participants and one host per table.

    The roster is synthetic (`roster generate`, nobody online) with exactly one designated
    host per table, so every other person gets a participant link.
    """
    import json

    started = time.monotonic()
    tables = table_count(clients, hosts)
    (workdir / "session.yaml").write_text(
        SESSION_FILE.format(tables=tables, capacity=SEATS_PER_TABLE), encoding="utf-8"
    )
    roster = workdir / "roster.csv"
    people = str(clients + tables)
    pollinate(
        [
            *("roster", "generate", "-n", people, "-o", str(roster)),
            *("--online", "0", "--hosts", str(tables)),
        ],
        workdir,
        env,
        timeout,
    )
    sheet = workdir / "links.csv"
    printed = pollinate(
        [
            *("session", "create", "session.yaml", str(roster), "--db", db_url),
            *("--links-csv", str(sheet), "--time-limit", "10"),
        ],
        workdir,
        env,
        timeout,
    )
    document = json.loads(printed)
    participants: list[str] = []
    table_hosts: list[tuple[str, str]] = []
    with sheet.open(encoding="utf-8-sig", newline="") as rows:
        for row in csv.DictReader(rows):
            token = row["link"].rsplit("/l/", 1)[1]
            if row["role"] == "participant":
                participants.append(token)
            elif row["role"] == "host":
                table_hosts.append((row["table"], token))
    table_hosts.sort(key=lambda pair: int(pair[0].rsplit(" ", 1)[-1]))
    if len(participants) < clients or len(table_hosts) < hosts:
        raise RuntimeError(
            f"the session has {len(participants)} participant and {len(table_hosts)} host "
            f"links; the run needs {clients} and {hosts}"
        )
    return SessionLinks(
        session_id=document["session_id"],
        facilitator=document["tokens"]["facilitator"],
        rapporteur=document["tokens"]["rapporteur"],
        participants=tuple(participants),
        hosts=tuple(table_hosts),
        create_seconds=time.monotonic() - started,
    )


def serve_supports_workers(env: dict[str, str]) -> bool:
    """True when `pollinate serve --help` lists `--workers`."""
    done = subprocess.run(
        [PYTHON, "-m", "pollinate", "serve", "--help"],
        env={**env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return "--workers" in done.stdout
