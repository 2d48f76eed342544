from __future__ import annotations

import dataclasses
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from pollinate.core.export_check import (
    LeakFound,
    leaks_in_parts,
    public_names,
    refuse_leaks,
    rendered_leaks,
    report_leaks,
    report_texts,
)
from pollinate.core.leaks import Leak
from pollinate.core.report import ThemeSummary
from pollinate.core.roster import Participant, Roster
from pollinate.errors import ExportBlocked, InputError
from pollinate.io.notes_export import (
    JSON_BEFORE,
    JSON_BETWEEN,
    NoteRecord,
    json_record,
    notes_json_of,
)
from tests.core.test_redact import WORDS, mixed_rosters
from tests.io.render.report_sample import ROSTER, sample_report

# The rapporteur of the sample report is also on this roster, as a participant.
WITH_RAPPORTEUR = Roster(
    (
        *ROSTER.participants,
        Participant("p99", "Jan Rydzak", organization="World Benchmarking Alliance (WBA)"),
    )
)


def test_every_text_but_the_roles_section_is_checked():
    texts = dict(report_texts(sample_report()))
    assert texts["key takeaway 1"].startswith("Risk data")
    assert texts["round 1, theme 1, note 2"] == "Civil society can map risks first."
    assert texts["agenda block 2 question"] == "How can investors help?"
    assert not any("Rydzak" in text or "Dheere" in text for text in texts.values())


def test_a_roster_name_in_a_takeaway_is_located_by_its_place():
    report = dataclasses.replace(sample_report(), key_takeaways=("Ask Person 3 and PERSON 7.",))
    leaks = report_leaks(report, ROSTER)
    assert [(found.place, found.text) for found in leaks] == [
        ("key takeaway 1", "Person 3"),
        ("key takeaway 1", "PERSON 7"),
    ]
    assert leaks[0].describe() == "key takeaway 1: the name of participant p03 at characters 5-12"


def test_a_role_holders_name_outside_the_roles_section_is_a_leak_even_off_the_roster():
    theme = ThemeSummary("Data", 2, ("Table 1",), (1,), ("Anita Dorrett said so.",))
    first = dataclasses.replace(sample_report().discussions[0], themes=(theme,))
    report = dataclasses.replace(sample_report(), discussions=(first,))
    leaks = report_leaks(report, ROSTER)
    assert [(found.place, found.text) for found in leaks] == [
        ("round 1, theme 1, note 1", "Anita Dorrett")
    ]
    assert public_names(report) == ("Jessica Dheere", "Anita Dorrett", "Jan Rydzak")


def test_the_roles_section_may_name_a_role_holder_who_is_also_on_the_roster():
    text = "Rapporteur: Jan Rydzak, World Benchmarking Alliance (WBA)\nWBA thinks so."
    public = ["Jan Rydzak, World Benchmarking Alliance (WBA)"]
    assert rendered_leaks(text, WITH_RAPPORTEUR, what="report (md)", public=public) == []
    found = rendered_leaks(text, WITH_RAPPORTEUR, what="report (md)")
    assert [(f.place, f.text) for f in found] == [
        ("report (md), line 1", "Jan Rydzak"),
        ("report (md), line 1", "World Benchmarking Alliance"),
        ("report (md), line 1", "WBA"),
        ("report (md), line 2", "WBA"),
    ]


def test_a_participant_named_beside_the_public_roles_is_still_a_leak():
    text = "Rapporteur: Jan Rydzak\nThanks to Person 4."
    found = rendered_leaks(text, WITH_RAPPORTEUR, what="report (html)", public=["Jan Rydzak"])
    assert [(f.place, f.text) for f in found] == [("report (html), line 2", "Person 4")]


def test_a_leak_blocks_the_export_and_the_message_never_repeats_the_words():
    report = dataclasses.replace(sample_report(), calls_to_action=("Email person4@example.org",))
    roster = Roster((Participant("p04", "Person 4", email="person4@example.org"),))
    with pytest.raises(ExportBlocked) as blocked:
        refuse_leaks("report", report_leaks(report, roster))
    message = str(blocked.value)
    assert "call to action 1: the email address of participant p04" in message
    assert "person4@example.org" not in message
    assert blocked.value.leaked == ("person4@example.org",)
    assert isinstance(blocked.value, InputError)  # the CLI exits 2, the web answers 422


def test_no_leak_lets_the_export_through():
    refuse_leaks("report", report_leaks(sample_report(), ROSTER))
    refuse_leaks("report", [])


def test_a_long_list_of_leaks_is_counted_after_the_first_ten():
    found = [LeakFound(f"note {n}", report_leaks_one(), "x") for n in range(13)]
    with pytest.raises(
        ExportBlocked, match=r"the notes export still .* 13 places .*note 9: [^;]*; and 3 more\)"
    ):
        refuse_leaks("notes export", found)


def report_leaks_one() -> Leak:
    report = dataclasses.replace(sample_report(), key_takeaways=("Person 1",))
    return report_leaks(report, ROSTER)[0].leak


# Property: an export checked record by record (`leaks_in_parts`) finds exactly what the
# check of its whole text finds, at the same lines and characters. Rosters and texts as
# in tests/core/test_redact.py's property: names and organisations sharing words across
# scripts, with emails; texts put them anywhere, beside braces, commas and line breaks.
EMAILS = ["hope@ngo.org", "wba@example.net"]
record_words = st.sampled_from(
    [*WORDS, *EMAILS, "hope", "MAY", ",", ".", "\n", "{", "}", "(", ")", "-", "and", "\u2028"]
)


@settings(max_examples=300, deadline=None)
@given(
    mixed_rosters,
    st.lists(
        st.tuples(st.lists(record_words, max_size=8), st.lists(record_words, max_size=3)),
        max_size=5,
    ),
)
def test_an_export_checked_record_by_record_finds_what_the_whole_text_check_finds(
    roster: Roster, drawn: list[tuple[list[str], list[str]]]
):
    with_emails = Roster(
        tuple(
            replace(person, email=EMAILS[i % 2]) if i < 2 else person
            for i, person in enumerate(roster.participants)
        )
    )
    at = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    records = [
        NoteRecord(f"n{i}", 1, " ".join(table) or "Table", " ".join(text), at)
        for i, (text, table) in enumerate(drawn)
    ]
    parts = [json_record(record) for record in records]
    whole = rendered_leaks(notes_json_of(parts), with_emails, what="notes export (json)")
    by_part = leaks_in_parts(
        parts, with_emails, what="notes export (json)", before=JSON_BEFORE, between=JSON_BETWEEN
    )
    event("leaks found" if whole else "no leak")
    assert by_part == whole
