from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pollinate.core.planner.bounds import (
    PoolBound,
    distinct_bound,
    exact_transition,
    pool_shape_bound,
    relaxed_transition,
    repeated_pairs_lower_bound,
)
from pollinate.core.planner.model import Place

# ── exhaustive search on tiny instances ───────────────────────────────────────────────


def seatings(n: int, sizes: list[int], hosts: dict[int, int]) -> list[tuple[int, ...]]:
    """Every seating of people 0..n-1 at places of these sizes, host h always at hosts[h]."""
    room = list(sizes)
    for j in hosts.values():
        room[j] -= 1
    free = [p for p in range(n) if p not in hosts]
    seat = [hosts.get(p, -1) for p in range(n)]
    found: list[tuple[int, ...]] = []

    def fill(i: int) -> None:
        if i == len(free):
            found.append(tuple(seat))
            return
        for j in range(len(sizes)):
            if room[j]:
                room[j] -= 1
                seat[free[i]] = j
                fill(i + 1)
                room[j] += 1

    fill(0)
    return found


def fewest_repeats(n: int, sizes: list[int], rounds: int, hosts: dict[int, int]) -> int:
    """The true optimum, by trying every plan of 2 or 3 rounds.

    Round 1 is fixed to the first seating: relabelling non-hosts maps any plan to one
    that starts so. With A[i] the 0/1 vector of pairs co-seated by seating i and M the
    meetings after rounds 1 and 2, round 3's choice j adds Σ max(0, M + A[j] − 1) − ...,
    computed for all (i, j) at once as one matrix product.
    """
    options = seatings(n, sizes, hosts)
    pairs = list(itertools.combinations(range(n), 2))
    a = np.array([[s[x] == s[y] for x, y in pairs] for s in options], dtype=np.float64)
    first = a[0]
    if rounds == 2:
        return int((a @ first).min())
    assert rounds == 3
    met = first[None, :] + a  # meetings after round 2 for each round-2 choice
    repeats_so_far = met.sum(1) - (met >= 1).sum(1)
    fresh = (met == 0).astype(np.float64)  # pairs not yet met
    # round 3 choice j adds one repeat for each of its pairs already met
    total = repeats_so_far[:, None] + a.sum(1)[None, :] - fresh @ a.T
    return int(total.min())


def bound_for(n: int, sizes: list[int], rounds: int, hosts: dict[int, int]) -> PoolBound:
    seat = seatings(n, sizes, hosts)[0]
    shape = [{str(p): seat[p] for p in range(n)}] * rounds
    return pool_shape_bound(len(sizes), shape, {j: str(h) for h, j in hosts.items()})


def tiny_cases() -> list[tuple[int, list[int], int, int]]:
    cases = []
    for n in range(4, 10):
        for m in (2, 3):
            if n < 2 * m:
                continue
            q, extra = divmod(n, m)
            sizes = [q + 1] * extra + [q] * (m - extra)
            for rounds in (2, 3):
                for host_count in (0, m):
                    hosts = {h: h for h in range(host_count)}
                    if len(seatings(n, sizes, hosts)) ** (rounds - 1) <= 3_000_000:
                        cases.append((n, sizes, rounds, host_count))
    return cases


TINY = tiny_cases()

# Cases where the bound is provably the optimum, with the component that proves it:
# pigeonhole transitions (rooms refilled from fewer rooms), plain counting, or hosts who
# stay while everyone else must come back. The exhaustive search agrees.
PROVEN = {
    (5, (3, 2), 2, 0): "transitions",  # the room of 3 takes two from one room of round 1
    (6, (3, 3), 2, 0): "transitions",
    (8, (4, 4), 2, 0): "transitions",
    (9, (5, 4), 3, 0): "counting",
    (4, (2, 2), 3, 2): "host_revisits",  # two guests, two hosts, three rounds
    (5, (3, 2), 3, 2): "host_revisits",
}


@pytest.mark.parametrize(("n", "sizes", "rounds", "hosts"), TINY)
def test_lower_bound_never_exceeds_the_exhaustive_optimum(n, sizes, rounds, hosts):
    host_map = {h: h for h in range(hosts)}
    optimum = fewest_repeats(n, sizes, rounds, host_map)
    bound = bound_for(n, sizes, rounds, host_map)
    assert bound.value <= optimum
    proof = PROVEN.get((n, tuple(sizes), rounds, hosts))
    if proof is not None:
        assert getattr(bound, proof) == bound.value == optimum


def test_lower_bound_equals_the_optimum_on_most_tiny_instances():
    equal = sum(
        bound_for(n, s, r, {h: h for h in range(k)}).value
        == fewest_repeats(n, s, r, {h: h for h in range(k)})
        for n, s, r, k in TINY
    )
    # measured: 34 of the 40 cases; the six gaps are three-round instances where a pair
    # cannot meet in all three rounds without more repeats elsewhere, which no
    # single-round-pair argument sees
    assert len(TINY) == 40
    assert equal >= 34


def test_room_refilled_from_fewer_rooms_forces_old_room_mates_together():
    # a room of 5 in round 2 filled from 4 rooms of round 1 puts two room-mates together
    rounds = [
        {f"p{i}": i // 5 for i in range(20)},
        {f"p{i}": i % 4 for i in range(20)},
    ]
    bound = pool_shape_bound(4, rounds, {})
    assert bound.transitions == 4  # one pair in each of the four rooms


def test_host_who_stays_meets_returning_guests_again():
    # two tables, both hosted, three rounds: each of the 4 guests visits a table twice
    rounds = [{"h1": 0, "h2": 1, "a": 0, "b": 0, "c": 1, "d": 1}] * 3
    bound = pool_shape_bound(2, rounds, {0: "h1", 1: "h2"})
    assert bound.host_revisits == 4


def test_keep_together_pairs_repeat_in_every_later_round():
    rounds = [{"a": 0, "b": 0, "c": 1, "d": 1}] * 3
    bound = pool_shape_bound(2, rounds, {}, keep_together={("a", "b"), ("b", "a")})
    assert bound.together == 2


def test_pools_add_up_and_leave_each_other_alone():
    places = (Place("T", 2), Place("U", 2), Place("R", 2, online=True), Place("S", 2, online=True))
    onsite = {"a": "T", "b": "T", "c": "U", "d": "U"}
    online = {"w": "R", "x": "R", "y": "S", "z": "S"}
    rounds = [onsite | online] * 4  # each pool: 8 pair slots for 6 pairs
    assert repeated_pairs_lower_bound(places, rounds) == 4


def test_people_who_never_share_a_round_do_not_count_as_meetable():
    # a and b are each present in one round only: the 2 pair slots are both first meetings
    rounds = [{"a": 0, "c": 0}, {"b": 0, "c": 0}]
    assert pool_shape_bound(1, rounds, {}).counting == 0


# ── the transition problem ────────────────────────────────────────────────────────────


def brute_transition(rows: tuple[int, ...], cols: tuple[int, ...], fixed: tuple[int, ...]) -> int:
    m = len(rows)
    best = math.inf

    def fill(cell: int, left_rows: list[int], left_cols: list[int], cost: int) -> None:
        nonlocal best
        if cell == m * m:
            if not any(left_rows) and not any(left_cols):
                best = min(best, cost)
            return
        j, t = divmod(cell, m)
        low = 1 if j == t and t in fixed else 0
        for c in range(low, min(left_rows[j], left_cols[t]) + 1):
            left_rows[j] -= c
            left_cols[t] -= c
            fill(cell + 1, left_rows, left_cols, cost + math.comb(c, 2))
            left_rows[j] += c
            left_cols[t] += c

    fill(0, list(rows), list(cols), 0)
    return int(best)


@st.composite
def transitions(draw: st.DrawFn) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    m = draw(st.integers(1, 3))
    rows = draw(st.lists(st.integers(1, 4), min_size=m, max_size=m))
    cols = list(rows)
    draw(st.randoms()).shuffle(cols)
    fixed = tuple(t for t in range(m) if draw(st.booleans()))
    return tuple(rows), tuple(cols), fixed


@settings(max_examples=60, deadline=None)
@given(transitions())
def testexact_transition_matches_brute_force(case):
    rows, cols, fixed = case
    assert exact_transition(rows, cols, fixed) == brute_transition(rows, cols, fixed)


@settings(max_examples=60, deadline=None)
@given(transitions())
def testrelaxed_transitions_stay_below_the_exact_one(case):
    rows, cols, fixed = case
    exact = exact_transition(rows, cols, fixed)
    assert relaxed_transition(rows, cols, fixed) <= exact
    assert relaxed_transition(cols, rows, fixed) <= exact


def test_relaxation_is_exact_for_even_rooms():
    assert relaxed_transition((6,) * 4, (6,) * 4, (0, 1, 2, 3)) == 8
    assert exact_transition((6,) * 4, (6,) * 4, (0, 1, 2, 3)) == 8


# ── diversity ─────────────────────────────────────────────────────────────────────────


def brute_distinct(sizes: list[int], values: list[int]) -> int:
    """Most distinct values over places, trying every seating of the labelled people."""
    best = 0
    n = len(values)
    for seat in itertools.product(range(len(sizes)), repeat=n):
        if all(seat.count(j) == size for j, size in enumerate(sizes)):
            best = max(
                best,
                sum(len({values[p] for p in range(n) if seat[p] == j}) for j in range(len(sizes))),
            )
    return best


@st.composite
def rosters(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    values = draw(st.lists(st.integers(0, 3), min_size=sum(sizes), max_size=sum(sizes)))
    return sizes, values


@settings(max_examples=40, deadline=None)
@given(rosters())
def test_distinct_bound_formula_matches_brute_force(case):
    sizes, values = case
    counts = [values.count(v) for v in set(values)]
    assert distinct_bound(sizes, counts) == brute_distinct(sizes, values)


def test_distinct_bound_is_limited_by_seats_and_by_group_sizes():
    assert distinct_bound([2, 2, 2], [6]) == 3  # one group: one per table
    assert distinct_bound([2, 2], [1, 1, 1, 1]) == 4  # four singletons fill the seats
    assert distinct_bound([4, 1], [2, 2, 1]) == 4  # the single seat adds one value
