"""How well and how fast the planner seats synthetic IGF-like cafés.

Run: .venv/bin/python bench/planner.py [NAME ...] [--seed N]
Wall-clock seconds ("seconds") and the process's CPU seconds ("cpu_seconds") are both
reported: on a shared, busy machine the CPU figure is the one to compare with targets.
Each instance runs in a fresh Python process, so its peak memory is its own: the figure
is the process's peak resident set size from resource.getrusage (ru_maxrss), which
includes the interpreter and numpy (about 30 MB before any planning). Prints a table and
writes bench/results/planner.json. The planner is single-threaded.

Instances (rosters from pollinate.core.synthetic_roster.generate_roster):
    30       30 onsite, 6 tables of 6, 3 rounds
    120      120 people, 20 % online: 16 tables of 6 + 4 rooms of 6, 4 rounds
    1000     1,000 people, 20 % online: 100 tables of 8 + 25 rooms of 8, 4 rounds
    5000     5,000 people, 20 % online: 500 tables of 8 + 125 rooms of 8, 4 rounds
The generator's default of one host per 8 onsite and per 6 online people asks for more
online hosts than the 1,000 and 5,000 instances have rooms, so those two take the largest
host count whose onsite/online split fits the places. Every place without a designated
host gets an auto host (the default).

After planning, the 120 and 1,000 instances also re-plan after round 1 for one person
marked absent and one late arrival (the places are full, so an arrival alone would not
fit), reporting seconds and how many planned (person, round) seats moved.
"""

from __future__ import annotations

import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from pollinate.core.planner.bounds import pool_bounds
from pollinate.core.planner.metrics import measure
from pollinate.core.planner.model import Place, Plan, PlanRequest
from pollinate.core.planner.replan import replan
from pollinate.core.planner.search import plan_seating
from pollinate.core.roster import Participant
from pollinate.core.synthetic_roster import (
    ONLINE_PER_HOST,
    ONSITE_PER_HOST,
    apportion,
    generate_roster,
)

RESULTS = Path(__file__).resolve().parent / "results" / "planner.json"
TIME_LIMIT = 60.0  # the planner's own budget; the targets are well below it


@dataclass(frozen=True)
class Instance:
    name: str
    people: int
    online_fraction: float
    tables: int
    rooms: int
    capacity: int
    rounds: int
    fit_hosts: bool  # choose the host count so the split fits the places


INSTANCES = {
    i.name: i
    for i in (
        Instance("30", 30, 0.0, 6, 0, 6, 3, fit_hosts=False),
        Instance("120", 120, 0.2, 16, 4, 6, 4, fit_hosts=False),
        Instance("1000", 1000, 0.2, 100, 25, 8, 4, fit_hosts=True),
        Instance("5000", 5000, 0.2, 500, 125, 8, 4, fit_hosts=True),
    )
}


def host_count(instance: Instance) -> int | None:
    """None (the generator's default), or the most hosts whose split fits the places."""
    if not instance.fit_hosts:
        return None
    online = round(instance.people * instance.online_fraction)
    wanted = [
        math.ceil((instance.people - online) / ONSITE_PER_HOST),
        math.ceil(online / ONLINE_PER_HOST),
    ]
    fitting = [
        h
        for h in range(instance.tables + instance.rooms + 1)
        if apportion(h, wanted)[0] <= instance.tables
        and h - apportion(h, wanted)[0] <= instance.rooms
    ]
    return max(fitting)


def request_for(instance: Instance, seed: int) -> PlanRequest:
    roster = generate_roster(
        instance.people,
        online_fraction=instance.online_fraction,
        seed=seed,
        hosts=host_count(instance),
    )
    places = tuple(Place(f"Table {i + 1}", instance.capacity) for i in range(instance.tables))
    places += tuple(
        Place(f"Room {i + 1}", instance.capacity, online=True) for i in range(instance.rooms)
    )
    return PlanRequest(
        roster.participants, places, rounds=instance.rounds, seed=seed, time_limit=TIME_LIMIT
    )


def moved(before: Plan, after: Plan, after_round: int) -> int:
    return sum(
        1
        for r in range(after_round, before.rounds)
        for pid, place in before.seating[r].items()
        if after.seating[r].get(pid, place) != place
    )


def run_one(name: str, seed: int) -> dict[str, object]:
    instance = INSTANCES[name]
    request = request_for(instance, seed)
    started, cpu = time.perf_counter(), time.process_time()
    plan = plan_seating(request, clock=time.perf_counter)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    started = time.perf_counter()
    metrics = measure(plan, request.participants)
    measure_seconds = time.perf_counter() - started
    result: dict[str, object] = {
        "instance": asdict(instance),
        "seed": seed,
        "hosts_designated": sum(p.is_host for p in request.participants),
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "measure_seconds": round(measure_seconds, 3),
        "repeated_pairs": metrics.repeated_pairs,
        "repeated_pairs_lower_bound": metrics.repeated_pairs_lower_bound,
        "bound_parts_by_pool": [
            asdict(b) for b in pool_bounds(request.places, plan.seating, hosts=plan.hosts)
        ],
        "diversity_score": round(metrics.diversity_score, 4),
        "distinct_groups": [metrics.distinct_groups, metrics.distinct_groups_bound],
        "distinct_regions": [metrics.distinct_regions, metrics.distinct_regions_bound],
        "size_spread": metrics.size_spread,
    }
    if name in {"120", "1000"}:
        late = Participant(
            id="late-arrival", name="Late Arrival", stakeholder_group="academia", region="Africa"
        )
        hosts = set(plan.hosts.values())
        absent = next(  # someone onsite, like the late arrival, so the seats still suffice
            p.id
            for p in request.participants
            if p.id not in hosts and p.attendance is late.attendance
        )
        started = time.perf_counter()
        after = replan(
            plan,
            request,
            after_round=1,
            arrivals=[late],
            leavers={absent},
            clock=time.perf_counter,
        )
        result["replan_seconds"] = round(time.perf_counter() - started, 3)
        result["replan_moves"] = moved(plan, after, 1)
    # ru_maxrss is in kilobytes on Linux (bytes on macOS)
    scale = 1 if platform.system() == "Darwin" else 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    result["peak_rss_mb"] = round(peak / 2**20, 1)
    return result


def main(argv: list[str]) -> None:
    if argv[:1] == ["--one"]:
        print(json.dumps(run_one(argv[1], int(argv[2]))))
        return
    seed = 0
    if "--seed" in argv:
        at = argv.index("--seed")
        seed = int(argv[at + 1])
        del argv[at : at + 2]
    names = argv or list(INSTANCES)
    results = []
    print(
        f"{'instance':>8} {'seconds':>8} {'cpu s':>8} {'repeats':>8} {'bound':>6} {'diversity':>9} "
        f"{'spread':>6} {'peak MB':>8}  replan (s, moves)"
    )
    for name in names:
        done = subprocess.run(
            [sys.executable, __file__, "--one", name, str(seed)],
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(done.stdout)
        results.append(result)
        extra = (
            f"{result['replan_seconds']}, {result['replan_moves']}"
            if "replan_seconds" in result
            else ""
        )
        print(
            f"{name:>8} {result['seconds']:>8} {result['cpu_seconds']:>8} "
            f"{result['repeated_pairs']:>8} "
            f"{result['repeated_pairs_lower_bound']:>6} {result['diversity_score']:>9} "
            f"{result['size_spread']:>6} {result['peak_rss_mb']:>8}  {extra}"
        )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "python": platform.python_version(),
                "machine": platform.machine(),
                "cpus": os.cpu_count(),
                "memory_figure": "peak RSS of a fresh process per instance (getrusage)",
                "results": results,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main(sys.argv[1:])
