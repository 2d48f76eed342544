"""What no plan can beat: a lower bound on repeated pairings, an upper bound on diversity.

Both are stated for a fixed *shape*: who is present in each round, how many people each
place seats in each round, and which hosts stay at which place. Balance fixes the sizes
(up to which places take the "+1"), the roster fixes presence, and the hosts are fixed
before the search starts, so every plan the planner may return for a request has the
same shape as the plan being measured.

Repeated pairings count Σ over unordered pairs of max(0, meetings − 1), which is also
Σ over rounds r ≥ 2 of the pairs co-seated in r who already met before r. Onsite and
online pools never share a pair, so pool bounds add up; within a pool the bound is the
largest of several valid bounds (`PoolBound`), each explained where it is computed: the
five that bound all repeats, and the sum of a bound on host–guest repeats and one on
guest–guest repeats (the same five, computed on guests only), which count disjoint pairs.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from pollinate.core.planner.model import Place

EXACT_TRANSITION_LIMIT = 12  # places per pool up to which transitions are solved exactly


def distinct_bound(sizes: Sequence[int], counts: Iterable[int]) -> int:
    """The most distinct values (groups or regions) places of these sizes can hold in total.

    With `counts[k]` people of value k and places of sizes s_1..s_m, the answer is
    min over t = 0..m of [(sum of the m − t smallest sizes) + Σ_k min(counts[k], t)].

    Proof. Build a network source → value k (capacity counts[k]) → place T (capacity 1,
    for every k and T) → sink (capacity s_T). A seating yields a flow of value Σ_T distinct
    values at T (one unit per value present at T), and an integral flow yields a seating
    with at least that many distinct values: seat the flow's people as it says and the
    rest anywhere (seats left = people left, since unknown values only take seats), so
    the maximum is the max-flow value. A cut with source side {source} ∪ K ∪ Q (values K,
    places Q) costs Σ_{k∉K} counts[k] + |K|·(m − |Q|) + Σ_{T∈Q} s_T. For |Q| = m − t the
    cheapest Q holds the m − t smallest places, and each value independently prefers
    K (cost t) or not (cost counts[k]): min(counts[k], t). Max-flow = min-cut.

    People with no value (no stakeholder group, no region) count for nothing here and
    in the measured plan alike: an unknown is not a group of its own.

    >>> distinct_bound([3, 3], [4, 1, 1])  # two tables of three; groups of 4, 1 and 1
    4
    """
    ordered = sorted(sizes)
    values = sorted(counts)
    prefix = [0]
    for size in ordered:
        prefix.append(prefix[-1] + size)
    m = len(ordered)
    best = prefix[m]
    for t in range(1, m + 1):
        best = min(best, prefix[m - t] + sum(min(c, t) for c in values))
    return best


@dataclass(frozen=True, slots=True)
class PoolBound:
    """Lower bounds on one pool's repeated pairings; `value` is the best of them.

    The first five bound all repeats. The last two bound disjoint parts of them: repeats
    of a staying host with a guest (`host_pairs`) and of two guests (`guest_pairs`), so
    their sum is a bound too. Guests are everyone but the staying hosts.

    >>> PoolBound(counting=0, partners=1, transitions=8, host_revisits=0, together=2,
    ...           host_pairs=6, guest_pairs=4).value
    10
    """

    counting: int
    partners: int
    transitions: int
    host_revisits: int
    together: int
    host_pairs: int = 0
    guest_pairs: int = 0

    @property
    def value(self) -> int:
        """The bound itself: every component is valid, so their maximum is."""
        return max(
            self.counting,
            self.partners,
            self.transitions,
            self.host_revisits,
            self.together,
            self.host_pairs + self.guest_pairs,
        )


def repeated_pairs_lower_bound(
    places: Sequence[Place],
    seating: Sequence[Mapping[str, str]],
    *,
    hosts: Mapping[str, str] | None = None,
    keep_together: Collection[tuple[str, str]] = frozenset(),
) -> int:
    """A lower bound on the repeated pairings of any plan with this plan's shape.

    Only the shape of `seating` is read: who is present per round, place sizes per
    round, and which `hosts` sit at their place in which rounds.

    >>> from pollinate.core.planner.model import Place
    >>> tables = [Place("A", 2), Place("B", 2)]
    >>> rounds = [{"a": "A", "b": "A", "c": "B", "d": "B"}] * 4
    >>> repeated_pairs_lower_bound(tables, rounds)  # 8 pair slots, 6 pairs
    2
    """
    return sum(
        bound.value
        for bound in pool_bounds(places, seating, hosts=hosts or {}, keep_together=keep_together)
    )


def pool_bounds(
    places: Sequence[Place],
    seating: Sequence[Mapping[str, str]],
    *,
    hosts: Mapping[str, str],
    keep_together: Collection[tuple[str, str]] = frozenset(),
) -> list[PoolBound]:
    """The bound's components for each pool that seats anyone (onsite first)."""
    bounds = []
    for online in (False, True):
        names = [place.name for place in places if place.online == online]
        index = {name: j for j, name in enumerate(names)}
        rounds = [{pid: index[t] for pid, t in seat.items() if t in index} for seat in seating]
        if any(rounds):
            pool_hosts = {index[t]: h for t, h in hosts.items() if t in index}
            bounds.append(pool_shape_bound(len(names), rounds, pool_hosts, keep_together))
    return bounds


def pool_shape_bound(
    m: int,
    rounds: Sequence[Mapping[str, int]],
    hosts: Mapping[int, str],
    keep_together: Collection[tuple[str, str]] = frozenset(),
) -> PoolBound:
    """The bound's components for one pool of `m` places.

    `rounds[r]` maps each person present in round r to their place (0..m-1); only its
    shape is read. `hosts` maps a place to its host's id.
    """
    present = [set(seat) for seat in rounds]
    # a host "stays" when seated at their place in every round they are present; only
    # such hosts are sure never to meet each other or to be absent from their place
    staying = {j: h for j, h in hosts.items() if all(seat.get(h, j) == j for seat in rounds)}
    whole = _components(m, rounds, present, staying, keep_together)
    if not staying:
        return whole
    host_ids = set(staying.values())
    guests = [{pid: j for pid, j in seat.items() if pid not in host_ids} for seat in rounds]
    among_guests = _components(m, guests, [set(seat) for seat in guests], {}, keep_together)
    return PoolBound(
        counting=whole.counting,
        partners=whole.partners,
        transitions=whole.transitions,
        host_revisits=whole.host_revisits,
        together=whole.together,
        host_pairs=max(whole.host_revisits, _host_slots(m, rounds, present, staying)),
        guest_pairs=among_guests.value,
    )


def _components(
    m: int,
    rounds: Sequence[Mapping[str, int]],
    present: Sequence[set[str]],
    staying: Mapping[int, str],
    keep_together: Collection[tuple[str, str]],
) -> PoolBound:
    return PoolBound(
        counting=_counting(m, rounds, present, set(staying.values())),
        partners=_partners(m, rounds, present, staying),
        transitions=sum(
            max(
                _transition(m, rounds[q], rounds[r], present[q] & present[r], staying)
                for q in range(r)
            )
            for r in range(1, len(rounds))
        ),
        host_revisits=_host_revisits(m, rounds, staying),
        together=_together(present, keep_together),
    )


def _host_slots(
    m: int,
    rounds: Sequence[Mapping[str, int]],
    present: Sequence[set[str]],
    staying: Mapping[int, str],
) -> int:
    """Bound 5a, host counting: host h at place T meets Σ_r (s_rT − 1) guests over the
    rounds, but at most as many distinct guests as share a round with h; the surplus are
    repeats of h with a guest (each belongs to one host, so they add up over hosts).
    """
    host_ids = set(staying.values())
    sizes = [_sizes(m, seat) for seat in rounds]
    total = 0
    for j, h in staying.items():
        here = [r for r, people in enumerate(present) if h in people]
        guests = set().union(*(present[r] for r in here)) - host_ids if here else set()
        total += max(0, sum(sizes[r][j] - 1 for r in here) - len(guests))
    return total


def _sizes(m: int, seat: Mapping[str, int], among: Collection[str] | None = None) -> list[int]:
    sizes = [0] * m
    for pid, j in seat.items():
        if among is None or pid in among:
            sizes[j] += 1
    return sizes


def _meetable_pairs(present: Sequence[set[str]], hosts: set[str]) -> int:
    """Pairs who share at least one round, less pairs of staying hosts (never together)."""
    patterns = Counter(
        sum(1 << r for r, here in enumerate(present) if pid in here)
        for pid in set().union(*present)
    )
    items = list(patterns.items())
    pairs = 0
    for i, (mask, count) in enumerate(items):
        pairs += math.comb(count, 2)
        pairs += sum(count * other for mask2, other in items[i + 1 :] if mask & mask2)
    host_patterns = Counter(
        sum(1 << r for r, here in enumerate(present) if pid in here) for pid in hosts
    )
    host_items = list(host_patterns.items())
    for i, (mask, count) in enumerate(host_items):
        pairs -= math.comb(count, 2)
        pairs -= sum(count * other for mask2, other in host_items[i + 1 :] if mask & mask2)
    return pairs


def _counting(
    m: int, rounds: Sequence[Mapping[str, int]], present: Sequence[set[str]], hosts: set[str]
) -> int:
    """Bound 1, counting: every co-seated pair slot beyond the first for a pair is a repeat.

    The rounds offer Σ_r Σ_T C(s_rT, 2) pair slots; at most one slot per pair that can
    meet at all (shares a round, and is not two staying hosts) is a first meeting.
    """
    slots = sum(math.comb(s, 2) for seat in rounds for s in _sizes(m, seat))
    return max(0, slots - _meetable_pairs(present, hosts))


def _partners(
    m: int,
    rounds: Sequence[Mapping[str, int]],
    present: Sequence[set[str]],
    staying: Mapping[int, str],
) -> int:
    """Bound 1, per person: someone with more partner slots than possible partners repeats.

    Person p meets at least Σ_r (s_r − 1) partner slots, where s_r is the size of p's
    place in round r (the smallest place of the round unless p is a staying host), but at
    most as many distinct partners as people sharing a round with p, less the other staying
    hosts if p is one. Σ_p (slots_p − distinct_p) counts every repeat twice (once from each
    side), so repeats ≥ ⌈Σ_p max(0, slots_p − cap_p) / 2⌉.
    """
    host_place = {h: j for j, h in staying.items()}
    sizes = [_sizes(m, seat) for seat in rounds]
    smallest = [min((s for s in row if s), default=0) for row in sizes]
    pattern = {
        pid: sum(1 << r for r, here in enumerate(present) if pid in here)
        for pid in set().union(*present)
    }
    people_by = Counter(pattern.values())
    hosts_by = Counter(pattern[h] for h in host_place if h in pattern)
    excess = 0
    for pid, mask in pattern.items():
        rounds_here = [r for r in range(len(rounds)) if mask >> r & 1]
        partners = sum(n for other, n in people_by.items() if other & mask) - 1
        if pid in host_place:
            slots = sum(sizes[r][host_place[pid]] - 1 for r in rounds_here)
            partners -= sum(n for other, n in hosts_by.items() if other & mask) - 1
        else:
            slots = sum(smallest[r] - 1 for r in rounds_here)
        excess += max(0, slots - partners)
    return (excess + 1) // 2


def _transition(
    m: int,
    before: Mapping[str, int],
    after: Mapping[str, int],
    both: set[str],
    staying: Mapping[int, str],
) -> int:
    """Bound 2, transition: pairs co-seated in an earlier round q and again in round r.

    Let c[j][T] be how many of the people present in both rounds sit at j in round q
    and at T in round r. Rows sum to the round-q sizes a_j and columns to the round-r
    sizes b_T (counting only those people); a host who stays makes c[T][T] ≥ 1. Each
    cell holds C(c, 2) pairs that met in q and meet again in r, so round r has at least
    min Σ C(c[j][T], 2) repeats over all such integer matrices. C(c, 2) is convex, so
    this is a convex-cost transportation problem: solved exactly by successive shortest
    paths for up to `EXACT_TRANSITION_LIMIT` places, else bounded below by relaxations
    that drop the row sums (or the column sums), each a valid lower bound. Summing over
    rounds r counts disjoint events (a pair's meeting in round r), and any earlier round
    q will do, so the caller takes the best q for each r.
    """
    rows = tuple(_sizes(m, before, both))
    cols = tuple(_sizes(m, after, both))
    fixed = tuple(
        j
        for j, h in sorted(staying.items())
        if h in both and before.get(h) == j and after.get(h) == j
    )
    if m <= EXACT_TRANSITION_LIMIT and sum(rows) <= 20 * m:
        return exact_transition(rows, cols, fixed)
    return max(relaxed_transition(rows, cols, fixed), relaxed_transition(cols, rows, fixed))


def relaxed_transition(rows: Sequence[int], cols: Sequence[int], fixed: Sequence[int]) -> int:
    """Σ over columns of the cheapest spread of the column over rows, row sums ignored."""
    fixed_set = set(fixed)
    row_counts = Counter(rows)
    per_column = Counter((cols[t], rows[t], t in fixed_set) for t in range(len(cols)))
    total = 0
    for (size, own_row, hosted), count in per_column.items():
        groups = Counter(row_counts)
        if hosted:
            groups[own_row] -= 1
        total += count * _spread_cost(
            size, tuple(sorted(groups.items())), own_row if hosted else -1
        )
    return total


@lru_cache(maxsize=4096)
def _spread_cost(total: int, groups: tuple[tuple[int, int], ...], floor_cap: int) -> int:
    """Cheapest Σ C(c_i, 2) placing `total` units on rows with caps (cap, how many rows);
    plus, when `floor_cap` ≥ 0, one row of that cap that must take at least one unit.

    Convex separable costs are minimised by filling evenly (water-filling): every row
    holds min(cap, λ) or one more, where λ is the level reached.
    """
    rows = [(cap, n, 0) for cap, n in groups if n > 0]
    if floor_cap >= 0:
        rows.append((floor_cap, 1, 1))

    def filled(level: int) -> int:
        return sum(n * max(low, min(cap, level)) for cap, n, low in rows)

    top = max((cap for cap, _, _ in rows), default=0)
    if filled(top) < total:
        return math.comb(total, 2)  # cannot happen for real rounds; keep a valid answer
    low, high = 0, top
    while low < high:  # smallest level that holds everything
        mid = (low + high) // 2
        if filled(mid) >= total:
            high = mid
        else:
            low = mid + 1
    level = low
    below = max(level - 1, 0)
    cost = sum(n * math.comb(max(lo, min(cap, below)), 2) for cap, n, lo in rows)
    return cost + (total - filled(below)) * below


def exact_transition(rows: Sequence[int], cols: Sequence[int], fixed: Sequence[int]) -> int:
    """min Σ C(c[j][T], 2) with the given row and column sums and c[T][T] ≥ 1 for fixed T.

    Successive shortest paths, one unit at a time, on the convex costs: adding a unit to
    a cell holding c costs c, taking one away saves c − 1. Each path is found with
    Bellman–Ford; starting from a flow whose residual costs are all ≥ 0, every augmentation
    keeps the flow cheapest for its value, so the last one is optimal.
    """
    m = len(rows)
    cell = [[0] * m for _ in range(m)]
    floor = [[0] * m for _ in range(m)]
    row_left = list(rows)
    col_left = list(cols)
    for t in fixed:
        cell[t][t] = floor[t][t] = 1
        row_left[t] -= 1
        col_left[t] -= 1
    units = sum(row_left)
    source = 2 * m
    for _ in range(units):
        dist = [math.inf] * (2 * m + 1)
        back: list[tuple[int, int]] = [(-1, -1)] * (2 * m + 1)
        dist[source] = 0
        for j in range(m):
            if row_left[j] > 0:
                dist[j] = 0
                back[j] = (source, -1)
        for _ in range(2 * m + 1):
            changed = False
            for j in range(m):
                if dist[j] == math.inf:
                    continue
                for t in range(m):
                    cost = dist[j] + cell[j][t]
                    if cost < dist[m + t]:
                        dist[m + t], back[m + t], changed = cost, (j, 0), True
            for t in range(m):
                if dist[m + t] == math.inf:
                    continue
                for j in range(m):
                    if cell[j][t] > floor[j][t]:
                        cost = dist[m + t] - (cell[j][t] - 1)
                        if cost < dist[j]:
                            dist[j], back[j], changed = cost, (m + t, 1), True
            if not changed:
                break
        best = min(
            (t for t in range(m) if col_left[t] > 0), key=lambda t: dist[m + t], default=None
        )
        if best is None or dist[m + best] == math.inf:
            break
        col_left[best] -= 1
        node = m + best
        while node != source:
            prev, kind = back[node]
            if prev == source:
                row_left[node] -= 1
                break
            if kind == 0:
                cell[prev][node - m] += 1
            else:
                cell[node][prev - m] -= 1
            node = prev
    return sum(math.comb(c, 2) for row in cell for c in row)


def _host_revisits(m: int, rounds: Sequence[Mapping[str, int]], staying: Mapping[int, str]) -> int:
    """Bound 3, host revisits: with a staying host at every place, a guest present in
    R_p rounds visits some place at least R_p − m times more than once, and each return
    meets that place's host again.
    """
    if len(staying) < m or any(
        staying[j] not in seat or seat[staying[j]] != j for seat in rounds for j in range(m)
    ):
        return 0
    host_ids = set(staying.values())
    visits = Counter(pid for seat in rounds for pid in seat if pid not in host_ids)
    return sum(max(0, count - m) for count in visits.values())


def _together(present: Sequence[set[str]], keep_together: Collection[tuple[str, str]]) -> int:
    """Bound 4, keep-together: a pair kept together meets in every round both attend."""
    pairs = {tuple(sorted(pair)) for pair in keep_together}
    total = 0
    for a, b in pairs:
        shared = sum(1 for here in present if a in here and b in here)
        total += max(0, shared - 1)
    return total
