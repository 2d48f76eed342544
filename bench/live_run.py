"""The load harness's server under test, its phones and the round-change measurement.

    start_run(mode) ─▶ session + server + Start, Next ─▶ Run (server, tokens, clients)
    connect_phones(run, C) ─▶ participant streams up to C, each `ready` = subscribed
    round_changes(run) ─▶ Probe per action: first `block.started` (bare: `fire`) with a
        seq above the last one, per phone, timed from just before the POST

Phones hand every frame to `Phones.frame`, which passes it to the probe of the moment
(if any) and otherwise drops it: between measurements nothing is kept, so a long run
does not grow the harness.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from live_report import summary
from live_servers import (
    PYTHON,
    Postgres,
    ProcessTree,
    ServerProcess,
    SessionLinks,
    create_session,
    free_port,
    megabytes,
    serve_supports_workers,
)
from live_wire import HttpClient, Reply, SseProtocol, open_stream

LOCAL = "127.0.0.1"
STARTUP_SECONDS = 60.0  # migrations and, with workers, N interpreters importing the app
SAMPLE_SECONDS = 0.25
PAUSE_SECONDS = 0.25  # between two round changes, so one's stragglers never meet the next
QUIET_CORES = 0.25  # a server using less CPU than this is taken to be idle
QUIET_WINDOW = 1.0  # seconds over which that CPU is measured


@dataclass(frozen=True)
class Options:
    """What the command line asked for (bench/live.py --help describes each)."""

    clients: tuple[int, ...]
    modes: tuple[str, ...]
    workers: int
    hosts: int
    notes_rate: float
    notes_seconds: float
    round_changes: int
    arrival_timeout: float
    request_timeout: float
    connect_concurrency: int
    settle: float
    quiet_timeout: float
    notes_drain: float
    timeout: float
    json_path: Path
    pg_url: str
    redis_url: str
    workdir: Path | None
    keep: bool
    max_server_mb: float


# ── what the phones hear ──────────────────────────────────────────────────────────────


class Probe:
    """One awaited frame: the first `event` with a seq above `floor`, once per phone."""

    def __init__(self, event: str, floor: int, expected: int) -> None:
        self.event, self.floor, self.expected = event, floor, expected
        self.arrivals: dict[int, tuple[int, float]] = {}  # phone -> (seq, monotonic time)
        self.done = asyncio.Event()

    def offer(self, client: int, event: str, seq: int | None, at: float) -> None:
        if event != self.event or seq is None or seq <= self.floor or client in self.arrivals:
            return
        self.arrivals[client] = (seq, at)
        if len(self.arrivals) >= self.expected:
            self.done.set()


class Phones:
    """The FrameSink of every simulated phone: hands frames to the probe of the moment."""

    def __init__(self) -> None:
        self.probe: Probe | None = None
        self.dropped: set[int] = set()
        self.protocols: list[SseProtocol] = []
        self.attempted = 0  # phones tried so far: the next one takes the next link

    def frame(self, client: int, event: str, seq: int | None, data: bytes, at: float) -> None:
        if self.probe is not None:
            self.probe.offer(client, event, seq, at)

    def lost(self, client: int) -> None:
        self.dropped.add(client)

    @property
    def alive(self) -> int:
        return len(self.protocols) - len(self.dropped)

    def close(self) -> None:
        for protocol in self.protocols:
            protocol.close()


class NoteFeed:
    """The rapporteur's stream: when each note's `note.added` frame arrived."""

    def __init__(self) -> None:
        self.seen: dict[str, list[float]] = {}
        self.dropped = False

    def frame(self, client: int, event: str, seq: int | None, data: bytes, at: float) -> None:
        if event == "note.added":
            note_id = json.loads(data)["payload"]["note_id"]
            self.seen.setdefault(note_id, []).append(at)

    def lost(self, client: int) -> None:
        self.dropped = True


# ── one server under test ─────────────────────────────────────────────────────────────


@dataclass
class Run:
    """A mode's server, its session and the clients talking to it."""

    mode: str
    workers: int
    server: ServerProcess
    links: SessionLinks | None  # None for the bare endpoint
    http: HttpClient
    tree: ProcessTree
    phones: Phones = field(default_factory=Phones)
    feed: NoteFeed = field(default_factory=NoteFeed)
    feed_stream: SseProtocol | None = None
    last_seq: int = 0
    round: int | None = None
    forward: bool = True  # the next round change is Next (else Previous)
    step_peak: int = 0  # bytes of RSS, the highest since the step began
    memory_exceeded: int = 0  # the RSS at which the guard stopped the server, if it did

    @property
    def bare(self) -> bool:
        return self.links is None

    @property
    def session(self) -> SessionLinks:
        if self.links is None:
            raise RuntimeError("the bare endpoint has no session")
        return self.links

    def events_path(self) -> str:
        return "/events" if self.links is None else f"/api/sessions/{self.links.session_id}/events"

    async def control(self, action: str) -> Reply:
        reply = await self.http.request(
            "POST",
            f"/api/sessions/{self.session.session_id}/control",
            token=self.session.facilitator,
            body={"action": action},
            fresh=True,  # never re-sent: Next twice would skip a block
        )
        if reply.status == 200:
            state = reply.json()
            self.last_seq, self.round = state["last_event_id"], state["round"]
        return reply

    async def resync(self) -> None:
        """Read the state again after an action whose answer never came: it may have been
        applied, and its late frame must not be taken for the next action's."""
        if self.links is None:
            return
        with contextlib.suppress(OSError, TimeoutError):
            reply = await self.http.request(
                "GET",
                f"/api/sessions/{self.session.session_id}/state",
                token=self.session.facilitator,
                fresh=True,
            )
            if reply.status == 200:
                state = reply.json()
                self.last_seq, self.round = state["last_event_id"], state["round"]
                self.forward = (state["block_index"] or 0) <= 1  # round 1's block is 1

    async def fire(self) -> Reply:
        """One measured action: a round change, or the bare endpoint's fire."""
        if self.links is None:
            reply = await self.http.request("POST", "/fire", fresh=True)
            if reply.status == 200:
                self.last_seq = reply.json()["seq"]
            return reply
        reply = await self.control("next" if self.forward else "previous")
        if reply.status == 200:
            self.forward = not self.forward
        return reply

    async def sample_memory(self, cap_bytes: float) -> None:
        """Runs until cancelled: the server tree's RSS every SAMPLE_SECONDS.

        A server past `cap_bytes` is stopped, so a runaway cannot take the machine down
        with it; every request after that fails, and the mode ends with the reason.
        """
        while True:
            reading = await asyncio.to_thread(self.tree.sample)
            self.step_peak = max(self.step_peak, reading.rss)
            if reading.rss > cap_bytes:
                self.memory_exceeded = reading.rss
                await asyncio.to_thread(self.server.stop)
                return
            await asyncio.sleep(SAMPLE_SECONDS)


async def start_run(mode: str, opts: Options, workdir: Path, pg: Postgres) -> Run:
    """Store the session, start the mode's server and bring the session to round 1."""
    folder = workdir / mode
    folder.mkdir()
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "NO_COLOR": "1",
        "POLLINATE_DATA_DIR": str(folder),  # the generated secret stays in the work folder
        "POLLINATE_SECRET_KEY": secrets.token_urlsafe(32),
    }
    links: SessionLinks | None = None
    workers = 1
    extra: list[str] = []
    if mode != "bare":
        db_url = f"sqlite:///{folder / 'live.db'}" if mode == "sqlite" else pg.create()
        links = await asyncio.to_thread(
            create_session,
            db_url,
            clients=max(opts.clients),
            hosts=opts.hosts,
            workdir=folder,
            env=env,
            timeout=STARTUP_SECONDS * 2,
        )
        bus = "memory://" if mode == "sqlite" else opts.redis_url
        extra = ["serve", "--db", db_url, "--bus", bus, "--host", LOCAL]
        if mode == "postgres" and opts.workers > 1:
            if not await asyncio.to_thread(serve_supports_workers, env):
                raise RuntimeError("`pollinate serve` has no --workers option here")
            workers = opts.workers
            extra += ["--workers", str(workers)]
    for attempt in range(3):
        port = free_port()
        if mode == "bare":
            args = [PYTHON, str(Path(__file__).with_name("bare_sse.py")), "--port", str(port)]
        else:
            args = [PYTHON, "-m", "pollinate", *extra, "--port", str(port)]
        server = ServerProcess.start(mode, args, port, folder, env)
        try:
            await server.wait_healthy(STARTUP_SECONDS)
            break
        except BaseException as error:
            server.stop()
            # Another process may take the free port before the server binds it.
            taken = "address already in use" in server.printed().lower()
            if not isinstance(error, RuntimeError) or not taken or attempt == 2:
                raise
    run = Run(mode, workers, server, links, HttpClient(LOCAL, port), ProcessTree(server.popen.pid))
    if links is None:
        return run
    try:
        for action in ("start", "next"):
            reply = await run.control(action)
            if reply.status != 200:
                raise RuntimeError(f"{action}: HTTP {reply.status} {reply.body[:300]!r}")
        run.feed_stream = await open_stream(
            LOCAL,
            port,
            run.events_path(),
            client=-1,
            sink=run.feed,
            token=links.rapporteur,
            timeout=opts.request_timeout,
        )
    except BaseException:
        server.stop()
        raise
    return run


# ── connecting and round changes ────────────────────────────────────────────────────────────


async def connect_phones(run: Run, target: int, opts: Options) -> dict[str, Any]:
    """Open phones until `target` are connected or have failed; connecting is timed."""
    slots = asyncio.Semaphore(opts.connect_concurrency)
    failures: Counter[str] = Counter()
    links = run.links

    async def connect(index: int) -> None:
        async with slots:
            try:
                protocol = await open_stream(
                    LOCAL,
                    run.server.port,
                    run.events_path(),
                    client=index,
                    sink=run.phones,
                    token=None if links is None else links.participants[index],
                    timeout=opts.request_timeout,
                )
            except (OSError, TimeoutError) as error:
                failures[str(error) or type(error).__name__] += 1
                return
            run.phones.protocols.append(protocol)

    started = time.monotonic()
    first, run.phones.attempted = run.phones.attempted, max(target, run.phones.attempted)
    await asyncio.gather(*(connect(index) for index in range(first, target)))
    seconds = time.monotonic() - started
    await asyncio.sleep(opts.settle)
    return {
        "connected": run.phones.alive,
        "connect_seconds": round(seconds, 2),
        "connect_failures": sum(failures.values()),
        "connect_failure_reasons": dict(failures.most_common(3)),
        "server_idle": await wait_until_quiet(run, opts),
        # With every phone connected and the server quiet: what holding them costs.
        "rss_idle_mb": round((await asyncio.to_thread(run.tree.sample)).rss / 2**20, 1),
        "rss_idle_by_kind_mb": megabytes(await asyncio.to_thread(run.tree.rss_by_kind)),
    }


async def wait_until_quiet(run: Run, opts: Options) -> dict[str, Any]:
    """Wait (at most --quiet-timeout) until the server uses under QUIET_CORES of CPU.

    The previous step's notes leave work behind (the theme board re-clusters after a
    burst, streams catch up); a round change measured during it would be charged for it.
    The CPU it still uses with every phone connected and nothing happening is reported:
    that is what idle connections cost (heartbeats and their reads).
    """
    started = time.monotonic()
    cores = float("inf")
    while time.monotonic() - started < opts.quiet_timeout:
        before = await asyncio.to_thread(run.tree.cpu_seconds)
        await asyncio.sleep(QUIET_WINDOW)
        cores = (await asyncio.to_thread(run.tree.cpu_seconds) - before) / QUIET_WINDOW
        if cores < QUIET_CORES:
            break
    return {
        "waited_seconds": round(time.monotonic() - started, 1),
        "quiet": cores < QUIET_CORES,
        "cores": round(cores, 2),
    }


async def round_changes(run: Run, opts: Options) -> dict[str, Any]:
    """K measured actions; each waits until every phone has its frame or the timeout."""
    event = "fire" if run.bare else "block.started"
    samples: list[float] = []
    per_action_max: list[float] = []
    post: list[float] = []
    missing = mismatched = refused = 0
    for _ in range(opts.round_changes):
        probe = Probe(event, run.last_seq, run.phones.alive)
        run.phones.probe = probe
        sent = time.monotonic()
        try:
            reply: Reply | None = await run.fire()
        except (OSError, TimeoutError):
            reply = None
        post.append(time.monotonic() - sent)
        if reply is None or reply.status != 200:
            refused += 1
            run.phones.probe = None
            await run.resync()
            continue
        # The wait is counted from the POST, not from its answer: whoever has not heard
        # --arrival-timeout after it (frames read while the POST was answered included)
        # is counted missing below.
        waited = time.monotonic() - sent
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(probe.done.wait(), max(0.0, opts.arrival_timeout - waited))
        run.phones.probe = None
        heard = [
            (seq, at) for seq, at in probe.arrivals.values() if at - sent <= opts.arrival_timeout
        ]
        delays = [at - sent for _, at in heard]
        samples += delays
        per_action_max.append(max(delays, default=-1.0))
        missing += probe.expected - len(heard)
        seqs = Counter(seq for seq, _ in heard)
        mismatched += sum(seqs.values()) - max(seqs.values(), default=0)
        await asyncio.sleep(PAUSE_SECONDS)
    return {
        "event": event,
        "actions": opts.round_changes,
        "refused": refused,
        "missing": missing,
        "seq_mismatch": mismatched,
        "arrival": summary(samples),
        "per_action_max_ms": [round(value * 1000, 1) for value in per_action_max],
        "post": summary(post),
    }
