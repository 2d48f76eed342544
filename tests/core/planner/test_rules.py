from __future__ import annotations

from pollinate.core.planner.model import Place, Plan
from pollinate.core.planner.rules import seating_faults

from .cafes import person

PEOPLE = [
    person("a", languages=("French",)),
    person("b"),
    person("c"),
    person("d"),
    person("o", online=True),
]
PLACES = (
    Place("T1", 2),
    Place("T2", 2),
    Place("FR", 2, language="French"),
    Place("R", 2, online=True),
)


def constraints(plan: Plan, **pairs) -> list[str]:
    return [fault.constraint for fault in seating_faults(plan, PEOPLE, **pairs)]


def test_a_valid_plan_has_no_faults():
    plan = Plan(PLACES, ({"a": "FR", "b": "T1", "c": "T1", "d": "T2", "o": "R"},))
    assert constraints(plan) == []


def test_faults_name_capacity_language_pool_and_balance():
    plan = Plan(PLACES, ({"a": "T1", "b": "T1", "c": "T1", "d": "FR", "o": "T2"},))
    found = constraints(plan)
    assert "capacity" in found  # three at T1
    assert "language" in found  # d speaks no French
    assert "attendance" in found  # o is online at a table
    assert "balance" in found  # 3, 1, 1 at tables of 2


def test_faults_name_fewer_people_than_places():
    plan = Plan((Place("T1", 4), Place("T2", 4)), ({"b": "T1"},))
    assert constraints(plan) == ["balance"]


def test_faults_name_keep_apart_and_keep_together():
    plan = Plan(PLACES, ({"a": "FR", "b": "T1", "c": "T1", "d": "T2", "o": "R"},))
    assert constraints(plan, keep_apart={("b", "c")}) == ["keep_apart"]
    assert constraints(plan, keep_together={("b", "d")}) == ["keep_together"]


def test_faults_name_a_host_who_moves_or_hosts_twice():
    rounds = (
        {"a": "FR", "b": "T1", "c": "T1", "d": "T2", "o": "R"},
        {"a": "FR", "b": "T2", "c": "T1", "d": "T1", "o": "R"},
    )
    assert constraints(Plan(PLACES, rounds, hosts={"T1": "b"})) == ["hosts"]
    # c hosts two places, and sits away from FR in both rounds
    assert constraints(Plan(PLACES, rounds, hosts={"T1": "c", "FR": "c"})) == ["hosts"] * 3


def test_faults_name_auto_host_marks_without_a_host():
    plan = Plan(PLACES, ({"a": "FR", "b": "T1", "c": "T1", "d": "T2", "o": "R"},))
    assert constraints(Plan(plan.places, plan.seating, auto_hosts=frozenset({"T1"}))) == ["hosts"]


def test_faults_name_strangers_and_unknown_places():
    plan = Plan(PLACES, ({"zz": "T1", "b": "Nowhere"},))
    assert constraints(plan).count("roster") == 2
