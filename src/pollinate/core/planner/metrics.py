"""How good a plan is, each figure beside the bound the instance allows.

    repeated pairings  Σ over pairs of max(0, meetings − 1)  vs  repeated_pairs_lower_bound
    diversity          distinct groups and regions per place  vs  distinct_bound
    balance            largest − smallest place size in a pool, worst round

A person with no stakeholder group (or no region) adds nothing to the distinct counts and
nothing to their bound: "unknown" is not a group of its own.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence

from pollinate.core.planner.bounds import distinct_bound, repeated_pairs_lower_bound
from pollinate.core.planner.model import Plan, PlanMetrics
from pollinate.core.roster import Participant


def meetings(plan: Plan) -> Counter[tuple[str, str]]:
    """How many rounds each pair of people (ids in sorted order) sits at the same place.

    >>> from pollinate.core.planner.model import Place
    >>> plan = Plan((Place("A", 3),), ({"a": "A", "b": "A"}, {"a": "A", "b": "A"}))
    >>> meetings(plan)
    Counter({('a', 'b'): 2})
    """
    met: Counter[tuple[str, str]] = Counter()
    for seat in plan.seating:
        for sitters in _sitters(seat).values():
            ordered = sorted(sitters)
            for i, a in enumerate(ordered):
                for b in ordered[i + 1 :]:
                    met[a, b] += 1
    return met


def repeated_pairs(plan: Plan) -> int:
    """Σ over pairs of max(0, meetings − 1): each meeting after a pair's first counts once."""
    return sum(count - 1 for count in meetings(plan).values())


def measure(
    plan: Plan,
    participants: Sequence[Participant],
    *,
    keep_together: Collection[tuple[str, str]] = frozenset(),
) -> PlanMetrics:
    """Measure `plan`; `participants` supplies groups and regions (ids it lacks are unknowns).

    >>> from pollinate.core.planner.model import Place
    >>> people = [Participant(id=i, name=i, stakeholder_group=g) for i, g in
    ...           [("a", "gov"), ("b", "gov"), ("c", "ngo"), ("d", "ngo")]]
    >>> plan = Plan((Place("A", 2), Place("B", 2)),
    ...             ({"a": "A", "c": "A", "b": "B", "d": "B"},))
    >>> m = measure(plan, people)
    >>> m.distinct_groups, m.distinct_groups_bound, m.repeated_pairs
    (4, 4, 0)
    """
    people = {p.id: p for p in participants}
    groups = groups_bound = regions = regions_bound = 0
    spread = 0
    for seat in plan.seating:
        sitters = _sitters(seat)
        for online in (False, True):
            pool = [place.name for place in plan.places if place.online == online]
            sizes = [len(sitters.get(name, ())) for name in pool]
            if not any(sizes):
                continue
            spread = max(spread, max(sizes) - min(sizes))
            for attribute in ("stakeholder_group", "region"):
                here, bound = _diversity(
                    [sitters.get(name, []) for name in pool], people, attribute
                )
                if attribute == "region":
                    regions, regions_bound = regions + here, regions_bound + bound
                else:
                    groups, groups_bound = groups + here, groups_bound + bound
    total_bound = groups_bound + regions_bound
    return PlanMetrics(
        repeated_pairs=repeated_pairs(plan),
        repeated_pairs_lower_bound=repeated_pairs_lower_bound(
            plan.places, plan.seating, hosts=plan.hosts, keep_together=keep_together
        ),
        diversity_score=(groups + regions) / total_bound if total_bound else 1.0,
        distinct_groups=groups,
        distinct_groups_bound=groups_bound,
        distinct_regions=regions,
        distinct_regions_bound=regions_bound,
        size_spread=spread,
        participants=len(set().union(*(seat.keys() for seat in plan.seating))),
        rounds=plan.rounds,
    )


def _sitters(seat: Mapping[str, str]) -> dict[str, list[str]]:
    at: defaultdict[str, list[str]] = defaultdict(list)
    for pid, place in seat.items():
        at[place].append(pid)
    return dict(at)


def _value(person: Participant | None, attribute: str) -> str | None:
    value = getattr(person, attribute, None) if person is not None else None
    return str(value) if value else None


def _diversity(
    places: Iterable[Sequence[str]], people: Mapping[str, Participant], attribute: str
) -> tuple[int, int]:
    """(distinct values summed over places, the most the round's counts allow)."""
    sizes: list[int] = []
    counts: Counter[str] = Counter()
    achieved = 0
    for sitters in places:
        sizes.append(len(sitters))
        values = [_value(people.get(pid), attribute) for pid in sitters]
        known = [v for v in values if v is not None]
        counts.update(known)
        achieved += len(set(known))
    return achieved, distinct_bound(sizes, counts.values())
