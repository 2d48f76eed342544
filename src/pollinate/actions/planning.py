"""Plan and re-plan a session: the one use case behind `pollinate plan`, `replan` and `demo`.

    roster file ─┐
    session file ┼─▶ build_request() ─▶ plan_seating() ─▶ measure() ─▶ PlanOutcome
    flags ───────┘

The live app calls `replan_session` when someone arrives late or leaves, with the same
planner underneath.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from pollinate.core.planner.metrics import measure
from pollinate.core.planner.model import Place, Plan, PlanMetrics, PlanRequest
from pollinate.core.planner.places import places_from_counts, places_from_session
from pollinate.core.planner.replan import replan
from pollinate.core.planner.search import plan_seating
from pollinate.core.roster import Participant, Roster
from pollinate.core.session import SessionSpec
from pollinate.errors import InputError

Progress = Callable[[float], None]

DEFAULT_ROUNDS = 3
DEFAULT_CAPACITY = 6


@dataclass(frozen=True, slots=True)
class SeatingFlags:
    """What the `plan` command's flags say; None means "take it from the session file"."""

    rounds: int | None = None
    tables: int | None = None
    capacity: int | None = None
    online_rooms: int | None = None
    online_capacity: int | None = None
    auto_hosts: bool = True
    seed: int = 0
    time_limit: float = 30.0
    keep_apart: frozenset[tuple[str, str]] = frozenset()
    keep_together: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True, slots=True)
class PlanOutcome:
    """A plan with its metrics, the request that made it and the seconds it took."""

    request: PlanRequest
    plan: Plan
    metrics: PlanMetrics
    seconds: float


def build_request(roster: Roster, spec: SessionSpec | None, flags: SeatingFlags) -> PlanRequest:
    """Combine the session file (if any) with the flags; flags win where both say something."""
    places = _places(spec, flags)
    rounds = flags.rounds or (spec.round_count if spec is not None else DEFAULT_ROUNDS)
    if rounds < 1:
        raise InputError("the number of rounds must be at least 1", field="--rounds")
    unknown = sorted(
        {pid for pair in flags.keep_apart | flags.keep_together for pid in pair}
        - {p.id for p in roster}
    )
    if unknown:
        raise InputError(
            f"keep-apart/keep-together names ids not on the roster: {', '.join(unknown)}",
            field="--keep-apart/--keep-together",
            advice="Use the ids from the roster's id column (see `pollinate roster check`).",
        )
    return PlanRequest(
        participants=roster.participants,
        places=places,
        rounds=rounds,
        auto_hosts=flags.auto_hosts,
        keep_apart=flags.keep_apart,
        keep_together=flags.keep_together,
        seed=flags.seed,
        time_limit=flags.time_limit,
    )


def _places(spec: SessionSpec | None, flags: SeatingFlags) -> tuple[Place, ...]:
    by_flags = flags.tables is not None or flags.online_rooms is not None
    if spec is not None and not by_flags:
        places = places_from_session(spec)
    else:
        places = places_from_counts(
            tables=flags.tables or 0,
            capacity=flags.capacity or DEFAULT_CAPACITY,
            online_rooms=flags.online_rooms or 0,
            online_capacity=flags.online_capacity,
        )
    if not places:
        raise InputError(
            "there are no tables or online rooms to seat people at",
            field="--tables",
            advice="Give a session file with tables/rooms, or --tables N (and --online-rooms N).",
        )
    for place in places:
        if place.capacity < 1:
            raise InputError(
                f"{place.name} has capacity {place.capacity}",
                field="--capacity",
                advice="Capacities must be at least 1.",
            )
    return places


def plan_session(request: PlanRequest, progress: Progress | None = None) -> PlanOutcome:
    """Run the planner and measure its plan against the instance's bounds."""
    started = time.perf_counter()
    plan = plan_seating(request, clock=time.monotonic, progress=progress)
    seconds = time.perf_counter() - started
    metrics = measure(plan, request.participants, keep_together=request.keep_together)
    return PlanOutcome(request=request, plan=plan, metrics=metrics, seconds=seconds)


def replan_session(
    outcome_request: PlanRequest,
    plan: Plan,
    *,
    after_round: int,
    arrivals: Sequence[Participant],
    leavers: Collection[str],
) -> PlanOutcome:
    """Seat arrivals and drop leavers after `after_round`, keeping earlier rounds as they were."""
    if not 0 <= after_round <= plan.rounds:
        raise InputError(
            f"--after-round {after_round} is outside the plan's rounds 0..{plan.rounds}",
            field="--after-round",
        )
    known = {p.id for p in outcome_request.participants}
    missing = sorted(set(leavers) - known)
    if missing:
        raise InputError(
            f"unknown participant ids to remove: {', '.join(missing)}",
            field="--leave",
            advice="Use ids from the plan's roster.csv.",
        )
    clash = sorted(p.id for p in arrivals if p.id in known)
    if clash:
        raise InputError(
            f"arrivals already on the roster: {', '.join(clash)}",
            field="--arrive",
            advice="Give only the new people, or remove the id column so ids are generated.",
        )
    started = time.perf_counter()
    new_plan = replan(
        plan,
        outcome_request,
        after_round=after_round,
        arrivals=arrivals,
        leavers=leavers,
        clock=time.monotonic,
    )
    seconds = time.perf_counter() - started
    everyone = tuple(outcome_request.participants) + tuple(arrivals)
    request = PlanRequest(
        participants=everyone,
        places=outcome_request.places,
        rounds=outcome_request.rounds,
        auto_hosts=outcome_request.auto_hosts,
        keep_apart=outcome_request.keep_apart,
        keep_together=outcome_request.keep_together,
        seed=outcome_request.seed,
        time_limit=outcome_request.time_limit,
    )
    metrics = measure(new_plan, everyone, keep_together=request.keep_together)
    return PlanOutcome(request=request, plan=new_plan, metrics=metrics, seconds=seconds)


def moved_people(before: Plan, after: Plan, after_round: int) -> int:
    """How many (person, round) seats after `after_round` changed between two plans."""
    moves = 0
    for index in range(after_round, min(before.rounds, after.rounds)):
        old, new = before.seating[index], after.seating[index]
        moves += sum(1 for pid, place in old.items() if pid in new and new[pid] != place)
    return moves
