from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import pytest

from pollinate.actions.live import SessionNotFound
from pollinate.actions.report import ReportFormat, discussions, export_report, load_report
from pollinate.actions.sessions import create_live_session
from pollinate.core.harvest.theme import Theme
from pollinate.core.harvest.votes import Ballot, tally
from pollinate.core.notes import Note
from pollinate.core.session import AgendaBlock, BlockKind
from pollinate.errors import ExportBlocked
from pollinate.store import outbox, repositories
from pollinate.store.db import session_factory
from tests.actions.ran_cafe import NOTES, report_spec, run_cafe
from tests.conftest import Database
from tests.web.conftest import PLAN, ROSTER, START


@pytest.fixture
def store(db: Database):
    return session_factory(db.engine)


def slip_in(store, session_id: str, text: str, *, round: int = 1, table: str = "Table 2") -> None:
    """A note stored as it is, as if redaction had missed it when it was taken."""
    at = START + timedelta(minutes=12)
    with store.begin() as db:
        note = Note(repositories.new_note_id(), round, table, text, at)
        repositories.add_note(db, session_id, note, now=at)


def test_report_holds_the_agenda_as_run_from_the_outbox(store):
    session_id = run_cafe(store)
    with store.begin() as db:
        report = load_report(db, session_id).report
    actual = [(f"{r.actual_start:%H:%M}", f"{r.actual_end:%H:%M}") for r in report.agenda]
    assert actual == [
        ("09:00", "09:05"),
        ("09:05", "09:21"),
        ("09:21", "09:38"),
        ("09:38", "09:44"),
    ]
    assert [f"{r.planned_start:%H:%M}" for r in report.agenda] == [
        "09:00",
        "09:05",
        "09:20",
        "09:35",
    ]
    assert (report.planned_minutes, report.actual_minutes) == (40, 44)


def test_report_counts_the_checked_in_and_the_notes_of_each_question(store):
    session_id = run_cafe(store)
    with store.begin() as db:
        report = load_report(db, session_id).report
    counted = report.participation
    assert (counted.total, counted.onsite, counted.online, counted.basis) == (7, 6, 1, "checked in")
    assert [(d.round, d.question, d.note_count) for d in report.discussions] == [
        (1, "What works?", 3),
        (2, "What next?", 2),
    ]
    assert report.format == "World Café, hybrid"
    assert [role.name for role in report.roles] == [
        "Ada Moderna, Open MIC",
        "Olu Onyeka",
        "Person 5",
    ]


def test_a_name_that_slipped_into_the_store_is_redacted_in_the_export(store):
    session_id = run_cafe(store)
    slip_in(store, session_id, "Person 4 said trust is earned.")
    with store.begin() as db:
        report = load_report(db, session_id).report
    exported = export_report(store, session_id, ReportFormat.MARKDOWN)
    assert b"Person 4" not in exported.content
    assert report.discussions[0].note_count == 4
    assert exported.filename == f"report-{session_id}.md"


def test_leak_check_blocks_the_report_when_redaction_misses_a_roster_name(store):
    session_id = run_cafe(store)
    # Round two then has three notes: few enough that each is shown under its theme.
    slip_in(store, session_id, "Person 4 said trust is earned.", round=2)
    # The redactor is simulated to miss the name; the independent leak check must not.
    with pytest.raises(ExportBlocked) as blocked:
        export_report(store, session_id, ReportFormat.MARKDOWN, scrub=lambda text: text)
    (place,) = blocked.value.places
    assert re.fullmatch(r"round 2, theme \d, note \d: the name of participant p04 .*", place)
    assert "participant p04" in str(blocked.value)
    assert "Person 4" not in str(blocked.value)
    assert blocked.value.leaked == ("Person 4",)


def test_a_participant_named_in_the_session_file_blocks_the_report(store):
    spec = report_spec()
    agenda = (dataclasses.replace(spec.agenda[0], title="Welcome by Person 8"), *spec.agenda[1:])
    session_id = run_cafe(store, dataclasses.replace(spec, agenda=agenda))
    with pytest.raises(ExportBlocked, match="agenda block 1 title: the name of participant p08"):
        export_report(store, session_id, ReportFormat.HTML)


def test_the_rapporteur_on_the_roster_is_named_in_the_roles_section_only(store):
    session_id = run_cafe(store)  # the rapporteur is "Person 5", who is also p05
    exported = export_report(store, session_id, ReportFormat.HTML)
    assert exported.content.count(b"Person 5") == 1
    slip_in(store, session_id, "Person 5 will write it up.", round=2, table="Table 1")
    with pytest.raises(
        ExportBlocked, match=r"round 2, theme \d, note \d: the name of participant p05"
    ):
        export_report(store, session_id, ReportFormat.HTML, scrub=lambda text: text)


def test_a_session_without_a_run_reports_the_plan_and_no_actual_times(store):
    spec = dataclasses.replace(report_spec(), agenda=(*report_spec().agenda, _next_steps()))
    created = create_live_session(store, spec, ROSTER, PLAN, None, now=START)
    with store.begin() as db:
        report = load_report(db, created.session_id).report
    assert all(row.actual_start is None for row in report.agenda)
    assert report.participation.basis == "registered"
    assert report.participation.total == 9
    assert report.next_steps_block == "What happens next"


def _next_steps() -> AgendaBlock:
    return AgendaBlock(BlockKind.NEXT_STEPS, "What happens next", 5)


def test_an_unknown_session_is_not_found(store):
    with pytest.raises(SessionNotFound):
        export_report(store, "no-such-session", ReportFormat.MARKDOWN)


def test_each_question_gets_themes_of_its_own_notes_with_representatives(store):
    session_id = run_cafe(store)
    with store.begin() as db:
        report = load_report(db, session_id).report
    for discussion in report.discussions:
        shown = sorted(text for t in discussion.themes for text in t.representatives)
        assert shown == sorted(text for r, _, text in NOTES if r == discussion.round)
        assert sum(theme.size for theme in discussion.themes) == discussion.note_count
        assert all(theme.rounds == (discussion.round,) for theme in discussion.themes)
        assert all(theme.votes is None for theme in discussion.themes)  # no vote stored


def test_a_saved_board_and_its_vote_plug_into_the_discussion():
    at = START + timedelta(minutes=10)
    notes = [
        Note("n1", 1, "Table 1", "Ask Person 3 about trust.", at),
        Note("n2", 2, "Table 2", "Money follows trust.", at),
    ]
    board = [
        Theme("t-1", "Trust", ("n1", "n2"), 2, ("Table 1", "Table 2"), (1, 2), ("n1", "n2"), ()),
    ]
    votes = tally([Ballot("b1", ("t-1", "t-1"))], board)
    found = discussions(
        report_spec(), notes, lambda text: text.replace("Person 3", "[x]"), board, votes
    )
    assert [d.note_count for d in found] == [1, 1]
    (theme,) = found[0].themes
    assert (theme.label, theme.votes, theme.size) == ("Trust", 2, 2)
    assert theme.representatives == ("Ask [x] about trust.", "Money follows trust.")
    assert found[1].themes == found[0].themes  # a theme of both rounds shows under each


def test_rapporteur_takeaways_and_calls_to_action_reach_the_report(store):
    import anyio

    from pollinate.actions.board import promote
    from pollinate.core.harvest.takeaways import TakeawayKind
    from pollinate.live.memory import MemoryBus

    session_id = run_cafe(store)

    async def promote_two() -> None:
        bus = MemoryBus()
        at = START + timedelta(minutes=45)
        await promote(
            store,
            bus,
            session_id,
            TakeawayKind.TAKEAWAY,
            now=at,
            text="Investors want board-level AI risk oversight",
        )
        await promote(
            store,
            bus,
            session_id,
            TakeawayKind.CALL_TO_ACTION,
            now=at,
            text="Form a standing coalition before the next forum",
        )
        await bus.close()

    anyio.run(promote_two)
    with store.begin() as db:
        report = load_report(db, session_id).report
    assert report.key_takeaways == ("Investors want board-level AI risk oversight",)
    assert report.calls_to_action == ("Form a standing coalition before the next forum",)


def test_the_agenda_as_run_survives_the_outbox_being_pruned(store):
    # Upkeep prunes the outbox after a day; the report is often written the day after.
    session_id = run_cafe(store)
    with store.begin() as db:
        before = load_report(db, session_id).report.agenda
        outbox.prune(db, before=START + timedelta(days=2))
    with store.begin() as db:
        assert outbox.since(db, session_id, 0) == []
        after = load_report(db, session_id).report.agenda
    assert after == before
    assert all(row.actual_start is not None for row in after)
