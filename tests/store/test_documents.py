from __future__ import annotations

from datetime import UTC, date, datetime, time

from pollinate.actions.organizing import example_session_path
from pollinate.core.agenda import RunPhase, RunState
from pollinate.core.session import Reading, Roles, Room, SessionSpec
from pollinate.io.session_file import load_session
from pollinate.store.documents import (
    run_state_document,
    run_state_from_document,
    spec_document,
    spec_from_document,
)
from tests.web.conftest import cafe_spec


def test_the_example_session_survives_the_round_trip():
    spec = load_session(example_session_path())
    assert spec_from_document(spec_document(spec)) == spec


def test_every_optional_field_survives_the_round_trip():
    import dataclasses

    spec = dataclasses.replace(
        cafe_spec(participant_notes=True),
        event="IGF",
        date=date(2025, 6, 24),
        start_time=time(9, 30),
        timezone="Europe/Oslo",
        chatham_house=False,
        roles=Roles("A", "B", "C"),
        rooms=(Room("Room 1", 4, "https://meet.example.org/1", "French"),),
        video_platform="zoom",
        room_link_template="https://meet.example.org/{room}",
        languages=("English", "French"),
        sdg_targets=("9",),
        reading=(Reading("A report", "https://example.org"), Reading("No link")),
        join_url="https://example.org/join",
    )
    assert spec_from_document(spec_document(spec)) == spec
    assert isinstance(spec_from_document(spec_document(spec)), SessionSpec)


def test_run_states_survive_the_round_trip_with_the_rows_version():
    moment = datetime(2025, 6, 24, 9, 0, tzinfo=UTC)
    states = [
        RunState(version=0),
        RunState(RunPhase.RUNNING, 2, ends_at=moment, started_at=moment, version=5),
        RunState(RunPhase.PAUSED, 1, remaining_seconds=90.5, started_at=moment, version=7),
        RunState(RunPhase.FINISHED, version=9),
    ]
    for state in states:
        back = run_state_from_document(run_state_document(state), version=state.version)
        assert back == state
    assert run_state_from_document(None, version=3) == RunState(version=3)
