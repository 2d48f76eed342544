from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from pollinate.core.planner.chart import PairBag, SeatingChart


def filled_chart(seed: int, people: int = 12, places: int = 3, rounds: int = 3) -> SeatingChart:
    rng = random.Random(seed)
    apart = [set[int]() for _ in range(people)]
    for _ in range(3):
        a, b = rng.sample(range(people), 2)
        apart[a].add(b)
        apart[b].add(a)
    chart = SeatingChart(
        rounds,
        places,
        groups=[rng.randrange(-1, 3) for _ in range(people)],
        regions=[rng.randrange(-1, 2) for _ in range(people)],
        apart=[frozenset(s) for s in apart],
    )
    for r in range(rounds):
        order = list(range(people))
        rng.shuffle(order)
        for i, p in enumerate(order):
            chart.sit(p, r, i % places)
    return chart


def totals(chart: SeatingChart) -> tuple[int, int, int]:
    return chart.clashes, chart.repeats, chart.distinct


def recount(chart: SeatingChart) -> tuple[int, int, int]:
    """The three totals computed from the seats alone."""
    met: dict[tuple[int, int], int] = {}
    clashes = distinct = 0
    for r in range(chart.rounds):
        for sitters in chart.members[r]:
            distinct += len({chart.group[p] for p in sitters} - {-1})
            distinct += len({chart.region[p] for p in sitters} - {-1})
            for i, a in enumerate(sitters):
                for b in sitters[i + 1 :]:
                    key = (min(a, b), max(a, b))
                    met[key] = met.get(key, 0) + 1
                    clashes += b in chart.apart[a]
    return clashes, sum(k - 1 for k in met.values()), distinct


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10_000), st.data())
def test_swap_delta_predicts_the_change_a_swap_makes(seed, data):
    chart = filled_chart(seed)
    r = data.draw(st.integers(0, chart.rounds - 1))
    a = data.draw(st.integers(0, chart.people - 1))
    b = data.draw(
        st.sampled_from([p for p in range(chart.people) if chart.seat[r][p] != chart.seat[r][a]])
    )
    before = totals(chart)
    delta = chart.swap_delta(r, a, b)
    chart.swap(r, a, b)
    assert tuple(x - y for x, y in zip(totals(chart), before, strict=True)) == delta
    assert totals(chart) == recount(chart)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10_000), st.data())
def test_move_delta_predicts_the_change_a_move_makes(seed, data):
    chart = filled_chart(seed)
    r = data.draw(st.integers(0, chart.rounds - 1))
    p = data.draw(st.integers(0, chart.people - 1))
    j = data.draw(st.sampled_from([j for j in range(chart.places) if j != chart.seat[r][p]]))
    before = totals(chart)
    delta = chart.move_delta(r, p, j)
    chart.move(r, p, j)
    assert tuple(x - y for x, y in zip(totals(chart), before, strict=True)) == delta
    assert totals(chart) == recount(chart)


def test_restore_returns_to_a_snapshot_with_its_totals():
    chart = filled_chart(1)
    saved, before = chart.snapshot(), totals(chart)
    chart.swap(0, chart.members[0][0][0], chart.members[0][1][0])
    chart.move(1, chart.members[1][2][0], 0)
    chart.restore(saved)
    assert chart.seat == saved
    assert totals(chart) == before


def test_repeated_pairs_are_tracked_as_they_form_and_dissolve():
    chart = SeatingChart(2, 2, groups=[-1] * 4, regions=[-1] * 4, apart=[frozenset()] * 4)
    for r in range(2):
        for p, j in enumerate([0, 0, 1, 1]):
            chart.sit(p, r, j)
    assert sorted(chart.repeated) == [(0, 1), (2, 3)]
    chart.swap(1, 1, 2)
    assert len(chart.repeated) == 0
    assert chart.together(0, 2) == [1]


def test_pair_bag_draws_only_what_it_holds():
    bag = PairBag()
    for pair in [(0, 1), (2, 3), (4, 5)]:
        bag.add(pair)
    bag.discard((2, 3))
    bag.discard((9, 9))
    rng = random.Random(0)
    assert {bag.choice(rng) for _ in range(50)} == {(0, 1), (4, 5)}
    assert len(bag) == 2
