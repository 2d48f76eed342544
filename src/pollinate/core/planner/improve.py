"""Improve a constructed chart by simulated annealing over swaps of two people.

A move swaps two movable people (not hosts, not keep-together members) of the pool in
one round, between two places whose languages both speak; swaps keep every place's
size, so balance, capacities and attendance pools hold throughout. The chart is judged by

    CLASH · keep-apart clashes + REPEAT · repeated pairings − distinct groups/regions

with REPEAT = 10 > 4, the most one swap can change the distinct count, so no swap that
is kept as the best trades a repeat for diversity: the objectives stay lexicographic.
The best chart by that measure is kept and restored at the end.

The walk itself weighs a repeat less at first (`Budget.start_weight`, rising linearly to
REPEAT over the first `weight_ramp` of the run): on small, crowded pools a plan with no
repeats and full diversity is often reachable only through plans with a repeat or two
(measured on the 30-person bench café: diversity 0.93–0.95 without the ramp, 0.97–0.99
with it, at the same budget). Worse moves are accepted with probability exp(−Δ/T) as
T cools geometrically. Moves are drawn towards trouble: most pick a person from a
clashing or repeated pair, in a round where that pair sits together, or someone whose
group or region their place already has; the partner is the best found at a few random
places (for a duplicate, only places lacking that group or region).

The search stops when the iteration budget is spent, when the best has not improved
for `patience` moves (counted once repeats weigh in full), when the clashes, repeats
and distinct counts meet their bounds, or at the deadline read from the injected clock.
Only the deadline depends on the clock, so for a given seed the result is the same on
every run that ends before it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pollinate.core.planner.chart import SeatingChart
from pollinate.core.planner.feasibility import PoolLayout

CLASH = 1000
REPEAT = 10
CHECK_EVERY = 256  # iterations between clock reads and progress reports
TARGET_PLACES = 3  # places searched for a partner of someone in trouble (else 1)


@dataclass(frozen=True, slots=True)
class Goal:
    """When the search may stop early: no clashes, repeats at their lower bound and
    distinct groups and regions at their upper bound.

    >>> Goal(repeats=0, distinct=40).repeats
    0
    """

    repeats: int
    distinct: int

    def met(self, chart: SeatingChart) -> bool:
        """True when `chart` has no clash and meets both bounds."""
        return (
            chart.clashes == 0 and chart.repeats <= self.repeats and chart.distinct >= self.distinct
        )


@dataclass(frozen=True, slots=True)
class Budget:
    """How long the search may run: iterations, patience (iterations without a new best)
    and a deadline on the injected clock; and how it walks: the temperature falls from
    `start_temperature` to `end_temperature`, a repeat's weight rises from `start_weight`
    to REPEAT over the first `weight_ramp` of the iterations.

    >>> Budget(iterations=1000, patience=200, deadline=5.0, clock=lambda: 0.0).patience
    200
    """

    iterations: int
    patience: int
    deadline: float
    clock: Callable[[], float]
    progress: Callable[[float], None] | None = None
    start_temperature: float = 1.0
    end_temperature: float = 0.1
    start_weight: float = 2.0
    weight_ramp: float = 0.9


def _below(rng: random.Random, n: int) -> int:
    """A uniform int in [0, n): `random()` scaled, several times faster than `randrange`."""
    return int(rng.random() * n)


def improve(
    chart: SeatingChart,
    layout: PoolLayout,
    pinned: Sequence[bool],
    goal: Goal,
    budget: Budget,
    rng: random.Random,
) -> None:
    """Anneal `chart` in place; people with `pinned[p]` never move."""
    search = _Annealing(chart, layout, pinned, rng)
    search.run(goal, budget)


class _Annealing:
    def __init__(
        self,
        chart: SeatingChart,
        layout: PoolLayout,
        pinned: Sequence[bool],
        rng: random.Random,
    ) -> None:
        self.chart = chart
        self.pinned = pinned
        self.rng = rng
        self.place_class = layout.place_class
        self.allowed = layout.allowed
        self.one_class = len(set(layout.place_class)) == 1
        self.weight: float = REPEAT
        self.movable = [
            [p for p, j in enumerate(row) if j >= 0 and not pinned[p]] for row in chart.seat
        ]

    def cost(self) -> int:
        chart = self.chart
        return CLASH * chart.clashes + REPEAT * chart.repeats - chart.distinct

    def can_sit(self, p: int, j: int) -> bool:
        return self.one_class or self.place_class[j] in self.allowed[p]

    def run(self, goal: Goal, budget: Budget) -> None:
        chart, rng = self.chart, self.rng
        if not any(self.movable) or chart.places < 2:
            return
        cost = best = self.cost()
        saved: list[list[int]] | None = None  # the best chart, once we have left it
        since_best = 0
        cooling = budget.end_temperature / budget.start_temperature
        temperature = budget.start_temperature
        for step in range(budget.iterations):
            if step % CHECK_EVERY == 0:
                if goal.met(chart) or since_best > budget.patience:
                    break
                if budget.clock() >= budget.deadline:
                    break
                progress = step / budget.iterations
                temperature = budget.start_temperature * cooling**progress
                self.weight = min(
                    REPEAT,
                    budget.start_weight
                    + (REPEAT - budget.start_weight) * progress / budget.weight_ramp,
                )
                if budget.progress is not None:
                    budget.progress(progress)
            move = self._propose()
            if self.weight >= REPEAT:  # patience runs out only once repeats weigh in full
                since_best += 1
            if move is None:
                continue
            r, a, b, clashes, repeats, distinct = move
            delta = CLASH * clashes + self.weight * repeats - distinct
            if delta > 0 and rng.random() >= math.exp(-delta / temperature):
                continue
            change = CLASH * clashes + REPEAT * repeats - distinct
            if change > 0 and cost == best and saved is None:
                saved = chart.snapshot()
            chart.swap(r, a, b)
            cost += change
            if cost < best:
                best, saved, since_best = cost, None, 0
            elif cost == best:
                saved = None
        if cost > best and saved is not None:
            chart.restore(saved)

    def _propose(self) -> tuple[int, int, int, int, int, int] | None:
        """A swap (round, a, b) and its cost change, drawn towards trouble."""
        chart, rng = self.chart, self.rng
        roll = rng.random()
        target: tuple[int, int] | None = None
        if len(chart.clashing) and roll < 0.5:
            target = chart.clashing.choice(rng)
        elif len(chart.repeated) and roll < 0.7:
            target = chart.repeated.choice(rng)
        if target is not None:
            rounds = chart.together(*target)
            people = [p for p in target if not self.pinned[p]]
            if rounds and people:
                r = rounds[_below(rng, len(rounds))]
                return self._best_swap(
                    r, people[_below(rng, len(people))], None, places=TARGET_PLACES
                )
        r = _below(rng, chart.rounds)
        if roll < 0.9:
            found = self._duplicate(r)
            if found is not None:
                return self._best_swap(r, found[0], found[1], places=TARGET_PLACES)
        movable = self.movable[r]
        if not movable:
            return None
        return self._best_swap(r, movable[_below(rng, len(movable))], None, places=1)

    def _duplicate(self, r: int) -> tuple[int, tuple[list[list[int]], int]] | None:
        """Someone movable at a random place of round r whose group (or region) is there
        twice or more, with that value's counts per place; None if that place has none."""
        chart, rng = self.chart, self.rng
        j = _below(rng, chart.places)
        groups, regions = chart.group_count[r], chart.region_count[r]
        doubled: list[tuple[int, tuple[list[list[int]], int]]] = []
        for p in chart.members[r][j]:
            if self.pinned[p]:
                continue
            g, h = chart.group[p], chart.region[p]
            if g >= 0 and groups[j][g] > 1:
                doubled.append((p, (groups, g)))
            elif h >= 0 and regions[j][h] > 1:
                doubled.append((p, (regions, h)))
        return doubled[_below(rng, len(doubled))] if doubled else None

    def _best_swap(
        self, r: int, a: int, lacking: tuple[list[list[int]], int] | None, places: int
    ) -> tuple[int, int, int, int, int, int] | None:
        """The best swap of `a` with anyone at up to `places` other places drawn at random
        (only places where `lacking`'s value is absent, when given)."""
        chart = self.chart
        here = chart.seat[r][a]
        best: tuple[int, int, int, int, int, int] | None = None
        best_delta = 0.0
        members, pinned, weight = chart.members[r], self.pinned, self.weight
        free = self.one_class
        draw, m = self.rng.random, chart.places  # inlined `_below`: this loop is the hot spot
        counts, value = lacking if lacking is not None else ([], -1)
        for _ in range(places * 8):
            there = int(draw() * m)
            if there == here or not (free or self.can_sit(a, there)):
                continue
            if value >= 0 and counts[there][value] > 0:
                continue
            for b in members[there]:
                if pinned[b] or not (free or self.can_sit(b, here)):
                    continue
                clashes, repeats, distinct = chart.swap_delta(r, a, b)
                delta = CLASH * clashes + weight * repeats - distinct
                if best is None or delta < best_delta:
                    best, best_delta = (r, a, b, clashes, repeats, distinct), delta
            places -= 1
            if places == 0:
                break
        return best
