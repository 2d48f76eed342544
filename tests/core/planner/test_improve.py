from __future__ import annotations

import random

from pollinate.core.planner.chart import SeatingChart
from pollinate.core.planner.feasibility import lay_out
from pollinate.core.planner.improve import Budget, Goal, improve
from pollinate.core.planner.model import PlanRequest
from pollinate.core.planner.search import codes

from .cafes import crowd, tables, ticking_clock


def stale_chart(people: int = 16, places: int = 4, rounds: int = 3):
    """Everyone at the same table every round: as many repeats as there can be."""
    (layout,) = lay_out(PlanRequest(tuple(crowd(people)), tables(places, 4), rounds=rounds))
    chart = SeatingChart(
        rounds,
        places,
        groups=codes(p.stakeholder_group for p in layout.people),
        regions=codes(p.region for p in layout.people),
        apart=layout.apart,
    )
    for r in range(rounds):
        for p in range(people):
            chart.sit(p, r, p % places)
    return layout, chart


def budget(iterations: int = 50_000) -> Budget:
    return Budget(iterations=iterations, patience=iterations, deadline=1e9, clock=ticking_clock())


def test_annealing_removes_repeats_a_lazy_plan_makes():
    layout, chart = stale_chart()
    assert chart.repeats == 48
    improve(
        chart, layout, [False] * 16, Goal(repeats=0, distinct=10**6), budget(), random.Random(0)
    )
    assert chart.repeats == 0


def test_pinned_people_never_move():
    layout, chart = stale_chart()
    pinned = [p < 4 for p in range(16)]
    improve(chart, layout, pinned, Goal(repeats=0, distinct=10**6), budget(), random.Random(0))
    assert [chart.seat[r][p] for r in range(3) for p in range(4)] == [0, 1, 2, 3] * 3


def test_annealing_stops_at_the_goal():
    layout, chart = stale_chart()
    calls = 0

    def clock() -> float:
        nonlocal calls
        calls += 1
        return 0.0

    start = chart.repeats
    improve(
        chart,
        layout,
        [False] * 16,
        Goal(repeats=start, distinct=0),
        Budget(iterations=10**6, patience=10**6, deadline=1.0, clock=clock),
        random.Random(0),
    )
    assert calls == 0  # the goal holds before the first clock reading
    assert chart.repeats == start


def test_annealing_stops_at_the_deadline():
    layout, chart = stale_chart()
    improve(
        chart,
        layout,
        [False] * 16,
        Goal(repeats=0, distinct=10**6),
        Budget(iterations=10**9, patience=10**9, deadline=0.0, clock=lambda: 5.0),
        random.Random(0),
    )
    assert chart.repeats == 48
