from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta

import pytest

from pollinate.core.report import (
    AgendaMoment,
    Count,
    Participation,
    PublicRole,
    VoteResult,
    agenda_as_run,
    build_report,
    count_participation,
    public_roles,
    session_format,
)
from pollinate.core.roster import Attendance, Participant, Roster
from pollinate.core.session import AgendaBlock, BlockKind, Roles, Room, SessionSpec, Table

NINE = datetime(2025, 6, 24, 9, 0, tzinfo=UTC)
SPEC = SessionSpec(
    title="Café",
    duration_minutes=35,
    agenda=(
        AgendaBlock(BlockKind.INTRO, "Welcome", 5),
        AgendaBlock(BlockKind.ROUND, "Round one", 15, "What works?"),
        AgendaBlock(BlockKind.ROUND, "Round two", 15, "What next?"),
    ),
)


def at(minutes: float, block: int | None) -> AgendaMoment:
    return AgendaMoment(NINE + timedelta(minutes=minutes), block)


def test_each_block_runs_from_its_start_to_the_next_moment():
    rows = agenda_as_run(SPEC, [at(0, 0), at(6, 1), at(22, 2), at(40, None)])
    assert [(r.actual_start, r.actual_end) for r in rows] == [
        (NINE, NINE + timedelta(minutes=6)),
        (NINE + timedelta(minutes=6), NINE + timedelta(minutes=22)),
        (NINE + timedelta(minutes=22), NINE + timedelta(minutes=40)),
    ]
    assert [r.actual_minutes for r in rows] == [6, 16, 18]


def test_a_block_run_twice_spans_its_first_start_to_its_last_end():
    # Next into round one at 6, Previous back to the welcome at 8, Next again at 9.
    moments = [at(9, 1), at(0, 0), at(8, 0), at(6, 1), at(25, None)]  # in any order
    welcome, round_one, round_two = agenda_as_run(SPEC, moments)
    assert (welcome.actual_start, welcome.actual_end) == (NINE, NINE + timedelta(minutes=9))
    assert round_one.actual_start == NINE + timedelta(minutes=6)
    assert round_one.actual_end == NINE + timedelta(minutes=25)
    assert (round_two.actual_start, round_two.actual_end) == (None, None)


def test_a_block_still_on_has_a_start_and_no_end():
    rows = agenda_as_run(SPEC, [at(0, 0), at(5, 1)])
    assert rows[1].actual_start is not None
    assert rows[1].actual_end is None
    assert rows[1].actual_minutes is None


def test_planned_and_actual_times_are_in_the_session_time_zone():
    spec = dataclasses.replace(
        SPEC, date=date(2025, 6, 24), start_time=time(11, 0), timezone="Europe/Berlin"
    )
    rows = agenda_as_run(spec, [at(0, 0), at(5, 1)])
    assert rows[0].planned_start is not None
    assert rows[0].actual_start is not None
    assert f"{rows[0].planned_start:%H:%M}" == "11:00"
    assert f"{rows[2].planned_start:%H:%M}–{rows[2].planned_end:%H:%M}" == "11:20–11:35"
    assert f"{rows[0].actual_start:%H:%M %z}" == "11:00 +0200"  # 09:00 UTC in summer


def test_without_a_date_and_start_time_there_are_no_planned_times():
    rows = agenda_as_run(SPEC, [])
    assert all(r.planned_start is None and r.planned_end is None for r in rows)
    assert [r.minutes for r in rows] == [5, 15, 15]


ROSTER = Roster(
    (
        Participant("a", "A", stakeholder_group="government", region="Africa"),
        Participant("b", "B", stakeholder_group="civil society", attendance=Attendance.ONLINE),
        Participant("c", "C", stakeholder_group="civil society", region="Africa"),
        Participant("d", "D", stakeholder_group="academia", region="GRULAC"),
    )
)


def test_participation_counts_the_checked_in_when_anyone_was_checked_in():
    counted = count_participation(ROSTER, present=["b", "c"], absent=["d"])
    assert (counted.total, counted.onsite, counted.online) == (2, 1, 1)
    assert counted.by_stakeholder_group == (Count("civil society", 2),)
    assert counted.basis == "checked in"


def test_participation_counts_the_registered_not_absent_when_nobody_was_checked_in():
    counted = count_participation(ROSTER, absent=["d"], present=["nobody-on-the-roster"])
    assert (counted.total, counted.onsite, counted.online) == (3, 2, 1)
    assert counted.basis == "registered"


def test_breakdowns_go_largest_first_with_unknown_last():
    counted = count_participation(ROSTER)
    assert counted.by_stakeholder_group == (
        Count("civil society", 2),
        Count("academia", 1),
        Count("government", 1),
    )
    assert counted.by_region == (Count("Africa", 2), Count("GRULAC", 1), Count("unknown", 1))


def test_participation_has_no_field_that_could_hold_a_person():
    # Counts only: adding a field (a list of names, ids) must fail here first.
    assert [field.name for field in dataclasses.fields(Participation)] == [
        "total",
        "onsite",
        "online",
        "by_stakeholder_group",
        "by_region",
        "basis",
    ]


@pytest.mark.parametrize(
    ("tables", "rooms", "expected"),
    [
        ((Table("T", 4),), (Room("R", 4),), "World Café, hybrid"),
        ((Table("T", 4),), (), "World Café, in person"),
        ((), (Room("R", 4),), "World Café, online"),
    ],
)
def test_format_says_where_people_met(tables, rooms, expected):
    assert session_format(dataclasses.replace(SPEC, tables=tables, rooms=rooms)) == expected


def test_public_roles_are_the_named_ones_in_report_order():
    spec = dataclasses.replace(SPEC, roles=Roles(rapporteur="Jan Rydzak", onsite_moderator="Ada"))
    assert public_roles(spec) == (
        PublicRole("Onsite moderator", "Ada"),
        PublicRole("Rapporteur", "Jan Rydzak"),
    )


def test_report_duration_as_run_spans_the_first_start_to_the_finish():
    report = build_report(
        SPEC, moments=[at(2, 0), at(7, 1), at(41, None)], participation=count_participation(ROSTER)
    )
    assert (report.planned_minutes, report.actual_minutes) == (35, 39)


def test_report_date_is_the_day_it_ran_when_the_file_gives_none():
    late = AgendaMoment(datetime(2025, 6, 24, 23, 30, tzinfo=UTC), 0)
    spec = dataclasses.replace(SPEC, timezone="Asia/Tokyo")
    report = build_report(spec, moments=[late], participation=count_participation(ROSTER))
    assert report.date == date(2025, 6, 25)  # already the 25th in Tokyo
    assert report.actual_minutes is None


def test_votes_go_most_dots_first_and_next_steps_are_the_calls_to_action():
    spec = dataclasses.replace(
        SPEC, agenda=(*SPEC.agenda, AgendaBlock(BlockKind.NEXT_STEPS, "What now", 5))
    )
    report = build_report(
        spec,
        moments=[],
        participation=count_participation(ROSTER),
        calls_to_action=["Start a coalition."],
        votes=[VoteResult("b", 2), VoteResult("a", 5), VoteResult("c", 2)],
    )
    assert [vote.label for vote in report.votes] == ["a", "b", "c"]
    assert report.next_steps == ("Start a coalition.",)
    assert report.next_steps_block == "What now"
    assert report.key_takeaways == ()
