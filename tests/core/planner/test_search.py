from __future__ import annotations

import time
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, reject, settings

from pollinate.core.planner.feasibility import lay_out
from pollinate.core.planner.metrics import measure
from pollinate.core.planner.model import Place, Plan, PlanRequest
from pollinate.core.planner.rules import seating_faults
from pollinate.core.planner.search import codes, plan_seating
from pollinate.core.roster import Attendance
from pollinate.errors import InfeasibleError

from .cafes import cafes, crowd, person, tables, ticking_clock

PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)


def planned(request: PlanRequest) -> Plan:
    """Plan a random café: instances the up-front checks refuse are skipped; the search
    may only fail on keep-apart/keep-together, which no up-front check can settle."""
    try:
        lay_out(request)
    except InfeasibleError:
        reject()
    try:
        return plan_seating(request, clock=ticking_clock(0.02))
    except InfeasibleError as error:
        failed = error.constraint
    assert failed in {"keep_apart", "keep_together"}
    reject()


@PROPERTY
@given(cafes())
def test_every_participant_sits_exactly_once_in_every_round(request):
    plan = planned(request)
    everyone = {p.id for p in request.participants}
    assert plan.rounds == request.rounds
    for seat in plan.seating:
        assert set(seat) == everyone


@PROPERTY
@given(cafes())
def test_plans_keep_capacity_pools_languages_balance_and_pairs(request):
    plan = planned(request)
    faults = seating_faults(
        plan,
        request.participants,
        keep_apart=request.keep_apart,
        keep_together=request.keep_together,
    )
    assert faults == []


@PROPERTY
@given(cafes())
def test_hosts_stay_at_one_place_of_their_pool_every_round(request):
    plan = planned(request)
    designated = {p.id for p in request.participants if p.is_host}
    assert designated <= set(plan.hosts.values())
    assert len(set(plan.hosts.values())) == len(plan.hosts)
    online = {p.id: p.attendance is Attendance.ONLINE for p in request.participants}
    by_name = {place.name: place for place in request.places}
    for place, host in plan.hosts.items():
        assert by_name[place].online == online[host]
        assert all(seat[host] == place for seat in plan.seating)


@PROPERTY
@given(cafes())
def test_auto_hosts_fill_every_unhosted_place_from_its_first_round(request):
    plan = planned(request)
    designated = {p.id for p in request.participants if p.is_host}
    used = {place for seat in plan.seating for place in seat.values()}
    assert set(plan.hosts) >= used  # auto_hosts defaults to True
    for place in plan.auto_hosts:
        assert plan.hosts[place] not in designated
        assert plan.seating[0][plan.hosts[place]] == place
    assert {place for place, h in plan.hosts.items() if h not in designated} == plan.auto_hosts


def test_without_auto_hosts_only_designated_hosts_are_hosts():
    people = [*crowd(10), person("h", host=True)]
    request = PlanRequest(tuple(people), tables(3, 4), rounds=2, auto_hosts=False)
    plan = plan_seating(request, clock=ticking_clock())
    assert dict(plan.hosts) == {plan.seating[0]["h"]: "h"}
    assert plan.auto_hosts == frozenset()


def test_same_seed_gives_the_same_plan():
    request = PlanRequest(tuple(crowd(20)), tables(4, 6), rounds=3, seed=7)
    first = plan_seating(request, clock=time.perf_counter)
    second = plan_seating(request, clock=time.perf_counter)
    assert first == second


def test_plan_is_complete_and_valid_when_the_time_limit_passes_at_once():
    request = PlanRequest(tuple(crowd(20)), tables(4, 6), rounds=3, time_limit=0.0)
    plan = plan_seating(request, clock=ticking_clock(1.0))
    assert seating_faults(plan, request.participants) == []
    assert all(len(seat) == 20 for seat in plan.seating)


def test_progress_rises_from_zero_to_one():
    seen: list[float] = []
    request = PlanRequest(
        (*crowd(12), *crowd(6, prefix="o", online=True)),
        (*tables(3, 4), *tables(2, 3, online=True)),
        rounds=3,
    )
    plan_seating(request, clock=ticking_clock(), progress=seen.append)
    assert seen[-1] == 1.0
    assert all(0.0 <= x <= 1.0 for x in seen)
    assert seen == sorted(seen)


def test_thirty_people_at_six_tables_never_meet_twice_in_three_rounds():
    request = PlanRequest(tuple(crowd(30)), tables(6, 6), rounds=3)
    plan = plan_seating(request, clock=time.perf_counter)
    assert measure(plan, request.participants).repeated_pairs == 0


def test_small_online_pool_reaches_its_pigeonhole_bound():
    # 24 people, 4 rooms of 6, a host in each, 4 rounds: each round a room takes its
    # host and five guests from the other three rooms, so two guests met before: 8 a
    # round, 24 in all, and the planner finds a plan with exactly that many
    people = crowd(24, prefix="o", online=True)
    request = PlanRequest(tuple(people), tables(4, 6, online=True), rounds=4)
    plan = plan_seating(request, clock=time.perf_counter)
    metrics = measure(plan, request.participants)
    assert metrics.repeated_pairs_lower_bound == 24
    assert metrics.repeated_pairs == 24


def test_tables_mix_groups_as_far_as_the_roster_allows_when_nobody_can_repeat():
    # one round: nothing to repeat, so diversity alone decides
    request = PlanRequest(tuple(crowd(24)), tables(6, 4), rounds=1)
    metrics = measure(plan_seating(request, clock=time.perf_counter), request.participants)
    assert metrics.diversity_score == 1.0


def test_keep_apart_triangle_at_two_tables_is_reported_as_keep_apart():
    people = crowd(6)
    a, b, c = (p.id for p in people[:3])
    request = PlanRequest(
        tuple(people), tables(2, 3), rounds=1, keep_apart=frozenset({(a, b), (b, c), (a, c)})
    )
    with pytest.raises(InfeasibleError) as caught:
        plan_seating(request, clock=ticking_clock())
    assert caught.value.constraint == "keep_apart"


def test_french_table_seats_only_french_speakers_and_is_full():
    people = [
        *(person(f"f{i}", languages=("French", "English")) for i in range(4)),
        *(person(f"e{i}", languages=("English",)) for i in range(8)),
    ]
    places = (Place("Table FR", 4, language="French"), *tables(2, 4))
    plan = plan_seating(PlanRequest(tuple(people), places, rounds=3), clock=ticking_clock())
    for seat in plan.seating:
        at_french = sorted(pid for pid, place in seat.items() if place == "Table FR")
        assert at_french == ["f0", "f1", "f2", "f3"]


def test_codes_number_values_in_first_seen_order_and_mark_missing():
    assert codes(["b", "a", None, "b"]) == [0, 1, -1, 0]


def test_group_counts_per_place_differ_by_pool_only():
    people = (*crowd(8), *crowd(4, prefix="o", online=True))
    request = PlanRequest(people, (*tables(2, 4), *tables(1, 4, online=True)), rounds=2)
    plan = plan_seating(request, clock=ticking_clock())
    for seat in plan.seating:
        assert Counter(seat.values()) == Counter({"Table 1": 4, "Table 2": 4, "Room 1": 4})
