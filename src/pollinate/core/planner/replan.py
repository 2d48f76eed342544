"""Re-plan the rounds after a given one when people arrive late or leave.

    rounds 1..K         kept exactly as planned (leavers' past seats included)
    rounds K+1..R       leavers removed ─▶ leaving hosts replaced ─▶ arrivals seated
                        ─▶ balance restored by shortest chains of moves
                        ─▶ descent on (clashes, repeats, moves, −diversity)

The rule for planned people: someone already planned for a later round keeps that seat
unless moving them is needed for a hard rule (balance, a language, keep-apart or
keep-together, a new host taking their place) or removes at least one repeated pairing.
The final descent enforces it by ranking a change by the tuple (Δ keep-apart clashes,
Δ repeats, Δ planned people off their planned place, −Δ distinct groups and regions):
a change is made only when that tuple is lexicographically below zero, so moving a
planned person (+1 in the third place) is only ever bought by fewer clashes or repeats,
while arrivals, who have no planned seat, also move for diversity.

A leaving host's place gets a new host when `request.auto_hosts` is set: the sitter of
that place in round K+1 who sits there in the most later rounds (fewest moves), outside
any keep-together group when possible; they are marked in `Plan.auto_hosts` and swapped
to the place in the later rounds where they sat elsewhere. A late arrival marked as a
host hosts a place of their pool that has no host, if one speaks their language, and
otherwise sits as a participant.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

from pollinate.core.planner.chart import SeatingChart
from pollinate.core.planner.feasibility import lay_out, list_names, pool_words, together_groups
from pollinate.core.planner.model import Place, Plan, PlanRequest
from pollinate.core.planner.rules import seating_faults
from pollinate.core.planner.search import codes
from pollinate.core.planner.sizes import size_ranges
from pollinate.core.roster import Attendance, Participant
from pollinate.errors import InfeasibleError, InputError

MAX_SWEEPS = 8  # descent passes over the later rounds; each pass must improve something


def replan(
    plan: Plan,
    request: PlanRequest,
    *,
    after_round: int,
    arrivals: Sequence[Participant],
    leavers: Collection[str],
    clock: Callable[[], float],
) -> Plan:
    """Seat `arrivals` and drop `leavers` in rounds after `after_round`, moving few people.

    Rounds 1..`after_round` are returned unchanged. Raises `InputError` for unknown
    leavers or arrivals already seated, `InfeasibleError` when the later rounds cannot
    keep every hard rule. The final descent stops early at `request.time_limit` seconds
    on `clock`; what it has done by then keeps every rule.
    """
    deadline = clock() + request.time_limit
    _check_call(plan, request, after_round, arrivals, leavers)
    if after_round >= plan.rounds:
        return plan
    people = {p.id: p for p in request.participants} | {p.id: p for p in arrivals}
    leaving = set(leavers)
    later = range(after_round, plan.rounds)
    stay_hosts = {place: h for place, h in plan.hosts.items() if h not in leaving}
    present = sorted(
        ({pid for r in later for pid in plan.seating[r]} - leaving) | {p.id for p in arrivals}
    )
    staying = set(stay_hosts.values())
    lay_out(
        PlanRequest(
            participants=tuple(replace(people[pid], is_host=pid in staying) for pid in present),
            places=plan.places,
            rounds=1,
            auto_hosts=False,
            keep_apart=_among(request.keep_apart, present),
            keep_together=_among(request.keep_together, present),
        )
    )  # raises for capacity, balance, hosts and language before any seat changes
    rng = random.Random(f"{request.seed}/{after_round}")  # noqa: S311 (repeatable, not secret)
    seating = [dict(seat) for seat in plan.seating]
    hosts = dict(stay_hosts)
    auto = {place for place in plan.auto_hosts if place in hosts}
    for online in (False, True):
        job = _PoolJob(plan, request, people, online, after_round, arrivals, leaving, rng)
        if not job.ids:
            continue
        job.run(hosts, auto, lambda: clock() >= deadline)
        for r in later:
            seating[r] = {pid: t for pid, t in seating[r].items() if _pool(people, pid) != online}
            seating[r].update(job.seats(r))
    result = Plan(
        places=plan.places, seating=tuple(seating), hosts=hosts, auto_hosts=frozenset(auto)
    )
    faults = seating_faults(
        Plan(places=plan.places, seating=tuple(seating[after_round:]), hosts=hosts),
        tuple(people.values()),
        keep_apart=request.keep_apart,
        keep_together=request.keep_together,
    )
    if faults:
        raise InfeasibleError(
            faults[0].constraint, f"re-planning could not keep every rule ({faults[0].detail})"
        )
    return result


def _check_call(
    plan: Plan,
    request: PlanRequest,
    after_round: int,
    arrivals: Sequence[Participant],
    leavers: Collection[str],
) -> None:
    if not 0 <= after_round <= plan.rounds:
        raise InputError(
            f"after_round {after_round} is outside the plan's rounds 0..{plan.rounds}",
            field="after_round",
        )
    seated = {pid for seat in plan.seating for pid in seat}
    known = {p.id for p in request.participants}
    strangers = sorted(seated - known)
    if strangers:
        raise InputError(
            f"the plan seats people missing from the request: {list_names(strangers)}",
            field="participants",
            advice="Re-plan with the roster the plan was made from.",
        )
    unknown = sorted(set(leavers) - known)
    if unknown:
        raise InputError(
            f"unknown participants cannot leave: {list_names(unknown)}",
            field="leavers",
            advice="Use ids from the plan.",
        )
    again = sorted({p.id for p in arrivals} & known)
    if again:
        raise InputError(
            f"arrivals already in the plan: {list_names(again)}",
            field="arrivals",
            advice="List only people who were not planned.",
        )


def _among(pairs: Collection[tuple[str, str]], ids: Collection[str]) -> frozenset[tuple[str, str]]:
    here = set(ids)
    return frozenset((a, b) for a, b in pairs if a in here and b in here)


def _pool(people: Mapping[str, Participant], pid: str) -> bool:
    return people[pid].attendance is Attendance.ONLINE


@dataclass(slots=True)
class _Change:
    """A candidate change in one round: move `a` to `place`, or swap `a` with `b`."""

    rank: tuple[int, int, int, int]
    r: int
    a: int
    b: int = -1
    place: int = -1


class _PoolJob:
    """The re-planning of one pool, on a `SeatingChart` of everyone the pool ever seats."""

    def __init__(
        self,
        plan: Plan,
        request: PlanRequest,
        people: Mapping[str, Participant],
        online: bool,
        after_round: int,
        arrivals: Sequence[Participant],
        leaving: set[str],
        rng: random.Random,
    ) -> None:
        self.places: list[Place] = [p for p in plan.places if p.online == online]
        names = {place.name: j for j, place in enumerate(self.places)}
        self.online = online
        self.rng = rng
        self.k = after_round
        self.rounds = plan.rounds
        seated = {pid for seat in plan.seating for pid, t in seat.items() if t in names}
        new = sorted(p.id for p in arrivals if (p.attendance is Attendance.ONLINE) == online)
        self.ids = sorted(seated - set(new)) + new
        self.index = {pid: i for i, pid in enumerate(self.ids)}
        self.person = [people[pid] for pid in self.ids]
        self.arrivals = {self.index[pid] for pid in new}
        self.plan_hosts = {names[t]: self.index[h] for t, h in plan.hosts.items() if t in names}
        self.auto_hosts = request.auto_hosts
        groups = together_groups(self.ids, request.keep_together)
        self.blocks = {self.index[pid] for pid, g in groups.items() if len(g) > 1}
        self.partners = {
            self.index[pid]: [self.index[q] for q in sorted(g) if q != pid]
            for pid, g in groups.items()
            if len(g) > 1
        }
        apart: list[set[int]] = [set() for _ in self.ids]
        for a, b in request.keep_apart:
            if a in self.index and b in self.index:
                apart[self.index[a]].add(self.index[b])
                apart[self.index[b]].add(self.index[a])
        self.chart = SeatingChart(
            plan.rounds,
            len(self.places),
            groups=codes(p.stakeholder_group for p in self.person),
            regions=codes(p.region for p in self.person),
            apart=[frozenset(s) for s in apart],
        )
        self.planned: list[dict[int, int]] = [{} for _ in range(plan.rounds)]
        for r, seat in enumerate(plan.seating):
            for pid, t in sorted(seat.items()):
                if t in names and not (r >= after_round and pid in leaving):
                    self.chart.sit(self.index[pid], r, names[t])
                    if r >= after_round:
                        self.planned[r][self.index[pid]] = names[t]
        self.ranges: dict[int, list[tuple[int, int]]] = {}
        capacities = [place.capacity for place in self.places]
        for r in range(after_round, plan.rounds):
            count = sum(1 for row in self.chart.members[r] for _ in row) + len(self.arrivals)
            self.ranges[r] = size_ranges(capacities, count)
        self.hosts: dict[int, int] = {}
        self.active: set[int] = set(self.arrivals)

    # ── the steps ─────────────────────────────────────────────────────────────────────

    def run(self, hosts: dict[str, str], auto: set[str], late: Callable[[], bool]) -> None:
        """Re-plan the later rounds; update `hosts` and `auto` (by place name) in place."""
        self.hosts = {j: h for j, h in self.plan_hosts.items() if self.ids[h] in hosts.values()}
        if self.auto_hosts:
            for j in sorted(set(self.plan_hosts) - set(self.hosts)):
                self._replace_host(j, auto)
        for p in sorted(self.arrivals):
            self._seat_arrival(p, auto)
        for r in range(self.k, self.rounds):
            self._balance(r)
        self._descend(late)
        for j in set(self.plan_hosts) - set(self.hosts):
            hosts.pop(self.places[j].name, None)
            auto.discard(self.places[j].name)
        for j, h in self.hosts.items():
            hosts[self.places[j].name] = self.ids[h]

    def seats(self, r: int) -> dict[str, str]:
        """Round `r`'s seating of this pool, by id and place name."""
        return {
            self.ids[p]: self.places[j].name for p, j in enumerate(self.chart.seat[r]) if j >= 0
        }

    def _pinned(self, p: int) -> bool:
        return p in self.blocks or p in self.hosts.values()

    def _can_sit(self, p: int, j: int) -> bool:
        return self.person[p].speaks(self.places[j].language)

    def _replace_host(self, j: int, auto: set[str]) -> None:
        sitters = [
            p
            for p in self.chart.members[self.k][j]
            if p not in self.hosts.values() and p not in self.arrivals
        ]
        if not sitters:
            return
        lottery = {p: self.rng.random() for p in sitters}
        stays = {
            p: sum(self.chart.seat[r][p] == j for r in range(self.k, self.rounds)) for p in sitters
        }
        host = min(sitters, key=lambda p: (p in self.blocks, -stays[p], lottery[p]))
        self.hosts[j] = host
        auto.add(self.places[j].name)
        for r in range(self.k + 1, self.rounds):
            here = self.chart.seat[r][host]
            if here == j or here < 0:
                continue
            partners = [
                b
                for b in self.chart.members[r][j]
                if not self._pinned(b) and self._can_sit(b, here)
            ]
            if partners:
                b = min(partners, key=lambda b: self._swap_rank(r, host, b))
                self.chart.swap(r, host, b)
                self.active.add(b)
            else:  # the balance chains will make room
                self.chart.move(r, host, j)

    def _seat_arrival(self, p: int, auto: set[str]) -> None:
        person = self.person[p]
        if person.is_host:
            free = [
                j for j in range(len(self.places)) if j not in self.hosts and self._can_sit(p, j)
            ]
            if free:
                self.hosts[free[0]] = p
                auto.discard(self.places[free[0]].name)
        host_place = next((j for j, h in self.hosts.items() if h == p), -1)
        for r in range(self.k, self.rounds):
            options = [host_place] if host_place >= 0 else self._arrival_places(p, r)
            order = {j: self.rng.random() for j in options}
            j = min(options, key=lambda j: (self._arrival_rank(p, r, j), order[j]))
            self.chart.sit(p, r, j)

    def _arrival_places(self, p: int, r: int) -> list[int]:
        mates = [
            self.chart.seat[r][q] for q in self.partners.get(p, []) if self.chart.seat[r][q] >= 0
        ]
        if mates:
            return mates[:1]
        allowed = [j for j in range(len(self.places)) if self._can_sit(p, j)]
        if not allowed:
            kind, noun = pool_words(self.online)
            raise InfeasibleError(
                "language", f"{self.person[p].name} speaks no language of any {kind} {noun}"
            )
        return allowed

    def _arrival_rank(self, p: int, r: int, j: int) -> tuple[int, ...]:
        chart = self.chart
        sitters = chart.members[r][j]
        low, high = self.ranges[r][j]
        return (
            sum(q in chart.apart[p] for q in sitters),
            len(sitters) >= high,
            sum(q in chart.met[p] for q in sitters),
            len(sitters) >= low,
            (chart.group[p] >= 0 and chart.group_count[r][j][chart.group[p]] > 0)
            + (chart.region[p] >= 0 and chart.region_count[r][j][chart.region[p]] > 0),
        )

    def _balance(self, r: int) -> None:
        """Bring every place of round r into its size range by shortest chains of moves."""
        chart, ranges = self.chart, self.ranges[r]
        m = len(self.places)
        for _ in range(sum(len(row) for row in chart.members[r]) + m):
            sizes = [len(row) for row in chart.members[r]]
            over = [j for j in range(m) if sizes[j] > ranges[j][1]]
            under = [j for j in range(m) if sizes[j] < ranges[j][0]]
            if not over and not under:
                return
            sources = over or [j for j in range(m) if sizes[j] > ranges[j][0]]
            sinks = set(under or [j for j in range(m) if sizes[j] < ranges[j][1]])
            path = self._chain(r, sources, sinks)
            if path is None:
                kind, noun = pool_words(self.online)
                raise InfeasibleError(
                    "balance",
                    f"round {r + 1}: no {kind} {noun} sizes within one can be reached by "
                    "moving people who speak the places' languages",
                )
            for there, here in reversed(list(pairwise(path))):
                movers = [
                    p
                    for p in chart.members[r][there]
                    if not self._pinned(p) and self._can_sit(p, here)
                ]
                p = min(movers, key=lambda p: self._move_rank(r, p, here))
                chart.move(r, p, here)
                self.active.add(p)
        raise InfeasibleError("balance", f"round {r + 1}: sizes did not settle")  # pragma: no cover

    def _chain(self, r: int, sources: Sequence[int], sinks: set[int]) -> list[int] | None:
        """Shortest list of places, source to sink, each next place takeable by someone movable."""
        back: dict[int, int] = dict.fromkeys(sources, -1)
        queue = deque(sources)
        while queue:
            there = queue.popleft()
            if there in sinks:
                path = [there]
                while back[path[-1]] >= 0:
                    path.append(back[path[-1]])
                return path[::-1]
            movable = [p for p in self.chart.members[r][there] if not self._pinned(p)]
            for here in range(len(self.places)):
                if here not in back and any(self._can_sit(p, here) for p in movable):
                    back[here] = there
                    queue.append(here)
        return None

    # ── the descent ───────────────────────────────────────────────────────────────────

    def _moved(self, r: int, p: int, j: int) -> int:
        """1 if a planned person at place j in round r is off their planned place."""
        planned = self.planned[r].get(p)
        return int(planned is not None and planned != j)

    def _move_rank(self, r: int, p: int, j: int) -> tuple[int, int, int, int]:
        clashes, repeats, distinct = self.chart.move_delta(r, p, j)
        here = self.chart.seat[r][p]
        moved = self._moved(r, p, j) - self._moved(r, p, here)
        return clashes, repeats, moved, -distinct

    def _swap_rank(self, r: int, a: int, b: int) -> tuple[int, int, int, int]:
        clashes, repeats, distinct = self.chart.swap_delta(r, a, b)
        big_a, big_b = self.chart.seat[r][a], self.chart.seat[r][b]
        moved = (
            self._moved(r, a, big_b)
            - self._moved(r, a, big_a)
            + self._moved(r, b, big_a)
            - self._moved(r, b, big_b)
        )
        return clashes, repeats, moved, -distinct

    def _descend(self, late: Callable[[], bool]) -> None:
        for _ in range(MAX_SWEEPS):
            changed = False
            for r in range(self.k, self.rounds):
                if late():
                    return
                for a in self._focus(r):
                    best = self._best_change(r, a)
                    if best is not None:
                        if best.b >= 0:
                            self.chart.swap(r, a, best.b)
                            self.active.add(best.b)
                        else:
                            self.chart.move(r, a, best.place)
                        changed = True
            if not changed:
                return

    def _focus(self, r: int) -> list[int]:
        """Who may start a change: arrivals and people already moved, and anyone who
        repeats a pairing with them or sits with a keep-apart partner."""
        chart = self.chart
        focus = {p for p in self.active if chart.seat[r][p] >= 0}
        for p in list(focus):
            focus.update(q for q, n in chart.met[p].items() if n > 1 and chart.seat[r][q] >= 0)
        for a, b in chart.clashing:
            focus.update(p for p in (a, b) if chart.seat[r][p] >= 0)
        return sorted(p for p in focus if not self._pinned(p))

    def _best_change(self, r: int, a: int) -> _Change | None:
        chart, ranges = self.chart, self.ranges[r]
        here = chart.seat[r][a]
        best: _Change | None = None
        shrinkable = len(chart.members[r][here]) > ranges[here][0]
        for there in range(len(self.places)):
            if there == here or not self._can_sit(a, there):
                continue
            if shrinkable and len(chart.members[r][there]) < ranges[there][1]:
                rank = self._move_rank(r, a, there)
                if rank < (0, 0, 0, 0) and (best is None or rank < best.rank):
                    best = _Change(rank, r, a, place=there)
            for b in chart.members[r][there]:
                if self._pinned(b) or not self._can_sit(b, here):
                    continue
                rank = self._swap_rank(r, a, b)
                if rank < (0, 0, 0, 0) and (best is None or rank < best.rank):
                    best = _Change(rank, r, a, b=b)
        return best
