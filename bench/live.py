"""How fast a facilitator's action reaches every phone, and how notes hold up (issue 5).

Run:
    .venv/bin/python bench/live.py                  # 100, 500, 1,000, 2,000 phones; 3 modes
    .venv/bin/python bench/live.py --clients 200 --modes bare,sqlite --notes-rate 50 \\
        --notes-seconds 3                           # the size CI runs (tests/bench/)
    .venv/bin/python bench/live.py --help

Modes, each measured in the same run with the same clients:
    bare      bench/bare_sse.py under uvicorn, one process: the ceiling for this machine
    sqlite    `pollinate serve`, SQLite, memory bus, one worker
    postgres  `pollinate serve --workers N`, a fresh PostgreSQL database, Redis bus

Per mode:
    store a session (`pollinate session create`; one participant link per phone, one
    host per table) ─▶ start the server ─▶ Start, Next (round 1) ─▶ the rapporteur's stream
    ─▶ once the server idles: the RSS of each kind of process at rest (no phone yet)
    for C in --clients, ascending (phones stay connected from one size to the next):
      ├─ connect phones up to C: participant links, --connect-concurrency at a time;
      │  then wait (--quiet-timeout at most) until the server idles under 0.25 cores,
      │  so the last step's notes (the theme board re-clusters after a burst) are not
      │  charged to this step; that idle CPU and RSS are what C open phones cost
      ├─ K round changes (Next and Previous in turn): for every phone, the time from just
      │  before the facilitator's POST to its `block.started` frame; phones without it
      │  after --arrival-timeout are `missing` (bare: POST /fire and its frame)
      └─ notes: H hosts post R notes/s for D s on a fixed schedule, each with its own
         Idempotency-Key, answers awaited --notes-drain after the schedule at most
         ─▶ read every note back (rapporteur): lost, duplicated, changed
         ─▶ each acknowledged note's `note.added` on the rapporteur's stream, once
    Finish ─▶ stop the server (SIGTERM to its process group, SIGKILL after 5 s) ─▶ drop
    the database. Always, from a `finally`, also on --timeout or Ctrl-C.

Reading the figures honestly:
- Note latency runs from the note's *scheduled* send time, not from when it was sent:
  the schedule is open loop, so a slow server cannot slow the harness down and hide
  its own queueing (coordinated omission). `send_lag_max_ms` says how late the harness
  itself ever was to send.
- The clients share the machine's 2 cores with the server. They are asyncio protocols
  (bench/live_wire.py) with arrival times taken as the loop sees the bytes; the harness's
  own CPU seconds are printed beside the server's, and the bare ceiling pays the same
  client cost.
- Server memory is the peak, sampled every 0.25 s, of RSS summed over the server and
  its workers (PSS too: bench/live_servers.py says why both). A server past
  --max-server-mb is stopped, so a runaway cannot take the machine down.
- Other work on the machine moves every figure; the load average at the start and end
  is in the JSON. Compare runs made on a quiet machine.
- A round change reaches a phone when its frame is read; drawing the page is the
  browser's business (tests/e2e measure click-to-screen with Chromium).

Targets (issue 5, 2 cores): 2,000 connected phones with a round change reaching all of
them at p99 < 1 s; 200 notes/s with p99 write latency < 100 ms and no note lost or
duplicated (open loop, so a p99 under 100 ms at 200/s means the rate was sustained);
server memory < 500 MB. They are judged at the largest size run, when it is that large.

The parts: live.py (this sweep and its options), live_run.py (server, phones, round
changes), live_notes.py (notes), live_wire.py (the HTTP and SSE clients),
live_servers.py (processes, memory, PostgreSQL, the session), live_report.py (figures,
targets, tables), bare_sse.py (the ceiling).

Writes bench/results/live.json (or --json). Exit status 0 when every phone got every
change and every note landed exactly once; 1 when anything was missing, lost,
duplicated or refused; 3 when the run stopped early (--timeout, a server died).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

from live_notes import take_notes
from live_report import print_report, step_errors, targets
from live_run import (
    Options,
    Run,
    connect_phones,
    round_changes,
    start_run,
    wait_until_quiet,
)
from live_servers import ROOT, Postgres, libpq_url, megabytes

RESULTS = Path(__file__).resolve().parent / "results" / "live.json"
MODES = ("bare", "sqlite", "postgres")


# ── the sweep ─────────────────────────────────────────────────────────────────────────


def cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def measure_mode(
    mode: str, opts: Options, workdir: Path, pg: Postgres, result: dict[str, Any]
) -> None:
    """Every client count for one mode, into `result` step by step (a run stopped early
    keeps the steps it finished); the server is always stopped at the end."""
    started = time.monotonic()
    run = await start_run(mode, opts, workdir, pg)
    sampler = asyncio.create_task(run.sample_memory(opts.max_server_mb * 2**20))
    try:
        result |= {"workers": run.workers, "startup_seconds": round(time.monotonic() - started, 1)}
        if run.links is not None:
            result["session_create_seconds"] = round(run.links.create_seconds, 1)
        # Before any phone: what the server's processes hold at rest, session created.
        result["server_idle_at_rest"] = await wait_until_quiet(run, opts)
        result["rss_at_rest_by_kind_mb"] = megabytes(await asyncio.to_thread(run.tree.rss_by_kind))
        for clients in opts.clients:
            step: dict[str, Any] = {"clients": clients}
            run.step_peak = 0
            cpu, mine, began = run.tree.cpu_seconds(), cpu_self(), time.monotonic()
            dropped_before = len(run.phones.dropped)
            step |= await connect_phones(run, clients, opts)
            step["round_change"] = await round_changes(run, opts)
            if run.links is not None and opts.notes_seconds > 0 and opts.notes_rate > 0:
                step["notes"] = await take_notes(run, opts)
            step["dropped"] = len(run.phones.dropped) - dropped_before
            step["rss_peak_mb"] = round(max(run.step_peak, run.tree.sample().rss) / 2**20, 1)
            # What stays after the step's notes, process by process (beside rss_idle_…).
            step["rss_end_by_kind_mb"] = megabytes(await asyncio.to_thread(run.tree.rss_by_kind))
            step["server_cpu_seconds"] = round(run.tree.cpu_seconds() - cpu, 1)
            step["harness_cpu_seconds"] = round(cpu_self() - mine, 1)
            step["seconds"] = round(time.monotonic() - began, 1)
            step["errors"] = step_errors(step)
            result["steps"].append(step)
            print_step(mode, step)
            check_alive(run, opts)
        if run.links is not None:
            await run.control("finish")  # through the agenda to its end
        result["complete"] = True
    except OSError:
        check_alive(run, opts)  # a server that is gone is the news, not the refused request
        raise
    finally:
        sampler.cancel()
        run.phones.close()
        if run.feed_stream is not None:
            run.feed_stream.close()
        run.http.close()
        await asyncio.sleep(0.1)  # let the transports close before the server goes
        run.server.stop()
        result["rss_peak_mb"] = round(run.tree.peak.rss / 2**20, 1)
        result["pss_at_rss_peak_mb"] = round(run.tree.peak.pss / 2**20, 1)
        result["processes"] = run.tree.peak.processes
        result["rss_peak_by_kind_mb"] = megabytes(run.tree.peak.rss_by_kind)


def check_alive(run: Run, opts: Options) -> None:
    """Raise `RuntimeError` saying why, when the server under test is no longer running."""
    if run.memory_exceeded:
        raise RuntimeError(
            f"the {run.mode} server was stopped at {run.memory_exceeded / 2**20:.0f} MB RSS, "
            f"above --max-server-mb {opts.max_server_mb:.0f}"
        )
    if run.server.popen.poll() is not None:
        raise RuntimeError(f"the {run.mode} server exited:\n{run.server.printed()}")


def print_step(mode: str, step: dict[str, Any]) -> None:
    change = step["round_change"]["arrival"]
    line = (
        f"  {mode:<8} {step['clients']:>5} phones: change p99 {change['p99_ms']} ms, "
        f"missing {step['round_change']['missing']}"
    )
    if "notes" in step:
        notes = step["notes"]
        line += f"; notes p99 {notes['latency']['p99_ms']} ms, {notes['achieved_per_second']}/s"
    print(f"{line}; RSS {step['rss_peak_mb']} MB; errors {step['errors']}", flush=True)


async def sweep(opts: Options, document: dict[str, Any]) -> None:
    pg = Postgres(libpq_url(opts.pg_url))
    folder = Path(mkdtemp(prefix="pollinate-live-", dir=opts.workdir))
    try:
        for mode in opts.modes:
            print(f"{mode}: starting", flush=True)
            result: dict[str, Any] = {"mode": mode, "steps": [], "complete": False}
            document["modes"].append(result)
            try:
                await measure_mode(mode, opts, folder, pg, result)
            except (RuntimeError, OSError) as error:
                document["problems"].append(f"{mode}: {error}")
                print(f"{mode}: stopped: {error}", file=sys.stderr, flush=True)
    finally:
        if pg.created:
            await asyncio.to_thread(pg.drop_all)
        if opts.keep:
            print(f"Kept the servers' logs and databases in {folder}", flush=True)
        else:
            shutil.rmtree(folder, ignore_errors=True)


def raise_file_limit(needed: int) -> int:
    """Raise the soft limit on open files towards `needed` (servers inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        soft = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return soft


def git(*args: str) -> str:
    done = subprocess.run(
        ["git", *args],  # noqa: S607 (git from PATH, as developers run it)
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip()


def git_commit() -> str | None:
    """The commit measured, with "+changes" when the working tree differs from it."""
    commit = git("rev-parse", "--short", "HEAD")
    return f"{commit}+changes" if commit and git("status", "--porcelain", "src") else commit or None


MEASURED_PACKAGES = (
    "fastapi",
    "starlette",
    "uvicorn",
    "uvloop",
    "httptools",
    "pydantic",
    "sqlalchemy",
    "psycopg",
    "redis",
    "scikit-learn",
)


def package_versions() -> dict[str, str | None]:
    """The installed version of each package the live path runs on (None: not installed)."""
    found: dict[str, str | None] = {}
    for name in MEASURED_PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def cpu_model() -> str | None:
    """The processor's name as Linux reports it; machines of one kind can differ."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


async def main_async(opts: Options) -> int:
    document: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        # Other work on the machine skews every figure: the load average says how much.
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "cpu": cpu_model(),
            "load_average_at_start": os.getloadavg(),
            # Versions float within pyproject's ranges: a new machine may install newer.
            "packages": package_versions(),
        },
        "options": {k: str(v) if isinstance(v, Path) else v for k, v in vars(opts).items()},
        "open_files_limit": raise_file_limit(max(opts.clients) * 2 + 1024),
        "modes": [],
        "problems": [],
        "complete": False,
    }
    task = asyncio.current_task()
    if task is None:
        raise RuntimeError("main_async runs as a task")
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, task.cancel)
    try:
        async with asyncio.timeout(opts.timeout):
            await sweep(opts, document)
        document["complete"] = not document["problems"]
    except TimeoutError:
        document["problems"].append(f"stopped by --timeout after {opts.timeout:.0f} s")
    except asyncio.CancelledError:
        document["problems"].append("stopped by a signal")
    document["machine"]["load_average_at_end"] = os.getloadavg()
    document["targets"] = targets(document["modes"])
    opts.json_path.parent.mkdir(parents=True, exist_ok=True)
    opts.json_path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print_report(document)
    print(f"\nWrote {opts.json_path}")
    if not document["complete"]:
        return 3
    errors = sum(step["errors"] for mode in document["modes"] for step in mode["steps"])
    return 1 if errors else 0


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        description="Load the live app: SSE fan-out to many phones, notes at a fixed rate.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add = parser.add_argument
    add("--clients", default="100,500,1000,2000", help="phone counts to sweep, ascending")
    add("--modes", default=",".join(MODES), help=f"comma-separated, of {', '.join(MODES)}")
    add("--workers", type=int, default=2, help="uvicorn workers in the postgres mode")
    add("--hosts", type=int, default=20, help="hosts posting notes, one table each")
    add("--notes-rate", type=float, default=200.0, help="notes per second, all hosts together")
    add("--notes-seconds", type=float, default=10.0, help="how long notes are posted (0: none)")
    add("--round-changes", type=int, default=10, help="measured round changes per phone count")
    add("--arrival-timeout", type=float, default=10.0, help="seconds a phone may take")
    add("--request-timeout", type=float, default=30.0, help="seconds for one HTTP request")
    add("--connect-concurrency", type=int, default=64, help="phones connecting at once")
    add("--settle", type=float, default=1.0, help="seconds between connecting and measuring")
    add("--quiet-timeout", type=float, default=30.0, help="longest wait for an idle server")
    add("--notes-drain", type=float, default=120.0, help="answers wait after the schedule")
    add("--timeout", type=float, default=1800.0, help="the whole run stops after this")
    add("--json", type=Path, default=RESULTS, help="where to write the results")
    add("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres", help="a server")
    add("--redis-url", default="redis://127.0.0.1:6379/0", help="the postgres mode's bus")
    add("--workdir", type=Path, default=None, help="parent of the run's temporary folder")
    add("--keep", action="store_true", help="keep that folder: server logs, databases")
    add("--max-server-mb", type=float, default=4096.0, help="stop a server whose RSS passes this")
    args = parser.parse_args(argv)
    clients = tuple(sorted({int(part) for part in args.clients.split(",") if part.strip()}))
    modes = tuple(part.strip() for part in args.modes.split(",") if part.strip())
    if not clients or min(clients) < 1:
        parser.error("--clients needs positive counts")
    if unknown := set(modes) - set(MODES):
        parser.error(f"unknown modes: {', '.join(sorted(unknown))}")
    if args.hosts < 1 or args.workers < 1 or args.round_changes < 1:
        parser.error("--hosts, --workers and --round-changes must be at least 1")
    return Options(
        clients=clients,
        modes=modes,
        workers=args.workers,
        hosts=args.hosts,
        notes_rate=args.notes_rate,
        notes_seconds=args.notes_seconds,
        round_changes=args.round_changes,
        arrival_timeout=args.arrival_timeout,
        request_timeout=args.request_timeout,
        connect_concurrency=args.connect_concurrency,
        settle=args.settle,
        quiet_timeout=args.quiet_timeout,
        notes_drain=args.notes_drain,
        timeout=args.timeout,
        json_path=args.json,
        pg_url=args.pg_url,
        redis_url=args.redis_url,
        workdir=args.workdir,
        keep=args.keep,
        max_server_mb=args.max_server_mb,
    )


def main() -> int:
    opts = parse_args()
    try:
        import uvloop
    except ImportError:  # uvicorn[standard] brings it; the stock loop works too, slower
        return asyncio.run(main_async(opts))
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main_async(opts))


if __name__ == "__main__":
    sys.exit(main())
