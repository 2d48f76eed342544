import csv
import json
from dataclasses import replace
from pathlib import Path

from pollinate.core.planner.model import Place, Plan
from pollinate.core.roster import Attendance, Participant, Roster
from pollinate.core.session import Room, SessionSpec
from pollinate.io.breakouts import (
    ZOOM_HEADER,
    bbb_groups,
    room_link,
    room_list,
    write_breakouts,
    zoom_rows,
)
from pollinate.io.output_files import PlanOutputs
from pollinate.io.rounds import describe_rounds
from tests.io import hybrid_cafe


def write(
    tmp_path: Path,
    plan: Plan | None = None,
    roster: Roster | None = None,
    spec: SessionSpec | None = None,
) -> PlanOutputs:
    plan = plan or hybrid_cafe.plan()
    return write_breakouts(
        tmp_path,
        spec=spec,
        roster=roster or hybrid_cafe.roster(),
        plan=plan,
        rounds=describe_rounds(spec, plan.rounds),
    )


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_zoom_file_has_zooms_exact_header_and_no_bom(tmp_path):
    write(tmp_path)
    raw = (tmp_path / "zoom-round-1.csv").read_bytes()
    assert raw.startswith(b"Pre-assign Room Name,Email Address\r\n")
    assert ZOOM_HEADER == ("Pre-assign Room Name", "Email Address")


def test_one_zoom_file_per_round_with_only_online_people_by_email(tmp_path):
    outputs = write(tmp_path)
    assert sorted(p.name for p in tmp_path.glob("zoom-round-*.csv")) == [
        "zoom-round-1.csv",
        "zoom-round-2.csv",
    ]
    assert read_csv(tmp_path / "zoom-round-1.csv")[1:] == [
        ["Room A", "ravi@example.org"],
        ["Room A", "lena@example.org"],
        ["Room B", "tom@example.org"],
    ]
    assert read_csv(tmp_path / "zoom-round-2.csv")[1:] == [
        ["Room A", "ravi@example.org"],
        ["Room A", "tom@example.org"],
        ["Room B", "lena@example.org"],
    ]
    assert tmp_path / "zoom-round-2.csv" in [f.path for f in outputs.files]


def test_online_people_without_email_are_a_warning_and_listed_with_their_rooms(tmp_path):
    rows, missing = zoom_rows(hybrid_cafe.plan(), hybrid_cafe.roster(), 1)
    assert [p.id for p in missing] == ["o4"]
    assert ("Room B", "") not in rows
    outputs = write(tmp_path)
    assert any("o4" in warning and "without an email" in warning for warning in outputs.warnings)
    report = (tmp_path / "zoom-missing-emails.txt").read_text(encoding="utf-8")
    assert "o4\tAna Lima\tround 1: Room B; round 2: Room B" in report


def test_with_every_email_present_there_is_no_warning(tmp_path):
    roster = Roster(
        tuple(replace(p, email=p.email or "ana@example.org") for p in hybrid_cafe.roster())
    )
    outputs = write(tmp_path, roster=roster)
    assert outputs.warnings == ()
    assert "Zoom can pre-assign everyone" in (tmp_path / "zoom-missing-emails.txt").read_text()


def test_bbb_groups_have_the_create_calls_shape(tmp_path):
    write(tmp_path)
    groups = json.loads((tmp_path / "bbb-groups-round-2.json").read_text(encoding="utf-8"))
    assert groups == [
        {"id": "1", "name": "Room A", "roster": ["o1", "o3"]},
        {"id": "2", "name": "Room B", "roster": ["o2", "o4"]},
    ]
    for group in groups:
        assert set(group) == {"id", "name", "roster"}
        assert isinstance(group["id"], str)
        assert all(isinstance(user, str) for user in group["roster"])


def test_bbb_keeps_empty_rooms_so_ids_stay_stable_across_rounds():
    plan = replace(hybrid_cafe.plan(), seating=({"o1": "Room B"},))
    assert bbb_groups(plan, 1) == [
        {"id": "1", "name": "Room A", "roster": []},
        {"id": "2", "name": "Room B", "roster": ["o1"]},
    ]


def test_room_list_names_question_link_host_and_sitters():
    spec = hybrid_cafe.spec()
    text = room_list(spec, hybrid_cafe.roster(), hybrid_cafe.plan(), describe_rounds(spec, 2)[0])
    assert "**Question:** Who should hold the data?" in text
    assert "starts 14:10, 20 minutes" in text
    assert "Link: <https://meet.example/room-a>" in text
    assert "- Ravi Nair (o1): host" in text
    assert "- Ana Lima (o4)" in text
    assert "Amina" not in text  # onsite people are not in the online room list


def test_room_list_escapes_markup_in_names():
    roster = Roster(
        tuple(
            replace(p, name="<script>alert(1)</script>") if p.id == "o2" else p
            for p in hybrid_cafe.roster()
        )
    )
    text = room_list(None, roster, hybrid_cafe.plan(), describe_rounds(None, 2)[0])
    assert "<script>" not in text
    assert "\\<script\\>" in text


def test_plan_without_online_rooms_writes_no_breakout_files(tmp_path):
    plan = Plan(places=(Place("Table 1", 3),), seating=({"p1": "Table 1"},))
    outputs = write(tmp_path, plan=plan)
    assert outputs.files == ()
    assert list(tmp_path.iterdir()) == []


def test_room_link_falls_back_to_the_session_template():
    spec = hybrid_cafe.spec(room_link_template="https://bbb.example/{room}")
    room_b = hybrid_cafe.PLACES[3]
    # The session file's one rule for filling the template (it may URL-encode the name).
    assert room_link(room_b, spec) == spec.room_link(Room("Room B", 2))
    assert room_link(room_b, spec).startswith("https://bbb.example/Room")  # type: ignore[union-attr]
    assert room_link(hybrid_cafe.PLACES[2], spec) == "https://meet.example/room-a"
    assert room_link(room_b, None) is None


def big_online_plan(rooms: int, per_room: int) -> tuple[Plan, Roster]:
    places = tuple(Place(f"Room {i}", per_room, online=True) for i in range(rooms))
    people = [
        Participant(f"x{i}-{j}", "X", email=f"x{i}-{j}@example.org", attendance=Attendance.ONLINE)
        for i in range(rooms)
        for j in range(per_room)
    ]
    seating = {p.id: f"Room {p.id[1:].split('-')[0]}" for p in people}
    return Plan(places=places, seating=(seating,)), Roster(tuple(people))


def test_more_rooms_than_zoom_pre_assigns_is_a_warning(tmp_path):
    plan, roster = big_online_plan(101, 1)
    outputs = write(tmp_path, plan=plan, roster=roster)
    assert any("101 online rooms" in warning for warning in outputs.warnings)


def test_more_people_than_zoom_pre_assigns_is_a_warning(tmp_path):
    plan, roster = big_online_plan(91, 11)
    outputs = write(tmp_path, plan=plan, roster=roster)
    assert any("1001 people" in warning for warning in outputs.warnings)
    assert not any("online rooms" in warning for warning in outputs.warnings)


def test_one_email_in_two_rooms_is_a_warning(tmp_path):
    roster = Roster(
        tuple(
            replace(p, email="RAVI@example.org") if p.id == "o3" else p
            for p in hybrid_cafe.roster()
        )
    )
    outputs = write(tmp_path, roster=roster)
    assert any("RAVI@example.org" in warning for warning in outputs.warnings)


def test_room_name_that_zoom_would_see_quoted_is_a_warning(tmp_path):
    places = (Place("-Room", 2, online=True),)
    plan = Plan(places=places, seating=({"o1": "-Room"},))
    outputs = write(tmp_path, plan=plan)
    assert read_csv(tmp_path / "zoom-round-1.csv")[1] == ["'-Room", "ravi@example.org"]
    assert any("'-Room'" in warning and "apostrophe" in warning for warning in outputs.warnings)
