from __future__ import annotations

import re
from pathlib import Path

import pytest

from pollinate.errors import InputError
from pollinate.io.roster_columns import (
    CANONICAL_COLUMNS,
    HEADER_ALIASES,
    column_letter,
    find_header,
    header_key,
    map_header,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "roster.md"


def documented_aliases() -> dict[str, list[str]]:
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("\n### Header aliases\n", 1)[1].split("\n#", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    table: dict[str, list[str]] = {}
    for line in lines[2:]:  # past the header row and the |---| row
        first, second = [cell.strip() for cell in line.strip("|").split("|")][:2]
        table[first.strip("`")] = re.findall(r"`([^`]+)`", second)
    return table


def test_docs_alias_table_lists_exactly_the_aliases_the_code_accepts():
    assert documented_aliases() == {
        column: list(aliases) for column, aliases in HEADER_ALIASES.items()
    }


def test_docs_list_every_canonical_column():
    text = DOCS.read_text(encoding="utf-8")
    for column in CANONICAL_COLUMNS:
        assert f"| `{column}`" in text


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Full name", "name"),
        ("NAME", "name"),
        ("First name", "first_name"),
        ("last_name", "last_name"),
        ("E-mail", "email"),
        ("Email address", "email"),
        ("Organisation", "organization"),
        ("Affiliation", "organization"),
        ("Company", "organization"),
        ("Sector", "stakeholder_group"),
        ("Stakeholder", "stakeholder_group"),
        ("Stakeholder group", "stakeholder_group"),
        ("UN region", "region"),
        ("Participation", "attendance"),
        ("In person / Online", "attendance"),
        ("Mode", "attendance"),
        ("Language(s)", "languages"),
        ("Role", "role"),
    ],
)
def test_header_aliases_are_matched_ignoring_case_spaces_and_punctuation(header, column):
    assert map_header(["x", header], file="f.csv", row=1).columns == {column: 1}


def test_header_key_drops_everything_but_letters_and_digits():
    assert header_key(" Language(s)_ ") == header_key("languages") == "languages"


def test_unknown_headers_are_listed_as_ignored():
    column_map = map_header(["Name", "Shoe size", "", "Dietary needs"], file="f.csv", row=1)
    assert column_map.columns == {"name": 0}
    assert column_map.ignored == ("Shoe size", "Dietary needs")


def test_two_columns_meaning_the_same_thing_is_an_error_naming_both():
    with pytest.raises(InputError, match=r"f\.csv, row 1, field 'E-mail address'") as caught:
        map_header(["Name", "Email", "E-mail address"], file="f.csv", row=1)
    assert "'Email' (B)" in str(caught.value)
    assert "(C)" in str(caught.value)


def test_header_is_found_below_a_title_row():
    rows = [("Registrations for IGF 2025",), (), ("Full name", "Email"), ("Amina", "")]
    index, column_map = find_header(rows, file="f.csv")
    assert index == 2
    assert column_map.columns == {"name": 0, "email": 1}


def test_first_and_last_name_columns_are_enough_for_a_header():
    _, column_map = find_header([("First name", "Surname")], file="f.csv")
    assert column_map.has_name


def test_missing_name_column_is_an_error_naming_row_and_field_and_showing_the_header():
    with pytest.raises(InputError, match=r"f\.csv, row 2, field 'name': no column") as caught:
        find_header([(), ("Email", "Organisation"), ("a@example.org", "X")], file="f.csv")
    assert "'Email', 'Organisation'" in str(caught.value)


@pytest.mark.parametrize(("index", "letter"), [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ")])
def test_column_letters_follow_spreadsheets(index, letter):
    assert column_letter(index) == letter
