"""A small hybrid café built by hand, shared by the io tests: 6 onsite, 4 online, 2 rounds.

Table 1 (host p1, from the roster)      Room A (host o1, video link)
Table 2 (host p4, chosen by the planner) Room B (no link; o4 has no email)
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

from pollinate.core.planner.model import Place, Plan, PlanMetrics
from pollinate.core.roster import Attendance, Participant, Roster
from pollinate.core.session import AgendaBlock, BlockKind, SessionSpec

ONLINE = Attendance.ONLINE

PLACES = (
    Place("Table 1", capacity=3),
    Place("Table 2", capacity=3, language="French"),
    Place("Room A", capacity=2, online=True, video_link="https://meet.example/room-a"),
    Place("Room B", capacity=2, online=True),
)


def roster() -> Roster:
    return Roster(
        (
            Participant("p1", "Amina Yusuf", email="amina@example.org", is_host=True),
            Participant("p2", "José Álvarez", email="jose@example.org"),
            Participant("p3", "Chen Wei", email="chen@example.org"),
            Participant("p4", "Marie Curie", email="marie@example.org"),
            Participant("p5", "Olu Ade", email="olu@example.org"),
            Participant("p6", "Sara Berg", email="sara@example.org"),
            Participant("o1", "Ravi Nair", email="ravi@example.org", attendance=ONLINE),
            Participant("o2", "Lena Ko", email="lena@example.org", attendance=ONLINE),
            Participant("o3", "Tom Hale", email="tom@example.org", attendance=ONLINE),
            Participant("o4", "Ana Lima", attendance=ONLINE),
        )
    )


def plan() -> Plan:
    return Plan(
        places=PLACES,
        seating=(
            {
                "p1": "Table 1", "p2": "Table 1", "p3": "Table 1",
                "p4": "Table 2", "p5": "Table 2", "p6": "Table 2",
                "o1": "Room A", "o2": "Room A", "o3": "Room B", "o4": "Room B",
            },
            {
                "p1": "Table 1", "p5": "Table 1", "p6": "Table 1",
                "p4": "Table 2", "p2": "Table 2", "p3": "Table 2",
                "o1": "Room A", "o3": "Room A", "o2": "Room B", "o4": "Room B",
            },
        ),
        hosts={"Table 1": "p1", "Table 2": "p4", "Room A": "o1"},
        auto_hosts=frozenset({"Table 2"}),
    )  # fmt: skip


def metrics() -> PlanMetrics:
    return PlanMetrics(
        repeated_pairs=1,
        repeated_pairs_lower_bound=0,
        diversity_score=0.75,
        distinct_groups=8,
        distinct_groups_bound=9,
        distinct_regions=7,
        distinct_regions_bound=8,
        size_spread=0,
        participants=10,
        rounds=2,
    )


def spec(**changes: object) -> SessionSpec:
    base = SessionSpec(
        title="Data Governance Café",
        duration_minutes=60,
        event="IGF 2024",
        date=date(2024, 12, 17),
        start_time=time(14, 0),
        timezone="Asia/Riyadh",
        agenda=(
            AgendaBlock(BlockKind.INTRO, "Welcome", 10),
            AgendaBlock(BlockKind.ROUND, "Round 1", 20, question="Who should hold the data?"),
            AgendaBlock(BlockKind.ROUND, "Round 2", 20, question="What would build trust?"),
            AgendaBlock(BlockKind.REPORT_BACK, "Harvest", 10),
        ),
        join_url="https://cafe.example/join/abc",
    )
    return replace(base, **changes)  # type: ignore[arg-type]
