"""Factories for planner tests: people, places, a fake clock and random small cafés."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from hypothesis import strategies as st

from pollinate.core.planner.model import Place, Plan, PlanRequest
from pollinate.core.roster import Attendance, Participant

GROUPS = ("civil society", "government", "private sector", "academia")
REGIONS = ("Africa", "Asia-Pacific", "GRULAC")


def person(
    pid: str,
    *,
    group: str | None = None,
    region: str | None = None,
    online: bool = False,
    languages: tuple[str, ...] = (),
    host: bool = False,
) -> Participant:
    return Participant(
        id=pid,
        name=f"Person {pid}",
        stakeholder_group=group,
        region=region,
        attendance=Attendance.ONLINE if online else Attendance.ONSITE,
        languages=languages,
        is_host=host,
    )


def crowd(count: int, *, prefix: str = "p", online: bool = False) -> list[Participant]:
    """`count` people with groups and regions cycling through the lists above."""
    return [
        person(
            f"{prefix}{i:02d}",
            group=GROUPS[i % len(GROUPS)],
            region=REGIONS[i % len(REGIONS)],
            online=online,
        )
        for i in range(count)
    ]


def tables(
    count: int, capacity: int, *, online: bool = False, language: str | None = None
) -> tuple[Place, ...]:
    word = "Room" if online else "Table"
    suffix = f" {language}" if language else ""
    return tuple(
        Place(f"{word}{suffix} {i + 1}", capacity, online=online, language=language)
        for i in range(count)
    )


def ticking_clock(step: float = 0.1) -> Callable[[], float]:
    """A clock that advances `step` seconds per reading: time limits without real time."""
    ticks = itertools.count()
    return lambda: next(ticks) * step


def moves(before: Plan, after: Plan, round_number: int) -> int:
    """People seated in both plans whose place in this round changed."""
    old, new = before.seating[round_number - 1], after.seating[round_number - 1]
    return sum(1 for pid, place in old.items() if pid in new and new[pid] != place)


@st.composite
def cafes(draw: st.DrawFn, *, max_onsite: int = 14, max_online: int = 8) -> PlanRequest:
    """Small random cafés: one or two pools, mixed capacities, maybe a French-only place,
    designated hosts, a few keep-apart and keep-together pairs. Not always feasible."""
    people: list[Participant] = []
    places: list[Place] = []
    for online, most in ((False, max_onsite), (True, max_online)):
        n = draw(st.integers(0, most))
        if n == 0:
            continue
        m = draw(st.integers(1, max(1, n // 2)))
        capacities = [draw(st.integers(2, 6)) for _ in range(m)]
        while sum(capacities) < n:
            capacities[draw(st.integers(0, m - 1))] += 1
        french = m > 1 and draw(st.booleans())
        for j, capacity in enumerate(capacities):
            word = "Room" if online else "Table"
            language = "French" if french and j == 0 else None
            places.append(Place(f"{word} {j + 1}", capacity, online=online, language=language))
        hosts = draw(st.integers(0, m))
        for i in range(n):
            speaks = draw(st.sampled_from([(), ("English",), ("English", "French"), ("French",)]))
            people.append(
                person(
                    f"{'o' if online else 's'}{i:02d}",
                    group=draw(st.sampled_from((*GROUPS, None))),
                    region=draw(st.sampled_from((*REGIONS, None))),
                    online=online,
                    languages=speaks,
                    host=i < hosts,
                )
            )
    if not people:
        people.append(person("s00"))
        places.append(Place("Table 1", 4))
    ids = [p.id for p in people]
    pair = st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda ab: ab[0] != ab[1])
    apart = draw(st.frozensets(pair, max_size=2))
    together = draw(st.frozensets(pair, max_size=2))
    return PlanRequest(
        participants=tuple(people),
        places=tuple(places),
        rounds=draw(st.integers(1, 4)),
        keep_apart=apart,
        keep_together=together,
        seed=draw(st.integers(0, 3)),
        time_limit=1.0,
    )
