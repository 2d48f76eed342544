"""The load harness (bench/live.py) at CI size: it runs, stops by itself and checks itself.

The figures are the harness's business, not the tests': these only insist that every
phone heard every round change, that every note landed exactly once and was announced,
and that nothing took longer than a bound that only a hang would break. Full-size
figures come from running bench/live.py by hand.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT / "bench" / "live.py"
PHONES = 200
ROUND_CHANGES = 3
NOTES_RATE, NOTES_SECONDS = 50, 3
GENEROUS_MS = 5000.0  # catches a hang, never a slow machine
RUN_SECONDS = 90  # the harness's own --timeout; the subprocess gets a little more


def run_harness(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    results = tmp_path / "live.json"
    command = [sys.executable, str(HARNESS), "--clients", str(PHONES)]
    command += ["--round-changes", str(ROUND_CHANGES), "--notes-rate", str(NOTES_RATE)]
    command += ["--notes-seconds", str(NOTES_SECONDS), "--settle", "0.2"]
    command += ["--timeout", str(RUN_SECONDS), "--json", str(results), "--workdir", str(tmp_path)]
    done = subprocess.run(
        [*command, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=RUN_SECONDS + 30,
        check=False,
    )
    output = f"{done.stdout[-6000:]}\n{done.stderr[-6000:]}"
    return done.returncode, json.loads(results.read_text(encoding="utf-8")), output


def assert_every_phone_heard_every_change(mode: dict[str, Any]) -> None:
    (step,) = mode["steps"]
    change = step["round_change"]
    assert step["connected"] == PHONES
    assert change["refused"] == change["missing"] == change["seq_mismatch"] == 0
    assert change["arrival"]["n"] == PHONES * ROUND_CHANGES
    assert change["arrival"]["p99_ms"] < GENEROUS_MS
    assert step["dropped"] == step["errors"] == 0
    assert step["rss_peak_mb"] > 0


def assert_every_note_landed_once(mode: dict[str, Any]) -> None:
    notes = mode["steps"][0]["notes"]
    assert notes["sent"] == notes["acked"] == notes["stored"] == NOTES_RATE * NOTES_SECONDS
    assert notes["failed"] == {}
    assert notes["lost"] == notes["duplicated"] == notes["id_mismatch"] == 0
    assert notes["stream_missing"] == notes["stream_repeated"] == 0
    assert notes["latency"]["p99_ms"] < GENEROUS_MS


@pytest.mark.slow
def test_harness_reaches_every_phone_and_keeps_every_note_on_sqlite_and_the_bare_ceiling(
    tmp_path,
):
    status, document, output = run_harness(tmp_path, "--modes", "bare,sqlite")
    assert status == 0, output
    assert document["complete"], output
    bare, sqlite = document["modes"]
    assert (bare["mode"], sqlite["mode"], sqlite["workers"]) == ("bare", "sqlite", 1)
    assert_every_phone_heard_every_change(bare)
    assert_every_phone_heard_every_change(sqlite)
    assert set(bare["rss_peak_by_kind_mb"]) == {"server"}
    assert set(sqlite["rss_peak_by_kind_mb"]) <= {"server", "clustering"}
    assert "server" in sqlite["rss_at_rest_by_kind_mb"]
    assert sum(sqlite["rss_at_rest_by_kind_mb"].values()) <= sqlite["rss_peak_mb"]
    assert "notes" not in bare["steps"][0]
    assert_every_note_landed_once(sqlite)
    assert "Round change p99 (ms) against the bare Starlette ceiling" in output


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
def test_harness_reaches_every_phone_and_keeps_every_note_on_two_workers(
    tmp_path, postgres_server, redis_url
):
    status, document, output = run_harness(
        tmp_path,
        *("--modes", "postgres", "--workers", "2"),
        *("--pg-url", postgres_server.url, "--redis-url", redis_url),
    )
    assert status == 0, output
    (mode,) = document["modes"]
    assert mode["workers"] == 2
    assert mode["processes"] >= 3  # the supervisor and its two workers, all measured
    kinds = mode["rss_peak_by_kind_mb"]
    assert {"supervisor", "worker", "clustering"} <= set(kinds)
    assert sum(kinds.values()) == pytest.approx(mode["rss_peak_mb"], abs=0.5)
    # At rest, before any phone, every process is already there: the floor of the layout.
    at_rest = mode["rss_at_rest_by_kind_mb"]
    assert {"supervisor", "worker", "clustering"} <= set(at_rest)
    assert sum(at_rest.values()) <= mode["rss_peak_mb"]
    assert "RSS by process at rest" in output
    # Each step says where the memory is, with the phones connected and after its notes.
    (step,) = mode["steps"]
    for moment in ("rss_idle_by_kind_mb", "rss_end_by_kind_mb"):
        assert {"supervisor", "worker", "clustering"} == set(step[moment])
        assert sum(step[moment].values()) <= mode["rss_peak_mb"] + 0.5
    assert_every_phone_heard_every_change(mode)
    assert_every_note_landed_once(mode)


@pytest.mark.slow
def test_harness_counts_phones_that_did_not_hear_a_change_in_time_and_fails(tmp_path):
    # No time at all to arrive: the frames cannot all be read before the wait gives up.
    status, document, output = run_harness(tmp_path, "--modes", "bare", "--arrival-timeout", "0")
    assert status == 1, output
    (step,) = document["modes"][0]["steps"]
    assert step["round_change"]["missing"] > 0
    assert step["errors"] == step["round_change"]["missing"]
