from __future__ import annotations

import random

import pytest

from pollinate.core.planner.chart import SeatingChart
from pollinate.core.planner.construct import seat_round
from pollinate.core.planner.feasibility import PoolLayout, lay_out
from pollinate.core.planner.model import Place, PlanRequest
from pollinate.core.planner.search import codes
from pollinate.errors import InfeasibleError

from .cafes import crowd, person, tables


def chart_for(layout: PoolLayout, rounds: int = 2) -> SeatingChart:
    return SeatingChart(
        rounds,
        len(layout.places),
        groups=codes(p.stakeholder_group for p in layout.people),
        regions=codes(p.region for p in layout.people),
        apart=layout.apart,
    )


def test_a_round_fills_every_place_to_its_size():
    (layout,) = lay_out(PlanRequest(tuple(crowd(22)), tables(4, 6), rounds=1))
    chart = chart_for(layout, 1)
    seat_round(layout, chart, 0, {}, random.Random(0))
    assert [len(sitters) for sitters in chart.members[0]] == list(layout.sizes)


def test_hosts_sit_where_they_are_fixed_and_groups_sit_together():
    people = crowd(12)
    request = PlanRequest(
        tuple(people),
        tables(3, 4),
        rounds=1,
        keep_together=frozenset({(people[0].id, people[1].id), (people[1].id, people[2].id)}),
    )
    (layout,) = lay_out(request)
    chart = chart_for(layout)
    seat_round(layout, chart, 0, {5: 2}, random.Random(0))
    seat_round(layout, chart, 1, {5: 2}, random.Random(1))
    for r in range(2):
        assert chart.seat[r][5] == 2
        assert chart.seat[r][0] == chart.seat[r][1] == chart.seat[r][2]


def test_second_round_avoids_first_round_table_mates_where_it_can():
    (layout,) = lay_out(PlanRequest(tuple(crowd(9)), tables(3, 3), rounds=2))
    chart = chart_for(layout)
    for r in range(2):
        seat_round(layout, chart, r, {}, random.Random(r))
    assert chart.repeats == 0


def test_language_classes_fill_with_their_speakers():
    french = [person(f"f{i}", languages=("French",)) for i in range(4)]
    both = [person(f"b{i}", languages=("French", "English")) for i in range(4)]
    english = [person(f"e{i}", languages=("English",)) for i in range(4)]
    places = (Place("FR", 4, language="French"), Place("EN", 4, language="English"), Place("X", 4))
    (layout,) = lay_out(PlanRequest((*french, *both, *english), places, rounds=1))
    chart = chart_for(layout, 1)
    seat_round(layout, chart, 0, {}, random.Random(3))
    for j, place in enumerate(layout.places):
        assert all(layout.people[p].speaks(place.language) for p in chart.members[0][j])


def test_a_keep_together_group_without_room_is_infeasible():
    people = crowd(8)
    pairs = frozenset((people[i].id, people[i + 1].id) for i in range(3))
    (layout,) = lay_out(PlanRequest(tuple(people), tables(2, 4), rounds=1, keep_together=pairs))
    chart = chart_for(layout, 1)
    with pytest.raises(InfeasibleError) as caught:
        seat_round(layout, chart, 0, {4: 0, 5: 1}, random.Random(0))  # two hosts take seats
    assert caught.value.constraint == "keep_together"
