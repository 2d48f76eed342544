from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pollinate.cli import app
from pollinate.core.session import BlockKind, SessionSpec
from pollinate.errors import InputError
from pollinate.io.session_file import load_session, parse_session, starter_text, write_starter

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "igf-world-cafe.yaml"

# Line numbers matter to these tests: line 1 is `title`, the agenda starts on line 3,
# the round's question is on line 8 and the tables start on line 13.
BASE = """\
title: Test café
duration_minutes: 60
agenda:
  - kind: intro
    minutes: 5
  - kind: round
    minutes: 20
    question: What works?
  - kind: round
    minutes: 20
    question: What next?
  - kind: report_back
    minutes: 10
tables:
  count: 3
  capacity: 8
"""


def parsed(text: str) -> SessionSpec:
    return parse_session(text, file="cafe.yaml")


def error_for(text: str) -> InputError:
    with pytest.raises(InputError) as caught:
        parse_session(text, file="cafe.yaml")
    return caught.value


def assert_points_at(error: InputError, *, line: int, field: str | None) -> None:
    assert error.file == "cafe.yaml"
    assert error.line == line
    assert error.field == field
    message = str(error)
    assert message.startswith(f"cafe.yaml, line {line}")
    if field is not None:
        assert f"field '{field}'" in message


# ── what a valid file gives ──────────────────────────────────────────────────────────────


def test_igf_example_carries_the_seed_proposals_facts():
    spec = load_session(EXAMPLE)
    assert spec.event == "Internet Governance Forum"
    assert spec.duration_minutes == 60
    assert spec.chatham_house is True
    assert spec.sdg_targets == ("9", "12.6", "17.6")
    assert spec.roles.onsite_moderator == "Jessica Dheere, Open MIC"
    assert spec.roles.online_moderator is not None
    assert spec.roles.online_moderator.startswith("Anita Dorrett")
    assert spec.roles.rapporteur == "Jan Rydzak, World Benchmarking Alliance (WBA)"
    assert sum(block.minutes for block in spec.agenda) <= 60
    assert spec.round_count == 2
    assert all(15 <= block.minutes <= 20 for block in spec.rounds)
    assert [block.kind for block in spec.agenda] == [
        BlockKind.INTRO,
        BlockKind.ROUND,
        BlockKind.ROUND,
        BlockKind.REPORT_BACK,
        BlockKind.NEXT_STEPS,
    ]
    assert "https://www.justsecurity.org/108168/quantum-age/" in [r.url for r in spec.reading]
    assert len(spec.reading) == 5
    assert spec.video_platform == "zoom"
    assert spec.join_url == "https://pollinate.example.org/join"


def test_starter_file_loads_as_written():
    spec = parse_session(starter_text(), file="session.yaml")
    assert spec.round_count >= 1
    assert spec.tables
    assert spec.rooms


def test_minimal_file_gets_defaults_and_numbered_rounds():
    spec = parsed(BASE)
    assert spec.timezone == "UTC"
    assert spec.chatham_house is True
    assert spec.participant_notes is False
    assert [block.title for block in spec.agenda] == [
        "Introduction",
        "Round 1",
        "Round 2",
        "Report back",
    ]
    assert spec.question(2) == "What next?"
    assert spec.rooms == ()


def test_tables_by_count_are_named_in_order():
    spec = parsed(BASE)
    assert [(t.name, t.capacity) for t in spec.tables] == [
        ("Table 1", 8),
        ("Table 2", 8),
        ("Table 3", 8),
    ]


def test_tables_by_names_keep_the_names_and_share_the_capacity():
    text = BASE.replace("  count: 3\n", "  names: [Baobab, Cedar]\n  language: French\n")
    spec = parsed(text)
    assert [(t.name, t.capacity, t.language) for t in spec.tables] == [
        ("Baobab", 8, "French"),
        ("Cedar", 8, "French"),
    ]


def test_table_list_entries_override_the_shared_capacity_and_language():
    text = BASE.replace(
        "  count: 3\n",
        "  language: English\n  list:\n    - name: Baobab\n"
        "    - {name: Cedar, capacity: 5, language: French}\n",
    )
    spec = parsed(text)
    assert [(t.name, t.capacity, t.language) for t in spec.tables] == [
        ("Baobab", 8, "English"),
        ("Cedar", 5, "French"),
    ]


def test_rooms_take_platform_template_and_their_own_links():
    text = BASE + (
        "rooms:\n"
        "  platform: jitsi\n"
        "  link_template: https://meet.example.org/cafe-{room}\n"
        "  capacity: 6\n"
        "  list:\n"
        "    - name: A\n"
        "    - name: B\n"
        "      link: https://other.example.org/b\n"
    )
    spec = parsed(text)
    assert spec.video_platform == "jitsi"
    assert [spec.room_link(room) for room in spec.rooms] == [
        "https://meet.example.org/cafe-A",
        "https://other.example.org/b",
    ]


def test_online_only_session_needs_no_tables():
    text = BASE.replace("tables:\n  count: 3\n  capacity: 8\n", "rooms:\n  count: 2\n")
    text += "  capacity: 5\n"
    spec = parsed(text)
    assert spec.tables == ()
    assert [room.name for room in spec.rooms] == ["Room 1", "Room 2"]


def test_text_keys_keep_what_yaml_would_read_as_numbers_or_booleans():
    text = BASE + "start_time: 10:30\nsdg_targets: [9, 12.6, 17.10]\nlanguages: [no, English]\n"
    spec = parsed(text)
    assert spec.start_time == dt.time(10, 30)  # not 630 seconds: YAML 1.1 reads 10:30 as 630
    assert spec.sdg_targets == ("9", "12.6", "17.10")
    assert spec.languages == ("no", "English")


def test_date_time_and_time_zone_are_read():
    text = BASE + "date: 2025-06-24\nstart_time: '14:30'\ntimezone: Africa/Nairobi\n"
    spec = parsed(text)
    assert (spec.date, spec.start_time, spec.timezone) == (
        dt.date(2025, 6, 24),
        dt.time(14, 30),
        "Africa/Nairobi",
    )


def test_agenda_may_leave_slack_before_the_end():
    spec = parsed(BASE.replace("duration_minutes: 60", "duration_minutes: 75"))
    assert sum(block.minutes for block in spec.agenda) == 55


# ── what a wrong file says ───────────────────────────────────────────────────────────────


def test_round_without_question_names_its_line_and_field():
    error = error_for(BASE.replace("    question: What works?\n", ""))
    assert_points_at(error, line=6, field="agenda[1].question")
    assert "no question" in error.problem


def test_question_on_a_plenary_block_is_refused():
    error = error_for(BASE.replace("    minutes: 5\n", "    minutes: 5\n    question: Hi?\n"))
    assert_points_at(error, line=6, field="agenda[0].question")
    assert "only rounds have a question" in error.problem


def test_agenda_over_the_duration_shows_the_sum():
    text = BASE.replace(
        "    minutes: 10\n", "    minutes: 15\n  - kind: next_steps\n    minutes: 5\n"
    )
    error = error_for(text)
    assert_points_at(error, line=3, field="agenda")
    assert error.problem == (
        "the agenda blocks add up to 65 minutes (5 + 20 + 20 + 15 + 5) but the session lasts 60"
    )
    assert "by 5 minutes" in error.advice


def test_agenda_without_a_round_is_refused():
    text = BASE.replace("kind: round", "kind: other\n    title: Talk").replace(
        "    question: What works?\n", ""
    )
    text = text.replace("    question: What next?\n", "")
    error = error_for(text)
    assert_points_at(error, line=3, field="agenda")
    assert "no round" in error.problem


@pytest.mark.parametrize("capacity", ["0", "-3"])
def test_capacity_must_be_positive(capacity: str):
    error = error_for(BASE.replace("capacity: 8", f"capacity: {capacity}"))
    assert_points_at(error, line=16, field="tables.capacity")
    assert f"greater than 0, not {capacity}" in error.problem


def test_minutes_must_be_positive():
    error = error_for(BASE.replace("minutes: 5", "minutes: 0"))
    assert_points_at(error, line=5, field="agenda[0].minutes")


def test_unknown_key_suggests_the_close_one():
    error = error_for(BASE.replace("capacity: 8", "capcity: 8"))
    assert_points_at(error, line=16, field="tables.capcity")
    assert "'capcity' is not a key" in error.problem
    assert "Did you mean 'capacity'?" in error.advice


def test_unknown_top_level_key_lists_the_allowed_keys():
    error = error_for(BASE + "duration: 60\n")
    assert_points_at(error, line=17, field="duration")
    assert "Did you mean 'duration_minutes'?" in error.advice
    assert "sdg_targets" in error.advice


def test_wrong_type_says_what_was_found_and_expected():
    error = error_for(BASE.replace("minutes: 20", "minutes: twenty", 1))
    assert_points_at(error, line=7, field="agenda[1].minutes")
    assert "whole number, not 'twenty'" in error.problem
    assert "in whole minutes" in error.advice


def test_boolean_is_not_taken_for_a_number():
    error = error_for(BASE.replace("minutes: 5", "minutes: true"))
    assert_points_at(error, line=5, field="agenda[0].minutes")


def test_unknown_block_kind_suggests_the_close_one():
    error = error_for(BASE.replace("kind: round", "kind: rond", 1))
    assert_points_at(error, line=6, field="agenda[1].kind")
    assert "Did you mean 'round'?" in error.advice


def test_bad_time_zone_suggests_the_close_one():
    error = error_for(BASE + "timezone: Europe/Olso\n")
    assert_points_at(error, line=17, field="timezone")
    assert "Did you mean 'Europe/Oslo'?" in error.advice


def test_yaml_syntax_error_names_the_line():
    error = error_for(BASE.replace("  - kind: round\n", "  - kind: round: x\n", 1))
    assert error.file == "cafe.yaml"
    assert error.line == 6
    assert "not valid YAML" in error.problem


def test_tab_indentation_is_a_syntax_error_on_its_line():
    error = error_for(BASE.replace("    minutes: 20\n", "\tminutes: 20\n", 1))
    assert error.line == 7
    assert "tabs" in error.advice


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file_is_refused_at_line_1(text: str):
    error = error_for(text)
    assert_points_at(error, line=1, field=None)
    assert "empty" in error.problem


def test_file_that_is_a_list_is_refused():
    error = error_for("- title: x\n")
    assert_points_at(error, line=1, field=None)


def test_missing_required_key_is_named():
    error = error_for(BASE.replace("duration_minutes: 60\n", ""))
    assert_points_at(error, line=1, field="duration_minutes")
    assert "'duration_minutes' is missing" in error.problem


def test_key_given_twice_is_refused():
    error = error_for(BASE + "title: Another\n")
    assert_points_at(error, line=17, field="title")
    assert "first on line 1" in error.problem


def test_tables_given_by_count_and_names_at_once_is_refused():
    error = error_for(BASE.replace("  count: 3\n", "  count: 3\n  names: [A, B]\n"))
    assert_points_at(error, line=16, field="tables.names")
    assert "only one of count and names" in error.problem


def test_tables_without_count_names_or_list_are_refused():
    error = error_for(BASE.replace("  count: 3\n", ""))
    assert_points_at(error, line=14, field="tables")


def test_tables_by_names_need_a_capacity():
    error = error_for(BASE.replace("  count: 3\n  capacity: 8\n", "  names: [A, B]\n"))
    assert_points_at(error, line=14, field="tables")
    assert "'capacity' is missing" in error.problem


def test_table_list_entry_without_any_capacity_is_named():
    text = BASE.replace(
        "  count: 3\n  capacity: 8\n", "  list:\n    - {name: A, capacity: 4}\n    - name: B\n"
    )
    error = error_for(text)
    assert_points_at(error, line=17, field="tables.list[1].capacity")


def test_table_names_must_differ():
    error = error_for(BASE.replace("  count: 3\n", "  names: [Cedar, cedar]\n"))
    assert_points_at(error, line=15, field="tables.names[1]")


def test_table_language_outside_the_session_languages_is_refused():
    text = BASE.replace("  count: 3\n", "  count: 3\n  language: Frnech\n")
    error = error_for(text + "languages: [English, French]\n")
    assert_points_at(error, line=15, field="tables.count")
    assert "Did you mean 'French'?" in error.advice


def test_session_without_tables_or_rooms_is_refused():
    error = error_for(BASE.replace("tables:\n  count: 3\n  capacity: 8\n", ""))
    assert error.field == "tables"
    assert "neither tables nor rooms" in error.problem


def test_link_template_without_room_placeholder_is_refused():
    text = BASE + "rooms:\n  link_template: https://zoom.example.org/j/1\n  count: 2\n"
    error = error_for(text + "  capacity: 4\n")
    assert_points_at(error, line=18, field="rooms.link_template")


def test_unknown_platform_suggests_the_close_one():
    error = error_for(BASE + "rooms:\n  platform: zom\n  count: 2\n  capacity: 4\n")
    assert_points_at(error, line=18, field="rooms.platform")
    assert "Did you mean 'zoom'?" in error.advice


def test_sdg_target_outside_the_goals_is_refused():
    error = error_for(BASE + "sdg_targets:\n  - '9'\n  - '18.1'\n")
    assert_points_at(error, line=19, field="sdg_targets[1]")


def test_reading_url_must_be_a_web_address():
    error = error_for(BASE + "reading:\n  - title: A report\n    url: www.example.org\n")
    assert_points_at(error, line=19, field="reading[0].url")


def test_start_time_with_an_offset_is_refused():
    error = error_for(BASE + "start_time: '10:30+02:00'\n")
    assert_points_at(error, line=17, field="start_time")


def test_several_problems_report_the_first_and_count_the_rest():
    error = error_for(
        BASE.replace("minutes: 5", "minutes: 0").replace("capacity: 8", "capacity: x")
    )
    assert_points_at(error, line=5, field="agenda[0].minutes")
    assert "1 more problem" in error.advice


def test_empty_list_of_table_names_is_refused():
    error = error_for(BASE.replace("  count: 3\n", "  names: []\n"))
    assert_points_at(error, line=15, field="tables.names")
    assert "empty" in error.problem


# ── files on disk and `init` ─────────────────────────────────────────────────────────────


def test_missing_file_is_an_input_error_naming_it(tmp_path: Path):
    with pytest.raises(InputError) as caught:
        load_session(tmp_path / "nope.yaml")
    assert caught.value.file == str(tmp_path / "nope.yaml")


def test_load_session_reports_the_path_it_was_given(tmp_path: Path):
    path = tmp_path / "cafe.yaml"
    path.write_text(BASE.replace("capacity: 8", "capacity: 0"), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_session(path)
    assert caught.value.file == str(path)
    assert caught.value.line == 16


def test_write_starter_refuses_to_overwrite_unless_forced(tmp_path: Path):
    path = tmp_path / "session.yaml"
    path.write_text("mine\n", encoding="utf-8")
    with pytest.raises(InputError):
        write_starter(path)
    assert path.read_text(encoding="utf-8") == "mine\n"
    assert write_starter(path, force=True) == path.resolve()
    assert load_session(path).title


def test_init_writes_a_loadable_starter_and_says_where(tmp_path: Path):
    path = tmp_path / "cafe.yaml"
    result = CliRunner().invoke(app, ["init", str(path)])
    assert result.exit_code == 0, result.output
    assert "cafe.yaml" in result.output
    assert load_session(path).round_count >= 1


def test_init_refuses_to_overwrite_without_force(tmp_path: Path):
    path = tmp_path / "session.yaml"
    path.write_text("title: mine\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["init", str(path)])
    assert result.exit_code != 0
    assert isinstance(result.exception, InputError)
    assert "--force" in str(result.exception)
    assert path.read_text(encoding="utf-8") == "title: mine\n"
    forced = CliRunner().invoke(app, ["init", str(path), "--force"])
    assert forced.exit_code == 0, forced.output
    assert path.read_text(encoding="utf-8") == starter_text()
