from __future__ import annotations

import re
from pathlib import Path

import pytest

from pollinate.core.roster import Attendance, Participant, Region, StakeholderGroup
from pollinate.core.roster_vocabulary import (
    ATTENDANCE_SPELLINGS,
    HOST_SPELLINGS,
    LANGUAGE_SPELLINGS,
    PARTICIPANT_SPELLINGS,
    REGION_SPELLINGS,
    STAKEHOLDER_SPELLINGS,
    normalise_attendance,
    normalise_host_role,
    normalise_languages,
    normalise_region,
    normalise_stakeholder_group,
    vocabulary_key,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "roster.md"


def docs_table(heading: str) -> dict[str, list[str]]:
    """First cell → the backticked items of the second cell, for the table under `heading`."""
    section = DOCS.read_text(encoding="utf-8").split(f"\n{heading}\n", 1)[1].split("\n#", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    table: dict[str, list[str]] = {}
    for line in lines[2:]:  # past the header row and the |---| row
        first, second = [cell.strip() for cell in line.strip("|").split("|")][:2]
        table[first.strip("`")] = re.findall(r"`([^`]+)`", second)
    return table


@pytest.mark.parametrize(
    ("written", "group"),
    [
        ("NGO", StakeholderGroup.CIVIL_SOCIETY),
        ("Civil Society", StakeholderGroup.CIVIL_SOCIETY),
        ("civil-society", StakeholderGroup.CIVIL_SOCIETY),
        ("CSO", StakeholderGroup.CIVIL_SOCIETY),
        ("Public sector", StakeholderGroup.GOVERNMENT),
        ("Ministry", StakeholderGroup.GOVERNMENT),
        ("Business", StakeholderGroup.PRIVATE_SECTOR),
        ("INDUSTRY", StakeholderGroup.PRIVATE_SECTOR),
        ("Technical", StakeholderGroup.TECHNICAL_COMMUNITY),
        ("International Organization", StakeholderGroup.INTERGOVERNMENTAL),
        ("IGO", StakeholderGroup.INTERGOVERNMENTAL),
        ("UN", StakeholderGroup.INTERGOVERNMENTAL),
        ("University", StakeholderGroup.ACADEMIA),
        ("Sustainable investor", StakeholderGroup.INVESTORS),
        ("Asset managers", StakeholderGroup.INVESTORS),
    ],
)
def test_known_stakeholder_spellings_map_to_their_group(written, group):
    assert normalise_stakeholder_group(written) is group


@pytest.mark.parametrize("written", ["Media", "Finance", "Philanthropy", ""])
def test_unknown_stakeholder_groups_are_not_guessed(written):
    assert normalise_stakeholder_group(written) is None


@pytest.mark.parametrize(
    ("written", "region"),
    [
        ("African Group", Region.AFRICA),
        ("asia pacific", Region.ASIA_PACIFIC),
        ("APG", Region.ASIA_PACIFIC),
        ("EEG", Region.EASTERN_EUROPE),
        ("GRULAC", Region.GRULAC),
        ("Latin America & the Caribbean", Region.GRULAC),
        ("Latin America", Region.GRULAC),
        ("WEOG", Region.WEOG),
        ("Western Europe and Others", Region.WEOG),
        ("North America", Region.WEOG),
    ],
)
def test_known_region_spellings_map_to_their_un_regional_group(written, region):
    assert normalise_region(written) is region


@pytest.mark.parametrize("written", ["Europe", "Oceania", "Middle East", "Mars"])
def test_regions_that_span_two_groups_stay_unknown(written):
    assert normalise_region(written) is None


@pytest.mark.parametrize(
    ("written", "attendance"),
    [
        ("onsite", Attendance.ONSITE),
        ("On-site", Attendance.ONSITE),
        ("In person", Attendance.ONSITE),
        ("in-person", Attendance.ONSITE),
        ("Physical", Attendance.ONSITE),
        ("room", Attendance.ONSITE),
        ("Online", Attendance.ONLINE),
        ("Remote", Attendance.ONLINE),
        ("virtual", Attendance.ONLINE),
        ("Zoom", Attendance.ONLINE),
    ],
)
def test_attendance_spellings_map_to_onsite_or_online(written, attendance):
    assert normalise_attendance(written) is attendance


def test_unknown_attendance_is_none_so_the_reader_can_warn():
    assert normalise_attendance("hybrid") is None


@pytest.mark.parametrize(
    ("written", "is_host"),
    [
        ("host", True),
        ("Table host", True),
        ("ROOM HOST", True),
        ("participant", False),
        ("Attendee", False),
        ("facilitator", None),
        ("moderator", None),
    ],
)
def test_only_host_roles_make_a_host(written, is_host):
    assert normalise_host_role(written) is is_host


def test_languages_split_on_every_separator_and_take_english_names():
    assert normalise_languages("en, fr; Español / العربية | Wolof") == (
        "English",
        "French",
        "Spanish",
        "Arabic",
        "Wolof",
    )


def test_repeated_languages_are_listed_once_whatever_their_case():
    assert normalise_languages("French, FRANÇAIS, fr, wolof, Wolof") == ("French", "wolof")


def test_empty_language_cell_gives_no_languages():
    assert normalise_languages(" ; , ") == ()


def test_normalised_languages_match_how_participants_are_asked_about_a_table():
    person = Participant(id="a", name="A", languages=normalise_languages("fr"))
    assert person.speaks("french")
    assert person.speaks("French")
    assert not person.speaks("Spanish")


def test_vocabulary_key_ignores_case_punctuation_and_a_leading_the():
    assert vocabulary_key("The  Latin-America & Caribbean!") == vocabulary_key(
        "latin america and caribbean"
    )


def test_every_canonical_value_answers_to_itself():
    for group in StakeholderGroup:
        assert normalise_stakeholder_group(group.value) is group
    for region in Region:
        assert normalise_region(region.value) is region
    for attendance in Attendance:
        assert normalise_attendance(attendance.value) is attendance


@pytest.mark.parametrize(
    ("heading", "table"),
    [
        ("### Stakeholder groups", STAKEHOLDER_SPELLINGS),
        ("### Regions", REGION_SPELLINGS),
        ("### Attendance", ATTENDANCE_SPELLINGS),
        ("### Languages", LANGUAGE_SPELLINGS),
    ],
)
def test_docs_list_exactly_the_spellings_the_code_knows(heading, table):
    expected = {str(value): list(spellings) for value, spellings in table.items()}
    assert docs_table(heading) == expected


def test_docs_list_exactly_the_role_spellings_the_code_knows():
    assert docs_table("### Role") == {
        "host": list(HOST_SPELLINGS),
        "(participant)": list(PARTICIPANT_SPELLINGS),
    }
