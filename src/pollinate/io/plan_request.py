"""`request.json`: the planner settings kept beside a plan, so `replan` can re-run alike.

The places and the seating live in `plan.json`; the people in `roster.csv`. This file
holds the rest of the `PlanRequest`: rounds, auto hosts, seed, time limit and the
keep-apart/keep-together pairs.
"""

from __future__ import annotations

import json
from pathlib import Path

from pollinate.core.planner.model import Place, PlanRequest
from pollinate.core.roster import Participant
from pollinate.errors import InputError

FORMAT = "pollinate.request/1"


def write_request(request: PlanRequest, path: Path) -> None:
    data = {
        "format": FORMAT,
        "rounds": request.rounds,
        "auto_hosts": request.auto_hosts,
        "seed": request.seed,
        "time_limit": request.time_limit,
        "keep_apart": sorted(list(pair) for pair in request.keep_apart),
        "keep_together": sorted(list(pair) for pair in request.keep_together),
    }
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def read_request(
    path: Path, *, participants: tuple[Participant, ...], places: tuple[Place, ...]
) -> PlanRequest:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as missing:
        raise InputError(
            "the plan folder has no request.json",
            file=str(path),
            advice="Point at a folder written by `pollinate plan --out DIR`.",
        ) from missing
    except json.JSONDecodeError as bad:
        raise InputError(f"not valid JSON ({bad.msg})", file=str(path), line=bad.lineno) from bad
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(
            f"not a pollinate request file (expected format {FORMAT!r})",
            file=str(path),
            field="format",
        )
    try:
        return PlanRequest(
            participants=participants,
            places=places,
            rounds=int(data["rounds"]),
            auto_hosts=bool(data["auto_hosts"]),
            seed=int(data["seed"]),
            time_limit=float(data["time_limit"]),
            keep_apart=frozenset(_pair(p) for p in data.get("keep_apart", [])),
            keep_together=frozenset(_pair(p) for p in data.get("keep_together", [])),
        )
    except (KeyError, TypeError, ValueError) as bad:
        raise InputError(f"missing or malformed value ({bad})", file=str(path)) from bad


def _pair(value: object) -> tuple[str, str]:
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError(f"a pair must be a list of two ids, got {value!r}")
    first, second = value
    return (str(first), str(second))
