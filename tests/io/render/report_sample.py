"""One report with every section filled, for the renderer tests (no database needed)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from pollinate.core.report import (
    AgendaMoment,
    Discussion,
    Report,
    ThemeSummary,
    VoteResult,
    build_report,
    count_participation,
)
from pollinate.core.roster import Attendance, Participant, Roster
from pollinate.core.session import AgendaBlock, BlockKind, Roles, Room, SessionSpec, Table

SPEC = SessionSpec(
    title="Following the money",
    duration_minutes=45,
    agenda=(
        AgendaBlock(BlockKind.INTRO, "Level-setting introduction", 5),
        AgendaBlock(BlockKind.ROUND, "Understanding AI risk", 15, "How can investors help?"),
        AgendaBlock(BlockKind.ROUND, "Holding companies to account", 15, "What common ground?"),
        AgendaBlock(BlockKind.NEXT_STEPS, "Next steps, perhaps a dynamic coalition", 10),
    ),
    event="Internet Governance Forum",
    date=date(2025, 6, 24),
    start_time=time(14, 0),
    timezone="Europe/Oslo",
    roles=Roles(
        onsite_moderator="Jessica Dheere, Open MIC",
        online_moderator="Anita Dorrett",
        rapporteur="Jan Rydzak, World Benchmarking Alliance (WBA)",
    ),
    tables=(Table("Table 1", 8), Table("Table 2", 8)),
    rooms=(Room("Room 1", 6),),
    sdg_targets=("9", "12.6", "17.6"),
)
ROSTER = Roster(
    tuple(
        Participant(
            f"p{n:02d}",
            f"Person {n}",
            stakeholder_group=("civil society", "investors", "private sector")[n % 3],
            region=("Africa", "Western Europe and Others")[n % 2],
            attendance=Attendance.ONLINE if n % 4 == 0 else Attendance.ONSITE,
        )
        for n in range(1, 13)
    )
)
STARTED = datetime(2025, 6, 24, 12, 2, tzinfo=UTC)  # 14:02 in Oslo (summer time)
MOMENTS = (
    AgendaMoment(STARTED, 0),
    AgendaMoment(STARTED + timedelta(minutes=6), 1),
    AgendaMoment(STARTED + timedelta(minutes=23), 2),
    AgendaMoment(STARTED + timedelta(minutes=39), 3),
    AgendaMoment(STARTED + timedelta(minutes=50), None),
)
TRUST = ThemeSummary(
    label="Shared risk data",
    size=7,
    tables=("Table 1", "Table 2", "Room 1"),
    rounds=(1,),
    representatives=("Investors lack data on AI risks.", "Civil society can map risks first."),
    votes=11,
)
ACCOUNT = ThemeSummary(
    label="Guiding principles",
    size=4,
    tables=("Table 2",),
    rounds=(2,),
    representatives=("Use the UN Guiding Principles as the common ground.",),
    votes=3,
)


def sample_report() -> Report:
    """The sample; change a field with `dataclasses.replace`."""
    return build_report(
        SPEC,
        moments=MOMENTS,
        participation=count_participation(ROSTER, absent=["p12"]),
        discussions=(
            Discussion(1, "Understanding AI risk", "How can investors help?", 9, (TRUST,)),
            Discussion(2, "Holding companies to account", "What common ground?", 5, (ACCOUNT,)),
        ),
        key_takeaways=("Risk data must be shared between investors and civil society.",),
        calls_to_action=("Form a dynamic coalition on AI accountability.",),
        votes=(VoteResult("Guiding principles", 3), VoteResult("Shared risk data", 11)),
    )
