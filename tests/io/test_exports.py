import csv
import json
from dataclasses import replace
from pathlib import Path

import pypdf
import pytest

from pollinate.core.planner.model import Place, Plan
from pollinate.core.roster import Participant, Roster
from pollinate.errors import InputError
from pollinate.io.exports import (
    write_assignments,
    write_itineraries,
    write_metrics,
    write_plan_outputs,
)
from pollinate.io.output_files import PlanOutputs
from pollinate.io.plan_file import read_plan
from tests.io import hybrid_cafe


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def outputs(tmp_path: Path, **changes: object) -> PlanOutputs:
    arguments = {
        "spec": hybrid_cafe.spec(),
        "roster": hybrid_cafe.roster(),
        "plan": hybrid_cafe.plan(),
        "metrics": hybrid_cafe.metrics(),
        "seconds": 2.5,
        "join_url": None,
        "pdf": False,
    }
    arguments.update(changes)
    return write_plan_outputs(tmp_path / "out", **arguments)  # type: ignore[arg-type]


def test_assignments_have_a_row_per_participant_and_round(tmp_path):
    path = tmp_path / "assignments.csv"
    count = write_assignments(hybrid_cafe.plan(), hybrid_cafe.roster(), path)
    rows = read_csv(path)
    assert count == len(rows) == 10 * 2
    assert list(rows[0]) == ["participant_id", "round", "table", "is_host", "auto_host", "online"]
    assert {(row["participant_id"], row["round"]) for row in rows} == {
        (p.id, str(r)) for p in hybrid_cafe.roster() for r in (1, 2)
    }


def test_assignments_mark_hosts_auto_hosts_and_online_rooms(tmp_path):
    path = tmp_path / "assignments.csv"
    write_assignments(hybrid_cafe.plan(), hybrid_cafe.roster(), path)
    by_key = {(row["participant_id"], row["round"]): row for row in read_csv(path)}
    assert by_key[("p1", "1")] == {
        "participant_id": "p1", "round": "1", "table": "Table 1",
        "is_host": "true", "auto_host": "false", "online": "false",
    }  # fmt: skip
    assert (by_key[("p4", "2")]["is_host"], by_key[("p4", "2")]["auto_host"]) == ("true", "true")
    assert by_key[("o2", "2")]["table"] == "Room B"
    assert by_key[("o2", "2")]["online"] == "true"
    assert by_key[("p2", "2")]["is_host"] == "false"


def test_assignments_carry_no_names_or_emails(tmp_path):
    path = tmp_path / "assignments.csv"
    write_assignments(hybrid_cafe.plan(), hybrid_cafe.roster(), path)
    text = path.read_text(encoding="utf-8-sig")
    for participant in hybrid_cafe.roster():
        assert participant.name not in text
        assert not participant.email or participant.email not in text


def test_a_participant_without_a_seat_in_a_round_has_no_row_for_it(tmp_path):
    plan = hybrid_cafe.plan()
    second = {k: v for k, v in plan.seating[1].items() if k != "p6"}
    path = tmp_path / "assignments.csv"
    count = write_assignments(
        replace(plan, seating=(plan.seating[0], second)), hybrid_cafe.roster(), path
    )
    assert count == 19
    assert ("p6", "2") not in {(row["participant_id"], row["round"]) for row in read_csv(path)}


def test_itineraries_have_names_hosting_and_a_link_column_per_round(tmp_path):
    path = tmp_path / "itineraries.csv"
    count = write_itineraries(hybrid_cafe.plan(), hybrid_cafe.roster(), path)
    rows = read_csv(path)
    assert count == len(rows) == 10
    assert list(rows[0]) == [
        "participant_id", "name", "email", "attendance", "host_of", "auto_host",
        "round 1", "round 1 link", "round 2", "round 2 link",
    ]  # fmt: skip
    by_id = {row["participant_id"]: row for row in rows}
    assert by_id["p2"]["name"] == "José Álvarez"
    assert (by_id["p4"]["host_of"], by_id["p4"]["auto_host"]) == ("Table 2", "true")
    assert (by_id["o2"]["round 1"], by_id["o2"]["round 1 link"]) == (
        "Room A",
        "https://meet.example/room-a",
    )
    assert (by_id["o2"]["round 2"], by_id["o2"]["round 2 link"]) == ("Room B", "")
    assert by_id["o4"]["email"] == ""


def test_itineraries_have_no_link_columns_when_no_room_has_a_link(tmp_path):
    plan = hybrid_cafe.plan()
    places = tuple(replace(place, video_link=None) for place in plan.places)
    path = tmp_path / "itineraries.csv"
    write_itineraries(replace(plan, places=places), hybrid_cafe.roster(), path)
    assert not any("link" in column for column in read_csv(path)[0])


def test_itineraries_open_in_excel_with_accents_and_without_formulas(tmp_path):
    roster = Roster(
        tuple(
            replace(p, name='=HYPERLINK("https://evil.example")') if p.id == "p3" else p
            for p in hybrid_cafe.roster()
        )
    )
    path = tmp_path / "itineraries.csv"
    write_itineraries(hybrid_cafe.plan(), roster, path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    by_id = {row["participant_id"]: row for row in read_csv(path)}
    assert by_id["p3"]["name"] == '\'=HYPERLINK("https://evil.example")'


def test_metrics_file_has_every_figure_and_the_seconds(tmp_path):
    path = tmp_path / "metrics.json"
    write_metrics(hybrid_cafe.metrics(), 12.34567, path)
    figures = json.loads(path.read_text(encoding="utf-8"))
    assert figures["repeated_pairs"] == 1
    assert figures["repeated_pairs_lower_bound"] == 0
    assert figures["diversity_score"] == 0.75
    assert figures["seconds"] == 12.346
    assert {"distinct_groups", "distinct_regions_bound", "size_spread", "rounds"} <= set(figures)


def test_every_listed_output_exists_and_plan_json_reads_back(tmp_path):
    written = outputs(tmp_path)
    names = [path.name for path, _ in written.files]
    assert names[:4] == ["plan.json", "metrics.json", "assignments.csv", "itineraries.csv"]
    assert {"zoom-round-1.csv", "bbb-groups-round-2.json", "rooms-round-1.md"} <= set(names)
    assert {"itinerary-slips.html", "table-cards.html"} <= set(names)
    assert not any(name.endswith(".pdf") for name in names)
    assert all(path.is_file() and description for path, description in written.files)
    assert read_plan(written.path("plan.json")) == hybrid_cafe.plan()


def test_pdf_outputs_are_written_and_open(tmp_path):
    written = outputs(tmp_path, pdf=True)
    for name in ("itinerary-slips.pdf", "table-cards.pdf"):
        reader = pypdf.PdfReader(written.path(name))
        assert len(reader.pages) == (10 if name.startswith("itinerary") else 2)


def test_without_a_session_file_questions_are_round_n(tmp_path):
    written = outputs(tmp_path, spec=None)
    cards = written.path("table-cards.html").read_text(encoding="utf-8")
    assert "Round 2</li>" in cards.replace("\n", "").replace("  ", "")
    assert "Who should hold the data?" not in cards


def test_the_join_url_flag_wins_over_the_session_file(tmp_path):
    written = outputs(tmp_path, join_url="https://flag.example/join")
    cards = written.path("table-cards.html").read_text(encoding="utf-8")
    assert "https://flag.example/join" in cards
    assert "https://cafe.example/join/abc" not in cards


def test_no_join_url_anywhere_means_no_qr_and_a_warning(tmp_path):
    written = outputs(tmp_path, spec=hybrid_cafe.spec(join_url=None))
    cards = written.path("table-cards.html").read_text(encoding="utf-8")
    assert "<svg" not in cards
    assert any("no QR code" in warning for warning in written.warnings)


def test_a_plan_without_onsite_tables_writes_no_cards(tmp_path):
    online = tuple(place for place in hybrid_cafe.PLACES if place.online)
    seating = tuple(
        {k: v for k, v in seats.items() if k.startswith("o")}
        for seats in hybrid_cafe.plan().seating
    )
    plan = Plan(places=online, seating=seating, hosts={"Room A": "o1"})
    written = outputs(
        tmp_path,
        plan=plan,
        roster=Roster(tuple(p for p in hybrid_cafe.roster() if p.id.startswith("o"))),
    )
    assert not any(path.name.startswith("table-cards") for path, _ in written.files)
    assert not any("QR" in warning for warning in written.warnings)


def test_a_plan_seating_someone_off_the_roster_is_an_input_error(tmp_path):
    roster = Roster(tuple(p for p in hybrid_cafe.roster() if p.id != "p5"))
    with pytest.raises(InputError, match="'p5'") as caught:
        outputs(tmp_path, roster=roster)
    assert caught.value.field == "participant_id"
    assert not (tmp_path / "out").exists()


def test_roster_people_without_any_seat_are_a_warning(tmp_path):
    roster = Roster((*hybrid_cafe.roster().participants, Participant("late", "Late Comer")))
    written = outputs(tmp_path, roster=roster)
    assert any("late" in warning and "no seat" in warning for warning in written.warnings)


def test_a_session_file_with_other_round_count_is_a_warning(tmp_path):
    plan = hybrid_cafe.plan()
    three = replace(plan, seating=(*plan.seating, plan.seating[0]))
    written = outputs(tmp_path, plan=three)
    assert any("2 rounds but the plan has 3" in warning for warning in written.warnings)


def test_a_plan_without_online_places_in_a_round_still_lists_tables(tmp_path):
    plan = Plan(places=(Place("Table 1", 3),), seating=({"p1": "Table 1"},))
    roster = Roster((hybrid_cafe.roster().by_id("p1"),))
    written = outputs(tmp_path, plan=plan, roster=roster, spec=None)
    assert not any(path.name.startswith(("zoom", "bbb", "rooms")) for path, _ in written.files)
