from __future__ import annotations

import math
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pollinate.core.planner.model import Plan, PlanRequest
from pollinate.core.planner.replan import replan
from pollinate.core.planner.rules import seating_faults
from pollinate.core.planner.search import plan_seating
from pollinate.core.roster import Participant
from pollinate.errors import InfeasibleError, InputError

from .cafes import GROUPS, REGIONS, crowd, moves, person, tables, ticking_clock


@dataclass(frozen=True)
class Change:
    request: PlanRequest
    plan: Plan
    after_round: int
    arrivals: tuple[Participant, ...]
    leavers: frozenset[str]


@st.composite
def changes(draw: st.DrawFn) -> Change:
    """A planned café with room to spare, then late arrivals and leavers after a round."""
    onsite = draw(st.integers(6, 16))
    online = draw(st.sampled_from([0, 0, 4, 6]))
    n_tables = draw(st.integers(2, max(2, onsite // 3)))
    capacity = math.ceil(onsite / n_tables) + 2
    people = [*crowd(onsite), *crowd(online, prefix="o", online=True)]
    places = tables(n_tables, capacity)
    if online:
        places += tables(2, online // 2 + 2, online=True)
    hosts = draw(st.integers(0, n_tables))
    people = [
        person(p.id, group=p.stakeholder_group, region=p.region, host=i < hosts)
        if i < onsite
        else p
        for i, p in enumerate(people)
    ]
    rounds = draw(st.integers(2, 4))
    request = PlanRequest(
        tuple(people), places, rounds=rounds, seed=draw(st.integers(0, 5)), time_limit=0.5
    )
    plan = plan_seating(request, clock=ticking_clock(0.05))
    arrivals = tuple(
        person(
            f"new{i}",
            group=draw(st.sampled_from(GROUPS)),
            region=draw(st.sampled_from(REGIONS)),
            online=online > 0 and draw(st.booleans()),
        )
        for i in range(draw(st.integers(0, 2)))
    )
    onsite_ids = [p.id for p in people[:onsite]]
    leavers = draw(st.frozensets(st.sampled_from(onsite_ids), max_size=min(3, onsite - n_tables)))
    return Change(request, plan, draw(st.integers(0, rounds)), arrivals, leavers)


def replanned(change: Change) -> Plan:
    return replan(
        change.plan,
        change.request,
        after_round=change.after_round,
        arrivals=change.arrivals,
        leavers=change.leavers,
        clock=ticking_clock(),
    )


PROPERTY = settings(max_examples=30, deadline=None)


@PROPERTY
@given(changes())
def test_rounds_up_to_the_change_stay_exactly_as_planned(change):
    after = replanned(change)
    assert after.seating[: change.after_round] == change.plan.seating[: change.after_round]


@PROPERTY
@given(changes())
def test_later_rounds_seat_arrivals_once_and_leavers_never(change):
    after = replanned(change)
    everyone = {p.id for p in change.request.participants} | {p.id for p in change.arrivals}
    for seat in after.seating[change.after_round :]:
        assert set(seat) == everyone - change.leavers


@PROPERTY
@given(changes())
def test_later_rounds_keep_every_hard_rule_and_hosts_stay(change):
    after = replanned(change)
    later = Plan(after.places, after.seating[change.after_round :], hosts=after.hosts)
    people = (*change.request.participants, *change.arrivals)
    assert seating_faults(later, people) == []
    if change.after_round < change.plan.rounds:
        assert not set(after.hosts.values()) & change.leavers


def test_one_late_arrival_moves_at_most_two_planned_people_per_round():
    request = PlanRequest(tuple(crowd(30)), tables(6, 6), rounds=4)
    plan = plan_seating(request, clock=ticking_clock())
    late = person("late", group="academia", region="Africa")
    after = replan(plan, request, after_round=1, arrivals=[late], leavers=(), clock=ticking_clock())
    for round_number in (2, 3, 4):
        assert moves(plan, after, round_number) <= 2
        assert "late" in after.seating[round_number - 1]


def test_a_leaving_host_is_replaced_by_a_next_round_sitter_marked_auto():
    people = [person("h", host=True, group="government"), *crowd(17)]
    request = PlanRequest(tuple(people), tables(3, 7), rounds=4)
    plan = plan_seating(request, clock=ticking_clock())
    place = plan.host_of("h")
    assert place is not None
    after = replan(plan, request, after_round=2, arrivals=(), leavers={"h"}, clock=ticking_clock())
    new_host = after.hosts[place]
    assert new_host != "h"
    assert place in after.auto_hosts
    assert plan.seating[2][new_host] == place  # sat there in round 3 as planned
    assert all(after.seating[r][new_host] == place for r in (2, 3))


def test_a_late_designated_host_takes_a_place_nobody_hosts():
    request = PlanRequest(tuple(crowd(12)), tables(3, 6), rounds=3, auto_hosts=False)
    plan = plan_seating(request, clock=ticking_clock())
    late = person("boss", host=True)
    after = replan(plan, request, after_round=1, arrivals=[late], leavers=(), clock=ticking_clock())
    place = after.host_of("boss")
    assert place is not None
    assert {after.seating[r]["boss"] for r in (1, 2)} == {place}


def test_replanning_after_the_last_round_changes_nothing():
    request = PlanRequest(tuple(crowd(8)), tables(2, 5), rounds=2)
    plan = plan_seating(request, clock=ticking_clock())
    late = person("late")
    after = replan(plan, request, after_round=2, arrivals=[late], leavers=(), clock=ticking_clock())
    assert after == plan


def test_an_arrival_beyond_the_seats_is_infeasible_by_capacity():
    request = PlanRequest(tuple(crowd(8)), tables(2, 4), rounds=2)
    plan = plan_seating(request, clock=ticking_clock())
    with pytest.raises(InfeasibleError) as caught:
        replan(
            plan, request, after_round=1, arrivals=[person("x")], leavers=(), clock=ticking_clock()
        )
    assert caught.value.constraint == "capacity"


def test_an_arrival_kept_together_with_a_planned_person_sits_with_them():
    people = crowd(10)
    request = PlanRequest(
        tuple(people),
        tables(2, 6),
        rounds=3,
        keep_together=frozenset({("late", people[0].id)}),
    )
    plan = plan_seating(PlanRequest(tuple(people), request.places, rounds=3), clock=ticking_clock())
    after = replan(
        plan, request, after_round=1, arrivals=[person("late")], leavers=(), clock=ticking_clock()
    )
    for r in (1, 2):
        assert after.seating[r]["late"] == after.seating[r][people[0].id]


@pytest.mark.parametrize(
    ("after_round", "arrivals", "leavers", "field"),
    [
        (5, (), (), "after_round"),
        (1, (), ("nobody",), "leavers"),
        (1, (person("p00"),), (), "arrivals"),
    ],
)
def test_impossible_calls_are_input_errors(after_round, arrivals, leavers, field):
    request = PlanRequest(tuple(crowd(8)), tables(2, 5), rounds=2)
    plan = plan_seating(request, clock=ticking_clock())
    with pytest.raises(InputError) as caught:
        replan(
            plan,
            request,
            after_round=after_round,
            arrivals=arrivals,
            leavers=leavers,
            clock=ticking_clock(),
        )
    assert caught.value.field == field
