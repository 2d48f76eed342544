"""The search's working seating chart for one pool, with its objectives kept current.

People and places are small integers local to the pool. The chart keeps, for every
person, how often they have met each partner so far (a dict per person), so the effect of
seating someone, or of swapping two people in a round, on the three objectives is found
by looking at the few people at the two places concerned:

    clashes   keep-apart pairs seated together (a hard rule the search must bring to 0)
    repeats   Σ over pairs of max(0, meetings − 1)
    distinct  Σ over rounds and places of distinct stakeholder groups plus distinct regions
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence


class PairBag:
    """A set of pairs (a < b) with O(1) add, discard and uniform random choice."""

    def __init__(self) -> None:
        self._items: list[tuple[int, int]] = []
        self._where: dict[tuple[int, int], int] = {}

    def __len__(self) -> int:
        return len(self._items)

    def add(self, pair: tuple[int, int]) -> None:
        """Add `pair` unless present."""
        if pair not in self._where:
            self._where[pair] = len(self._items)
            self._items.append(pair)

    def discard(self, pair: tuple[int, int]) -> None:
        """Remove `pair` if present (the last item takes its slot)."""
        slot = self._where.pop(pair, None)
        if slot is None:
            return
        last = self._items.pop()
        if slot < len(self._items):
            self._items[slot] = last
            self._where[last] = slot

    def choice(self, rng: random.Random) -> tuple[int, int]:
        """A pair drawn uniformly (the bag must not be empty)."""
        return self._items[int(rng.random() * len(self._items))]

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return iter(list(self._items))


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


class SeatingChart:
    """Who sits where in each round of one pool, and what that costs.

    `seat[r][p]` is person p's place in round r (-1: not seated); `members[r][j]` lists
    who sits at place j. `group[p]` and `region[p]` are small ints, -1 when unknown.

    >>> chart = SeatingChart(2, 2, groups=[0, 0, 1, 1], regions=[-1] * 4, apart=[frozenset()] * 4)
    >>> for r in range(2):
    ...     chart.sit(0, r, 0); chart.sit(1, r, 0); chart.sit(2, r, 1); chart.sit(3, r, 1)
    >>> chart.repeats, chart.swap_delta(1, 1, 2)
    (2, (0, -2, 2))
    """

    def __init__(
        self,
        rounds: int,
        places: int,
        *,
        groups: Sequence[int],
        regions: Sequence[int],
        apart: Sequence[frozenset[int]],
    ) -> None:
        people = len(groups)
        self.rounds = rounds
        self.places = places
        self.group = list(groups)
        self.region = list(regions)
        self.apart = list(apart)
        self.seat = [[-1] * people for _ in range(rounds)]
        self.members: list[list[list[int]]] = [[[] for _ in range(places)] for _ in range(rounds)]
        self.met: list[dict[int, int]] = [{} for _ in range(people)]
        n_groups = max(groups, default=-1) + 1
        n_regions = max(regions, default=-1) + 1
        self.group_count = [[[0] * n_groups for _ in range(places)] for _ in range(rounds)]
        self.region_count = [[[0] * n_regions for _ in range(places)] for _ in range(rounds)]
        self.repeats = 0
        self.distinct = 0
        self.clashes = 0
        self.repeated = PairBag()  # pairs that have met at least twice
        self.clashing = PairBag()  # keep-apart pairs seated together in some round

    @property
    def people(self) -> int:
        """How many people the chart knows (seated or not)."""
        return len(self.group)

    def sit(self, p: int, r: int, j: int) -> None:
        """Seat person `p` at place `j` in round `r` (they must not be seated yet)."""
        mates = self.members[r][j]
        met_p = self.met[p]
        for q in mates:
            k = met_p.get(q, 0)
            if k:
                self.repeats += 1
                if k == 1:
                    self.repeated.add(_pair(p, q))
            met_p[q] = k + 1
            self.met[q][p] = k + 1
        if self.apart[p]:
            for q in mates:
                if q in self.apart[p]:
                    self.clashes += 1
                    self.clashing.add(_pair(p, q))
        mates.append(p)
        self.seat[r][p] = j
        g = self.group[p]
        if g >= 0:
            counts = self.group_count[r][j]
            if counts[g] == 0:
                self.distinct += 1
            counts[g] += 1
        g = self.region[p]
        if g >= 0:
            counts = self.region_count[r][j]
            if counts[g] == 0:
                self.distinct += 1
            counts[g] += 1

    def leave(self, p: int, r: int) -> None:
        """Unseat person `p` from round `r`."""
        j = self.seat[r][p]
        mates = self.members[r][j]
        mates.remove(p)
        self.seat[r][p] = -1
        met_p = self.met[p]
        for q in mates:
            k = met_p[q]
            if k >= 2:
                self.repeats -= 1
                if k == 2:
                    self.repeated.discard(_pair(p, q))
            if k == 1:
                del met_p[q]
                del self.met[q][p]
            else:
                met_p[q] = k - 1
                self.met[q][p] = k - 1
        if self.apart[p]:
            for q in mates:
                if q in self.apart[p]:
                    self.clashes -= 1
                    if not self._apart_elsewhere(p, q):
                        self.clashing.discard(_pair(p, q))
        for attribute, count_of in (
            (self.group[p], self.group_count),
            (self.region[p], self.region_count),
        ):
            if attribute >= 0:
                counts = count_of[r][j]
                counts[attribute] -= 1
                if counts[attribute] == 0:
                    self.distinct -= 1

    def _apart_elsewhere(self, p: int, q: int) -> bool:
        return any(s[p] >= 0 and s[p] == s[q] for s in self.seat)

    def together(self, p: int, q: int) -> list[int]:
        """The rounds in which `p` and `q` sit at the same place."""
        return [r for r, s in enumerate(self.seat) if s[p] >= 0 and s[p] == s[q]]

    def swap_delta(self, r: int, a: int, b: int) -> tuple[int, int, int]:
        """(Δ clashes, Δ repeats, Δ distinct) if `a` and `b` traded places in round `r`.

        a leaves A for B and b leaves B for A: a's pairs with A's others lose a meeting
        and a's pairs with B's others gain one, and likewise for b; no other pair changes.
        """
        seat = self.seat[r]
        big_a, big_b = seat[a], seat[b]
        met_a, met_b = self.met[a], self.met[b]
        repeats = 0
        for x in self.members[r][big_a]:
            if x != a:
                if met_a.get(x, 0) >= 2:
                    repeats -= 1
                if x in met_b:
                    repeats += 1
        for y in self.members[r][big_b]:
            if y != b:
                if met_b.get(y, 0) >= 2:
                    repeats -= 1
                if y in met_a:
                    repeats += 1
        clashes = 0
        apart_a, apart_b = self.apart[a], self.apart[b]
        if apart_a or apart_b:
            for x in self.members[r][big_a]:
                if x != a:
                    clashes += (x in apart_b) - (x in apart_a)
            for y in self.members[r][big_b]:
                if y != b:
                    clashes += (y in apart_a) - (y in apart_b)
        distinct = 0
        kind_a, kind_b = self.group[a], self.group[b]
        if kind_a != kind_b:
            counts = self.group_count[r]
            distinct += _trade(counts[big_a], kind_a, kind_b) + _trade(
                counts[big_b], kind_b, kind_a
            )
        kind_a, kind_b = self.region[a], self.region[b]
        if kind_a != kind_b:
            counts = self.region_count[r]
            distinct += _trade(counts[big_a], kind_a, kind_b) + _trade(
                counts[big_b], kind_b, kind_a
            )
        return clashes, repeats, distinct

    def swap(self, r: int, a: int, b: int) -> None:
        """Trade the places of `a` and `b` in round `r`."""
        big_a, big_b = self.seat[r][a], self.seat[r][b]
        self.leave(a, r)
        self.leave(b, r)
        self.sit(a, r, big_b)
        self.sit(b, r, big_a)

    def move_delta(self, r: int, p: int, j: int) -> tuple[int, int, int]:
        """(Δ clashes, Δ repeats, Δ distinct) if `p` moved to place `j` in round `r`."""
        here = self.seat[r][p]
        met_p = self.met[p]
        repeats = sum(-1 for x in self.members[r][here] if x != p and met_p.get(x, 0) >= 2)
        repeats += sum(1 for y in self.members[r][j] if y in met_p)
        apart = self.apart[p]
        clashes = sum(1 for y in self.members[r][j] if y in apart) - sum(
            1 for x in self.members[r][here] if x in apart
        )
        distinct = 0
        for kind, count_of in (
            (self.group[p], self.group_count[r]),
            (self.region[p], self.region_count[r]),
        ):
            if kind >= 0:
                distinct -= count_of[here][kind] == 1
                distinct += count_of[j][kind] == 0
        return clashes, repeats, distinct

    def move(self, r: int, p: int, j: int) -> None:
        """Move `p` to place `j` in round `r`."""
        self.leave(p, r)
        self.sit(p, r, j)

    def snapshot(self) -> list[list[int]]:
        """A copy of the seats, for `restore`."""
        return [list(row) for row in self.seat]

    def restore(self, seats: Sequence[Sequence[int]]) -> None:
        """Go back to a `snapshot` (rebuilding every count from scratch)."""
        for r, row in enumerate(seats):
            for p, j in enumerate(row):
                if self.seat[r][p] != j and self.seat[r][p] >= 0:
                    self.leave(p, r)
            for p, j in enumerate(row):
                if j >= 0 and self.seat[r][p] < 0:
                    self.sit(p, r, j)


def _trade(counts: Sequence[int], leaving: int, coming: int) -> int:
    """Change in distinct values at a place when one `leaving` is replaced by one `coming`."""
    change = 0
    if leaving >= 0 and counts[leaving] == 1:
        change -= 1
    if coming >= 0 and counts[coming] == 0:
        change += 1
    return change
