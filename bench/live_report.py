"""The load harness's figures: percentiles, error counts, targets and the printed tables.

    bench/live.py ─▶ {"modes": [{"mode", "steps": [step, …]}, …]} ─▶ targets(), print_report()

Percentiles are nearest-rank over every sample (every phone of every round change, every
note): p99 of 10,000 arrivals is the 9,900th fastest, not an average of per-action p99s.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

# Issue 5's targets for this 2-core machine.
FULL_SIZE_CLIENTS = 2000
CHANGE_P99_MS = 1000.0
NOTES_PER_SECOND = 200.0
NOTE_P99_MS = 100.0
NOTE_SECONDS = 10.0  # "sustained": the default duration, at least
MEMORY_MB = 500.0


def percentile(ordered: Sequence[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` of the values at or below it."""
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def summary(seconds: Sequence[float]) -> dict[str, Any]:
    """Count, p50, p95, p99 and max in milliseconds (None for an empty sample)."""
    ordered = sorted(seconds)
    if not ordered:
        return {"n": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
    return {
        "n": len(ordered),
        **{
            f"p{round(share * 100)}_ms": round(percentile(ordered, share) * 1000, 1)
            for share in (0.5, 0.95, 0.99)
        },
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def step_errors(step: dict[str, Any]) -> int:
    """Everything that went wrong in one step: phones that failed, dropped or missed a
    change, refused actions, and notes refused, unanswered, lost, duplicated or unseen."""
    change = step["round_change"]
    errors = step["connect_failures"] + step["dropped"]
    errors += change["refused"] + change["missing"] + change["seq_mismatch"]
    if (notes := step.get("notes")) is not None:
        errors += sum(notes["failed"].values()) + notes["lost"] + notes["duplicated"]
        errors += notes["id_mismatch"] + notes["stream_missing"] + notes["stream_repeated"]
    return int(errors)


def sustained(notes: dict[str, Any]) -> bool:
    """True when the notes ran at the target rate long enough to judge the target."""
    return bool(notes["rate"] >= NOTES_PER_SECOND and notes["seconds"] >= NOTE_SECONDS)


def _judge(name: str, mode: str, figure: str, met: bool | None, where: str) -> dict[str, Any]:
    return {"target": name, "mode": mode, "figure": figure, "met": met, "at": where}


def targets(modes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each target, per pollinate mode, judged at the largest size that ran.

    `met` is None when the run was too small to say (fewer than 2,000 phones, or notes
    slower than 200/s or for less than 10 s): a CI-size run proves the harness, not the
    targets.
    """
    judged = []
    for mode in modes:
        if mode["mode"] == "bare" or not mode["steps"]:
            continue
        name, last = mode["mode"], mode["steps"][-1]
        where = f"{last['clients']} phones"
        full = last["clients"] >= FULL_SIZE_CLIENTS
        change = last["round_change"]
        p99 = change["arrival"]["p99_ms"]
        ok = p99 is not None and p99 < CHANGE_P99_MS and change["missing"] == 0
        judged.append(
            _judge(
                f"round change to {FULL_SIZE_CLIENTS:,} phones, p99 < {CHANGE_P99_MS:.0f} ms",
                name,
                f"p99 {p99} ms, {change['missing']} missing",
                ok if full else None,
                where,
            )
        )
        if (notes := last.get("notes")) is not None:
            p99 = notes["latency"]["p99_ms"]
            clean = sum(notes["failed"].values()) + notes["lost"] + notes["duplicated"] == 0
            ok = p99 is not None and p99 < NOTE_P99_MS and clean
            judged.append(
                _judge(
                    f"{NOTES_PER_SECOND:.0f} notes/s, p99 < {NOTE_P99_MS:.0f} ms, none lost "
                    "or duplicated",
                    name,
                    f"{notes['achieved_per_second']}/s of {notes['rate']:g}, p99 {p99} ms, "
                    f"lost {notes['lost']}, duplicated {notes['duplicated']}",
                    ok if sustained(notes) else None,
                    where,
                )
            )
        peak = mode.get("rss_peak_mb", 0.0)
        judged.append(
            _judge(
                f"server memory < {MEMORY_MB:.0f} MB",
                name,
                f"{peak} MB RSS (PSS {mode.get('pss_at_rss_peak_mb')} MB)",
                peak < MEMORY_MB if full else None,
                where,
            )
        )
    return judged


def idle_cores(step: dict[str, Any]) -> str | None:
    """The server's CPU (in cores) with every phone connected and nothing happening;
    marked "busy" when it never fell under the quiet threshold before measuring."""
    idle = step.get("server_idle")
    if idle is None:
        return None
    return f"{idle['cores']}" + ("" if idle["quiet"] else " busy")


def _table(title: str, header: list[str], rows: list[list[Any]]) -> None:
    cells = [header, *[["–" if value is None else str(value) for value in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    print(f"\n{title}")
    for number, row in enumerate(cells):
        print("  ".join(value.rjust(width) for value, width in zip(row, widths, strict=True)))
        if number == 0:
            print("  ".join("-" * width for width in widths))


def print_report(document: dict[str, Any]) -> None:
    """The figures as tables: round changes, notes, the ceiling, then the targets."""
    rows = []
    for mode in document["modes"]:
        for step in mode["steps"]:
            change = step["round_change"]
            arrival = change["arrival"]
            rows.append(
                [
                    f"{mode['mode']} ×{mode.get('workers', 1)}",
                    step["clients"],
                    step["connected"],
                    step["connect_seconds"],
                    arrival["p50_ms"],
                    arrival["p95_ms"],
                    arrival["p99_ms"],
                    arrival["max_ms"],
                    change["missing"],
                    change["post"]["p50_ms"],
                    idle_cores(step),
                    step.get("rss_idle_mb"),
                    step["rss_peak_mb"],
                    step["server_cpu_seconds"],
                    step["harness_cpu_seconds"],
                    step["errors"],
                ]
            )
    _table(
        "Round change → every phone (ms from just before the facilitator's POST)",
        [
            *("mode", "phones", "connected", "connect s", "p50", "p95", "p99", "max"),
            *("missing", "POST p50", "idle cores", "idle RSS MB", "peak RSS MB"),
            *("server CPU s", "harness CPU s", "errors"),
        ],
        rows,
    )
    rows = []
    for mode in document["modes"]:
        for step in mode["steps"]:
            if (notes := step.get("notes")) is None:
                continue
            latency, stream = notes["latency"], notes["stream"]
            rows.append(
                [
                    f"{mode['mode']} ×{mode.get('workers', 1)}",
                    step["clients"],
                    f"{notes['acked']}/{notes['sent']}",
                    notes["achieved_per_second"],
                    latency["p50_ms"],
                    latency["p95_ms"],
                    latency["p99_ms"],
                    latency["max_ms"],
                    sum(notes["failed"].values()),
                    notes["lost"],
                    notes["duplicated"],
                    notes["stream_missing"],
                    stream["p99_ms"],
                    notes["send_lag_max_ms"],
                ]
            )
    if rows:
        _table(
            "Notes (ms from each note's scheduled send; open loop)",
            [
                *("mode", "phones", "ok/sent", "per s", "p50", "p95", "p99", "max", "failed"),
                *("lost", "dup", "not on stream", "stream p99", "send lag max"),
            ],
            rows,
        )
    ceiling = {
        step["clients"]: step["round_change"]["arrival"]["p99_ms"]
        for mode in document["modes"]
        if mode["mode"] == "bare"
        for step in mode["steps"]
    }
    if ceiling:
        others = [mode for mode in document["modes"] if mode["mode"] != "bare"]
        rows = []
        for clients, bare in ceiling.items():
            row: list[Any] = [clients, bare]
            for mode in others:
                p99 = next(
                    (
                        s["round_change"]["arrival"]["p99_ms"]
                        for s in mode["steps"]
                        if s["clients"] == clients
                    ),
                    None,
                )
                ratio = f" ({p99 / bare:.1f}×)" if p99 is not None and bare else ""
                row.append(None if p99 is None else f"{p99}{ratio}")
            rows.append(row)
        _table(
            "Round change p99 (ms) against the bare Starlette ceiling",
            ["phones", "bare", *[mode["mode"] for mode in others]],
            rows,
        )
    for key, title in (
        ("rss_at_rest_by_kind_mb", "RSS by process at rest (MB, session created, no phone yet)"),
        ("rss_peak_by_kind_mb", "Peak RSS by process (MB, at the run's highest sum)"),
    ):
        if measured := [mode for mode in document["modes"] if mode.get(key)]:
            print(f"\n{title}")
        for mode in measured:
            parts = ", ".join(f"{kind} {mb}" for kind, mb in mode[key].items())
            print(f"  {mode['mode']:<8} {round(sum(mode[key].values()), 1)} = {parts}")
    print("\nTargets")
    for judged in document.get("targets", []):
        verdict = {True: "met", False: "MISSED", None: "not judged (run below full size)"}
        print(
            f"  {judged['mode']:<8} {judged['target']}: {judged['figure']} at {judged['at']} "
            f"→ {verdict[judged['met']]}"
        )
    for problem in document["problems"]:
        print(f"  problem: {problem}")
