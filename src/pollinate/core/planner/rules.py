"""The hard rules of a seating, checked on a finished plan.

The search builds plans that keep these rules by construction; this module checks them
again from scratch, so a bug in the search surfaces as an `InfeasibleError` naming the
rule instead of a wrong plan reaching a facilitator. Tests use it as their oracle.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from pollinate.core.planner.model import Place, Plan
from pollinate.core.planner.sizes import sizes_fit
from pollinate.core.roster import Attendance, Participant


@dataclass(frozen=True, slots=True)
class Fault:
    """One broken rule: `constraint` is the rule's name as `InfeasibleError` uses it.

    >>> Fault("capacity", "round 2: Table 1 seats 7 but holds 6").constraint
    'capacity'
    """

    constraint: str
    detail: str


def seating_faults(
    plan: Plan,
    participants: Sequence[Participant],
    *,
    keep_apart: Collection[tuple[str, str]] = frozenset(),
    keep_together: Collection[tuple[str, str]] = frozenset(),
) -> list[Fault]:
    """Every hard rule the plan breaks, round by round; empty when the plan is valid.

    Checked: seated people are on the roster and places exist; attendance pools;
    capacities; place languages; sizes within one where capacity allows (every place used);
    keep-apart and keep-together pairs; hosts at their place in every round they attend,
    and auto hosts are hosts. Who must be present in which round is the caller's to check
    (a seating maps each id to one place, so nobody can sit twice).
    """
    faults: list[Fault] = []
    people = {p.id: p for p in participants}
    places = {place.name: place for place in plan.places}
    for r, seat in enumerate(plan.seating, start=1):
        faults.extend(_round_faults(r, seat, plan, people, places))
        for a, b in sorted(keep_apart):
            if a in seat and b in seat and seat[a] == seat[b]:
                faults.append(Fault("keep_apart", f"round {r}: {a} and {b} both at {seat[a]}"))
        for a, b in sorted(keep_together):
            if a in seat and b in seat and seat[a] != seat[b]:
                faults.append(
                    Fault("keep_together", f"round {r}: {a} at {seat[a]} but {b} at {seat[b]}")
                )
    hosted = Counter(plan.hosts.values())
    for host, times in hosted.items():
        if times > 1:
            faults.append(Fault("hosts", f"{host} hosts {times} places"))
    for place, host in sorted(plan.hosts.items()):
        if place not in places:
            faults.append(Fault("hosts", f"{host} hosts {place}, which is not a place"))
        for r, seat in enumerate(plan.seating, start=1):
            if host in seat and seat[host] != place:
                faults.append(Fault("hosts", f"round {r}: host {host} of {place} at {seat[host]}"))
    for place in sorted(plan.auto_hosts - set(plan.hosts)):
        faults.append(Fault("hosts", f"{place} is marked auto-hosted but has no host"))
    return faults


def _round_faults(
    r: int,
    seat: Mapping[str, str],
    plan: Plan,
    people: Mapping[str, Participant],
    places: Mapping[str, Place],
) -> list[Fault]:
    faults: list[Fault] = []
    sizes: Counter[str] = Counter()
    for pid, name in sorted(seat.items()):
        place = places.get(name)
        person = people.get(pid)
        if place is None or person is None:
            what = f"place {name}" if place is None else f"participant {pid}"
            faults.append(Fault("roster", f"round {r}: unknown {what}"))
            continue
        sizes[name] += 1
        if place.online != (person.attendance is Attendance.ONLINE):
            faults.append(Fault("attendance", f"round {r}: {pid} ({person.attendance}) at {name}"))
        if not person.speaks(place.language):
            faults.append(
                Fault("language", f"round {r}: {pid} at {name} does not speak {place.language}")
            )
    for place in plan.places:
        if sizes[place.name] > place.capacity:
            faults.append(
                Fault(
                    "capacity",
                    f"round {r}: {place.name} seats {place.capacity} but holds {sizes[place.name]}",
                )
            )
    for online in (False, True):
        pool = [place for place in plan.places if place.online == online]
        counts = [sizes[place.name] for place in pool]
        if 0 < sum(counts) < len(pool):
            faults.append(
                Fault("balance", f"round {r}: {sum(counts)} people for {len(pool)} places")
            )
        elif sum(counts) and not sizes_fit(counts, [place.capacity for place in pool]):
            shown = ", ".join(f"{p.name} {n}" for p, n in zip(pool, counts, strict=True))
            faults.append(Fault("balance", f"round {r}: uneven sizes ({shown})"))
    return faults
