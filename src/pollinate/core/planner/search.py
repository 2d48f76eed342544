"""The planner's one entry point: `plan_seating`.

    lay_out (checks; sizes; designated hosts' places)
      └─ per pool (onsite, then online; they share no place and no pair), 1–4 attempts:
           round 1 greedily ─▶ auto hosts among round-1 sitters ─▶ rounds 2..R greedily
           ─▶ simulated annealing over swaps (`improve.py`) ─▶ keep the best attempt
    ─▶ every hard rule checked again (`rules.py`) ─▶ Plan

Randomness comes only from `random.Random(request.seed)`; time only from the injected
`clock`, which can stop the annealing (and further attempts) early. So for a given
request the plan is the same on every run that finishes within `request.time_limit`.
The time limit is shared by the pools in proportion to their head counts.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from pollinate.core.planner.bounds import distinct_bound, pool_shape_bound
from pollinate.core.planner.chart import SeatingChart
from pollinate.core.planner.construct import seat_round
from pollinate.core.planner.feasibility import PoolLayout, lay_out
from pollinate.core.planner.improve import Budget, Goal, improve
from pollinate.core.planner.model import Plan, PlanRequest
from pollinate.core.planner.rules import seating_faults
from pollinate.errors import InfeasibleError

Progress = Callable[[float], None]

CONSTRUCTION_SHARE = 0.2  # of each pool's progress bar, before the annealing
ITERATIONS_PER_SEAT = 100  # annealing budget per person and round, but at least:
MIN_ITERATIONS = 60_000  # small pools are cheap per move and often the hardest
# where repeats are forced the diversity goal (which ignores repeats) is out of reach, so
# the annealing never stops early; half the budget loses little (bench: 24 people in 4
# rooms reach their repeat bound at either budget, diversity 0.92 against 0.94)
FORCED_MIN_ITERATIONS = 30_000
PATIENCE_PER_SEAT = 12  # stop after this many moves per person-round without a new best
MIN_PATIENCE = 20_000
SMALL_POOL_SEATS = 400  # pools with fewer person-rounds than this get several attempts
MAX_ATTEMPTS = 4
FORCED_REPEATS_TEMPERATURE = 5.0  # start temperatures; tuned on bench/planner.py instances
FREE_TEMPERATURE = 1.0


@dataclass(frozen=True, slots=True)
class PoolPlan:
    """One pool's result: seats by round (person → place), hosts, and auto-hosted places."""

    seating: tuple[Mapping[int, int], ...]
    hosts: Mapping[int, int]
    auto_hosts: frozenset[int]
    goal: Goal


def plan_seating(
    request: PlanRequest,
    *,
    clock: Callable[[], float],
    progress: Progress | None = None,
) -> Plan:
    """Seat everyone for every round, keeping every hard rule; raise `InfeasibleError` if
    the instance (or, failing that, the search) cannot.

    Objectives, in order: fewest repeated pairings, most mixed places, then balance (a
    hard rule here, so always met). `progress` receives the fraction done, from 0 to 1.
    """
    start = clock()
    layouts = lay_out(request)
    rng = random.Random(request.seed)  # noqa: S311 (seeded for repeatability, not secrecy)
    seating: list[dict[str, str]] = [{} for _ in range(request.rounds)]
    hosts: dict[str, str] = {}
    auto: set[str] = set()
    total = sum(len(layout.people) for layout in layouts) or 1
    done = 0
    for layout in layouts:
        share = len(layout.people) / total
        left = max(0.0, start + request.time_limit - clock())
        deadline = clock() + left * len(layout.people) / max(1, total - done)
        pool_rng = random.Random(rng.getrandbits(64))  # noqa: S311
        report = _scaled(progress, done / total, share)
        result = plan_pool(
            layout, request, pool_rng, clock=clock, deadline=deadline, progress=report
        )
        for r, seats in enumerate(result.seating):
            for p, j in seats.items():
                seating[r][layout.people[p].id] = layout.places[j].name
        for j, h in result.hosts.items():
            hosts[layout.places[j].name] = layout.people[h].id
        auto.update(layout.places[j].name for j in result.auto_hosts)
        done += len(layout.people)
    plan = Plan(
        places=request.places,
        seating=tuple(seating),
        hosts=hosts,
        auto_hosts=frozenset(auto),
    )
    faults = seating_faults(
        plan,
        request.participants,
        keep_apart=request.keep_apart,
        keep_together=request.keep_together,
    )
    if faults:
        raise InfeasibleError(
            faults[0].constraint,
            f"the search found no plan keeping every rule ({faults[0].detail}"
            + (f", and {len(faults) - 1} more" if len(faults) > 1 else "")
            + ")",
        )
    if progress is not None:
        progress(1.0)
    return plan


def plan_pool(
    layout: PoolLayout,
    request: PlanRequest,
    rng: random.Random,
    *,
    clock: Callable[[], float],
    deadline: float,
    progress: Progress | None = None,
) -> PoolPlan:
    """Construct and improve one pool's seating (see the module docstring).

    Small pools, where one annealing run is cheap but the landscape is rugged, get a few
    independent attempts (each its own construction and annealing, drawn from `rng` in
    turn) and keep the best; the attempts share the pool's iteration budget.
    """
    seats = len(layout.people) * request.rounds
    attempts = max(1, min(MAX_ATTEMPTS, SMALL_POOL_SEATS // seats))
    first = _scaled(progress, 0.0, 1 / attempts)
    chart, best = _attempt(layout, request, rng, clock, deadline, first, attempts)
    score = (chart.clashes, chart.repeats, -chart.distinct)
    for attempt in range(1, attempts):
        if best.goal.met(chart) or clock() >= deadline:
            break
        report = _scaled(progress, attempt / attempts, 1 / attempts)
        chart, plan = _attempt(layout, request, rng, clock, deadline, report, attempts)
        if (chart.clashes, chart.repeats, -chart.distinct) < score:
            score, best = (chart.clashes, chart.repeats, -chart.distinct), plan
    return best


def _attempt(
    layout: PoolLayout,
    request: PlanRequest,
    rng: random.Random,
    clock: Callable[[], float],
    deadline: float,
    progress: Progress | None,
    attempts: int,
) -> tuple[SeatingChart, PoolPlan]:
    rounds, m = request.rounds, len(layout.places)
    chart = SeatingChart(
        rounds,
        m,
        groups=codes(p.stakeholder_group for p in layout.people),
        regions=codes(p.region for p in layout.people),
        apart=layout.apart,
    )
    fixed = {h: j for j, h in layout.hosts.items()}
    seat_round(layout, chart, 0, fixed, rng)
    auto = choose_auto_hosts(layout, chart, fixed, rng) if request.auto_hosts else {}
    fixed.update({h: j for j, h in auto.items()})
    for r in range(1, rounds):
        if progress is not None:
            progress(CONSTRUCTION_SHARE * r / rounds)
        seat_round(layout, chart, r, fixed, rng)
    in_block = {p for block in layout.blocks for p in block}
    pinned = [p in fixed or p in in_block for p in range(len(layout.people))]
    seats = len(layout.people) * rounds
    target = goal(layout, chart, fixed)
    budget = Budget(
        iterations=max(
            FORCED_MIN_ITERATIONS if target.repeats else MIN_ITERATIONS,
            ITERATIONS_PER_SEAT * seats,
        )
        // attempts,
        patience=max(MIN_PATIENCE, PATIENCE_PER_SEAT * seats) // attempts,
        deadline=deadline,
        clock=clock,
        progress=_scaled(progress, CONSTRUCTION_SHARE, 1 - CONSTRUCTION_SHARE),
        # where repeats are forced the search must climb over them (exp(-10/5) ≈ 0.14);
        # where none are, a cooler start keeps it from wandering off the zero
        start_temperature=FORCED_REPEATS_TEMPERATURE if target.repeats else FREE_TEMPERATURE,
    )
    improve(chart, layout, pinned, target, budget, rng)
    return chart, PoolPlan(
        seating=tuple({p: j for p, j in enumerate(row) if j >= 0} for row in chart.seat),
        hosts={j: h for h, j in fixed.items()},
        auto_hosts=frozenset(auto),
        goal=target,
    )


def goal(layout: PoolLayout, chart: SeatingChart, fixed: Mapping[int, int]) -> Goal:
    """The bounds the annealing may stop at: they depend only on the chart's shape."""
    shape = [{str(p): j for p, j in enumerate(row) if j >= 0} for row in chart.seat]
    pairs = {(str(a), str(b)) for block in layout.blocks for a in block for b in block if a < b}
    lower = pool_shape_bound(
        chart.places, shape, {j: str(h) for h, j in fixed.items()}, pairs
    ).value
    distinct = 0
    for row in chart.members:
        sizes = [len(sitters) for sitters in row]
        here = [p for sitters in row for p in sitters]
        for values in (chart.group, chart.region):
            counts = Counter(values[p] for p in here if values[p] >= 0)
            distinct += distinct_bound(sizes, counts.values())
    return Goal(repeats=lower, distinct=distinct)


def choose_auto_hosts(
    layout: PoolLayout, chart: SeatingChart, fixed: Mapping[int, int], rng: random.Random
) -> dict[int, int]:
    """A host for each place without a designated one, among its round-1 sitters.

    Preferred: someone outside any keep-together group (a host pins their group to the
    place), then someone of the pool's most common stakeholder group and region, because
    a host's group is at that place every round and the common groups are the ones with
    enough people to be everywhere; remaining ties are broken by the seeded random source.
    """
    in_block = {p for block in layout.blocks for p in block}
    group_count = Counter(chart.group)
    region_count = Counter(chart.region)
    chosen: dict[int, int] = {}
    for j in range(len(layout.places)):
        if j in layout.hosts:
            continue
        sitters = [p for p in chart.members[0][j] if p not in fixed]
        if not sitters:
            continue
        lottery = {p: rng.random() for p in sitters}
        chosen[j] = min(
            sitters,
            key=lambda p: (
                p in in_block,
                -group_count[chart.group[p]] if chart.group[p] >= 0 else 0,
                -region_count[chart.region[p]] if chart.region[p] >= 0 else 0,
                lottery[p],
            ),
        )
    return chosen


def codes(values: Iterable[str | None]) -> list[int]:
    """Small ints for attribute values in first-seen order; -1 for a missing value.

    >>> codes(["gov", None, "ngo", "gov", ""])
    [0, -1, 1, 0, -1]
    """
    seen: dict[str, int] = {}
    return [seen.setdefault(v, len(seen)) if v else -1 for v in values]


def _scaled(progress: Progress | None, base: float, width: float) -> Progress | None:
    if progress is None:
        return None
    report = progress

    def scaled(fraction: float) -> None:
        report(base + width * min(1.0, max(0.0, fraction)))

    return scaled
