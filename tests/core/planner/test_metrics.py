from __future__ import annotations

import pytest

from pollinate.core.planner.metrics import measure, meetings, repeated_pairs
from pollinate.core.planner.model import Place, Plan

from .cafes import person

TABLES = (Place("A", 3), Place("B", 3))


def test_repeated_pairs_count_every_meeting_after_the_first():
    rounds = (
        {"a": "A", "b": "A", "c": "A", "d": "B", "e": "B", "f": "B"},
        {"a": "A", "b": "A", "d": "A", "c": "B", "e": "B", "f": "B"},
        {"a": "A", "b": "A", "e": "A", "c": "B", "d": "B", "f": "B"},
    )
    plan = Plan(TABLES, rounds)
    # a-b meet 3 times (2 repeats), e-f 3 times (2), c-f twice (1)
    assert meetings(plan)["a", "b"] == 3
    assert repeated_pairs(plan) == 5


def test_diversity_counts_distinct_groups_and_regions_against_their_bounds():
    people = [
        person("a", group="gov", region="Africa"),
        person("b", group="gov", region="Africa"),
        person("c", group="ngo", region="Asia"),
        person("d", group="ngo", region="Asia"),
    ]
    plan = Plan((Place("A", 2), Place("B", 2)), ({"a": "A", "b": "A", "c": "B", "d": "B"},))
    metrics = measure(plan, people)
    assert (metrics.distinct_groups, metrics.distinct_groups_bound) == (2, 4)
    assert (metrics.distinct_regions, metrics.distinct_regions_bound) == (2, 4)
    assert metrics.diversity_score == pytest.approx(0.5)


def test_unknown_groups_count_for_nothing_on_either_side():
    people = [person("a", group="gov"), person("b"), person("c", group="gov"), person("d")]
    plan = Plan((Place("A", 2), Place("B", 2)), ({"a": "A", "b": "A", "c": "B", "d": "B"},))
    metrics = measure(plan, people)
    assert (metrics.distinct_groups, metrics.distinct_groups_bound) == (2, 2)
    assert (metrics.distinct_regions, metrics.distinct_regions_bound) == (0, 0)
    assert metrics.diversity_score == 1.0


def test_size_spread_is_the_worst_gap_within_a_pool():
    places = (Place("A", 4), Place("B", 4), Place("R", 4, online=True))
    rounds = (
        {"a": "A", "b": "A", "c": "B", "o": "R"},
        {"a": "A", "b": "A", "c": "A", "o": "R"},
    )
    metrics = measure(Plan(places, rounds), [person(i) for i in "abc"] + [person("o", online=True)])
    assert metrics.size_spread == 3  # round 2: 3 at A, none at B
    assert (metrics.participants, metrics.rounds) == (4, 2)


def test_measure_reports_the_lower_bound_beside_the_repeats():
    rounds = ({"a": "A", "b": "A", "c": "B", "d": "B"},) * 3
    plan = Plan((Place("A", 2), Place("B", 2)), rounds)
    metrics = measure(plan, [person(i) for i in "abcd"], keep_together={("a", "b")})
    assert metrics.repeated_pairs == 4
    assert metrics.repeated_pairs_lower_bound == 2  # a-b, kept together, repeat twice
