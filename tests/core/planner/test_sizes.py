from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pollinate.core.planner.sizes import describe_seats, size_ranges, sizes_fit, water_level


def test_even_tables_share_people_within_one():
    assert size_ranges([6, 6, 6, 6], 22) == [(5, 6)] * 4


def test_a_small_table_fills_up_and_the_rest_share_the_others():
    assert water_level([2, 8, 8], 16) == 7
    assert size_ranges([2, 8, 8], 16) == [(2, 2), (7, 8), (7, 8)]


def test_a_full_house_leaves_no_choice():
    assert size_ranges([3, 5], 8) == [(3, 3), (5, 5)]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(1, 9), min_size=1, max_size=6), st.data())
def test_some_choice_within_the_ranges_seats_everyone(capacities, data):
    people = data.draw(st.integers(0, sum(capacities)))
    ranges = size_ranges(capacities, people)
    assert sum(low for low, _ in ranges) <= people <= sum(high for _, high in ranges)
    assert all(high <= capacity for (_, high), capacity in zip(ranges, capacities, strict=True))


def test_uneven_sizes_are_refused_unless_capacity_forces_them():
    assert sizes_fit([6, 5, 5], [6, 6, 6])
    assert not sizes_fit([6, 6, 4], [6, 6, 6])
    assert sizes_fit([6, 6, 4], [6, 6, 4])


def test_seats_are_described_by_capacity():
    assert describe_seats([6] * 8, "table") == "8 tables × 6"
    assert describe_seats([6, 6, 4], "room") == "2 rooms × 6 + 1 room × 4"
