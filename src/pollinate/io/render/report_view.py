"""The words and figures every report format shows, so Markdown, HTML and Word agree.

A renderer takes its headings, facts and table rows from here and only adds its own
markup; a test of one format then speaks for the wording of all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pollinate.core.report import AgendaRow, Count, Participation, Report, ThemeSummary
from pollinate.io.render.html import long_date

NONE_RECORDED = "None recorded."

CHATHAM_HOUSE = (
    "Held under the Chatham House Rule: what was said may be used, but not who said it. "
    "This report names the session's public roles only; participants are counted, never named."
)

SHORT_REPORT = "Short report"
LONG_REPORT = "Long report"
KEY_TAKEAWAYS = "Key takeaways"
CALLS_TO_ACTION = "Calls to action"
AGENDA = "Agenda as run"
DISCUSSION = "Discussion by question"
VOTES = "Vote results"
NEXT_STEPS = "Next steps"
PARTICIPATION = "Participation"
ROLES = "Roles"
SDG_TARGETS = "SDG targets"

AGENDA_HEADER = ("Block", "Planned", "Actual", "Minutes (planned / actual)")


def clock(moment: datetime | None) -> str:
    """'09:05', or an en dash when the moment is unknown."""
    return "–" if moment is None else f"{moment:%H:%M}"


def span(start: datetime | None, end: datetime | None) -> str:
    """'09:00–09:05'; 'not run' when the block never started."""
    if start is None:
        return "not run" if end is None else f"– to {clock(end)}"
    return f"{clock(start)}–{clock(end)}"


def facts(report: Report) -> list[tuple[str, str]]:
    """The heading's label and value pairs, in the order the IGF template lists them."""
    rows: list[tuple[str, str]] = []
    if report.event:
        rows.append(("Event", report.event))
    rows.append(("Date", long_date(report.date) if report.date else "not recorded"))
    rows.append(("Time zone", report.timezone))
    rows.append(("Format", report.format))
    duration = f"{report.planned_minutes} minutes planned"
    if report.actual_minutes is not None:
        duration += f", {report.actual_minutes} as run"
    rows.append(("Duration", duration))
    return rows


def agenda_rows(report: Report) -> list[tuple[str, str, str, str]]:
    """One row per agenda block: title, planned span, actual span, minutes."""
    return [_agenda_row(row) for row in report.agenda]


def _agenda_row(row: AgendaRow) -> tuple[str, str, str, str]:
    planned = span(row.planned_start, row.planned_end) if row.planned_start else "–"
    ran = row.actual_minutes
    return (
        row.title,
        planned,
        span(row.actual_start, row.actual_end),
        f"{row.minutes} / {'–' if ran is None else ran}",
    )


def discussion_heading(round: int, title: str) -> str:
    """'Round 1: Understanding AI risk'."""
    return f"Round {round}: {title}"


def theme_facts(theme: ThemeSummary) -> str:
    """'7 notes from 3 tables, 5 dots' (a theme's size, spread and votes)."""
    notes = "1 note" if theme.size == 1 else f"{theme.size} notes"
    tables = len(theme.tables)
    text = f"{notes} from {tables} {'table' if tables == 1 else 'tables'}"
    if theme.votes is not None:
        text += f", {theme.votes} {'dot' if theme.votes == 1 else 'dots'}"
    return text


def notes_line(note_count: int) -> str:
    """'12 notes were taken.'"""
    return "1 note was taken." if note_count == 1 else f"{note_count} notes were taken."


def participation_summary(participation: Participation) -> str:
    """'42 people took part (checked in): 30 onsite, 12 online.'"""
    return (
        f"{participation.total} {'person' if participation.total == 1 else 'people'} "
        f"took part ({participation.basis}): {participation.onsite} onsite, "
        f"{participation.online} online."
    )


@dataclass(frozen=True, slots=True)
class CountTable:
    """A participation breakdown as a titled two-column table."""

    title: str
    header: tuple[str, str]
    rows: tuple[Count, ...]


def count_tables(participation: Participation) -> tuple[CountTable, ...]:
    """The breakdowns in report order: attendance, stakeholder group, region."""
    attendance = (Count("onsite", participation.onsite), Count("online", participation.online))
    return (
        CountTable("Onsite and online", ("Attendance", "People"), attendance),
        CountTable(
            "By stakeholder group",
            ("Stakeholder group", "People"),
            participation.by_stakeholder_group,
        ),
        CountTable("By region", ("Region", "People"), participation.by_region),
    )
