import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pollinate.core.planner.model import Place, Plan
from pollinate.errors import InputError
from pollinate.io.plan_file import VERSION, plan_document, read_plan, write_plan
from tests.io import hybrid_cafe


def test_plan_round_trips_exactly(tmp_path):
    path = tmp_path / "plan.json"
    write_plan(hybrid_cafe.plan(), path)
    assert read_plan(path) == hybrid_cafe.plan()


def test_plan_file_carries_its_format_version_and_the_metrics(tmp_path):
    path = tmp_path / "plan.json"
    write_plan(hybrid_cafe.plan(), path, metrics=hybrid_cafe.metrics())
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == "pollinate-plan"
    assert document["version"] == VERSION
    assert document["metrics"]["repeated_pairs"] == 1
    assert read_plan(path) == hybrid_cafe.plan()


def test_each_places_sitters_are_on_one_line_for_hand_edits(tmp_path):
    path = tmp_path / "plan.json"
    write_plan(hybrid_cafe.plan(), path)
    assert '"Table 1": ["p1", "p2", "p3"]' in path.read_text(encoding="utf-8")


def test_a_hand_moved_participant_is_read_as_moved(tmp_path):
    path = tmp_path / "plan.json"
    document = plan_document(hybrid_cafe.plan())
    places = document["seating"][1]["places"]  # type: ignore[index]
    places["Table 1"].remove("p5")
    places["Table 2"].append("p5")
    path.write_text(json.dumps(document), encoding="utf-8")
    assert read_plan(path).place_of("p5", 2) == "Table 2"


names = st.text(min_size=1, max_size=12).filter(lambda s: s.strip())


@st.composite
def plans(draw):
    place_names = draw(st.lists(names, min_size=1, max_size=5, unique=True))
    online = draw(st.lists(st.booleans(), min_size=len(place_names), max_size=len(place_names)))
    places = tuple(
        Place(name, capacity=draw(st.integers(0, 9)), online=flag,
              video_link=draw(st.none() | names), language=draw(st.none() | names))
        for name, flag in zip(place_names, online, strict=True)
    )  # fmt: skip
    people = draw(st.lists(names, max_size=12, unique=True))
    hosts = dict(zip(place_names, people, strict=False)) if draw(st.booleans()) else {}
    rounds = draw(st.integers(1, 4))
    seating = []
    for _ in range(rounds):
        seats = {host: place for place, host in hosts.items()}
        for person in people:
            if person not in seats and draw(st.booleans()):
                seats[person] = draw(st.sampled_from(place_names))
        seating.append(seats)
    auto = (
        frozenset(draw(st.lists(st.sampled_from(sorted(hosts)), unique=True)))
        if hosts
        else frozenset()
    )
    return Plan(places=places, seating=tuple(seating), hosts=hosts, auto_hosts=auto)


@settings(max_examples=60, deadline=None)
@given(plan=plans())
def test_any_valid_plan_round_trips_exactly_even_with_odd_names(tmp_path_factory, plan):
    path = tmp_path_factory.mktemp("plans") / "plan.json"
    write_plan(plan, path)
    assert read_plan(path) == plan


def write_document(tmp_path: Path, edit: Callable[[Any], object]) -> Path:
    document = json.loads(json.dumps(plan_document(hybrid_cafe.plan())))
    edit(document)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def seat_twice(doc):
    doc["seating"][0]["places"]["Room B"].append("p1")


def number_as_id(doc):
    doc["seating"][0]["places"]["Room A"] = [7]


def host_moves(doc):
    doc["seating"][1]["places"]["Table 1"].remove("p1")
    doc["seating"][1]["places"]["Table 2"].append("p1")


@pytest.mark.parametrize(
    ("edit", "field", "words"),
    [
        (lambda d: d.pop("format"), "format", "not a pollinate plan"),
        (lambda d: d.update(version=VERSION + 1), "version", "Upgrade pollinate"),
        (lambda d: d.update(version="1"), "version", "whole number"),
        (lambda d: d.update(places=[]), "places", "non-empty list"),
        (lambda d: d["places"][1].update(capacity=True), "places[1].capacity", "whole number"),
        (lambda d: d["places"][1].update(name="Table 1"), "places[1].name", "appears twice"),
        (lambda d: d["places"][2].update(online="yes"), "places[2].online", "true or false"),
        (lambda d: d["seating"][1].update(round=3), "seating[1].round", "expected round 2"),
        (
            lambda d: d["seating"][0]["places"].update({"Table 9": ["p1"]}),
            "seating[0].places['Table 9']",
            "no place called 'Table 9'",
        ),
        (seat_twice, "seating[0].places['Room B']", "'p1' is seated twice in round 1"),
        (number_as_id, "seating[0].places['Room A']", "non-empty text"),
        (host_moves, "hosts['Table 1']", "host 'p1' sits at 'Table 2' in round 2"),
        (lambda d: d["hosts"].update({"Nowhere": "p2"}), "hosts['Nowhere']", "no place called"),
        (lambda d: d["auto_hosts"].append("Room B"), "auto_hosts[1]", "'Room B' has no host"),
    ],
)  # fmt: skip
def test_a_broken_plan_file_names_the_file_and_the_field(tmp_path, edit, field, words):
    path = write_document(tmp_path, edit)
    with pytest.raises(InputError) as caught:
        read_plan(path)
    assert caught.value.file == str(path)
    assert caught.value.field == field
    assert words in str(caught.value)


def test_invalid_json_names_the_file_and_line(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text('{\n  "format": "pollinate-plan",\n  oops\n}', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_plan(path)
    assert caught.value.file == str(path)
    assert caught.value.line == 3


def test_a_missing_plan_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read the plan"):
        read_plan(tmp_path / "nowhere.json")


def test_writing_leaves_no_partial_file_behind(tmp_path):
    write_plan(hybrid_cafe.plan(), tmp_path / "plan.json")
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]
