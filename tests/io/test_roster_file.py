from __future__ import annotations

import codecs
import re
import string
import unicodedata
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pollinate.core.roster import Attendance, Participant, Roster
from pollinate.core.synthetic_roster import generate_roster
from pollinate.errors import InputError
from pollinate.io.roster_file import (
    RosterImport,
    RosterProblem,
    parse_roster,
    read_roster,
    write_roster,
    write_roster_csv,
    write_roster_xlsx,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "roster-small.csv"


def parse(text: str, filename: str = "roster.csv") -> RosterImport:
    return parse_roster(text.encode("utf-8"), filename=filename)


def messages(result: RosterImport) -> list[str]:
    return [str(problem) for problem in result.warnings]


# ── reading ───────────────────────────────────────────────────────────────────────────


def test_canonical_columns_become_participants():
    result = parse(
        "id,name,email,organization,stakeholder_group,region,attendance,languages,role\n"
        "a1,Amina Yusuf,amina@example.org,Coalition,civil society,Africa,online,en; fr,host\n"
    )
    assert result.roster.participants == (
        Participant(
            id="a1",
            name="Amina Yusuf",
            email="amina@example.org",
            organization="Coalition",
            stakeholder_group="civil society",
            region="Africa",
            attendance=Attendance.ONLINE,
            languages=("English", "French"),
            is_host=True,
        ),
    )
    assert result.warnings == ()


def test_a_registration_export_with_aliases_is_normalised():
    result = parse(
        "Full Name;E-mail;Affiliation;Sector;UN Region;In person/Online;Language(s);Role\n"
        "José Núñez;jose@example.org;Banco Verde;Sustainable investor;GRULAC;In-person;"
        "es/en;Table host\n"
        "Li Wei;li@example.org;Ministry;Public sector;APG;Zoom;zh;\n"
    )
    jose, li = result.roster
    assert (jose.stakeholder_group, jose.region, jose.attendance) == (
        "investors",
        "Latin America and Caribbean",
        Attendance.ONSITE,
    )
    assert jose.languages == ("Spanish", "English")
    assert jose.is_host
    assert (li.stakeholder_group, li.region, li.attendance) == (
        "government",
        "Asia-Pacific",
        Attendance.ONLINE,
    )
    assert not li.is_host
    assert result.warnings == ()


def test_first_and_last_name_columns_are_combined():
    result = parse("First name,Last name\nAmina,Yusuf\n,Okafor\n")
    assert [p.name for p in result.roster] == ["Amina Yusuf", "Okafor"]


def test_name_column_wins_over_name_parts_and_parts_fill_an_empty_name():
    result = parse("Name,First name,Surname\nDr Amina Yusuf,Amina,Yusuf\n,Kofi,Mensah\n")
    assert [p.name for p in result.roster] == ["Dr Amina Yusuf", "Kofi Mensah"]


def test_unknown_values_are_kept_as_written_and_warned_once_with_their_rows():
    result = parse(
        "name,sector,region\nA,Media,Europe\nB,Media,Africa\nC,Philanthropy,Europe\nD,NGO,Mars\n"
    )
    assert [p.stakeholder_group for p in result.roster] == [
        "Media",
        "Media",
        "Philanthropy",
        "civil society",
    ]
    assert [p.region for p in result.roster] == ["Europe", "Africa", "Europe", "Mars"]
    found = messages(result)
    assert found == [
        "roster.csv, row 2, field 'sector': stakeholder group not recognised, kept as written: "
        "'Media' (rows 2, 3); 'Philanthropy' (row 4)",
        "roster.csv, row 2, field 'region': region not recognised (not one of the five UN "
        "regional groups), kept as written: 'Europe' (rows 2, 4); 'Mars' (row 5)",
    ]


def test_long_lists_of_rows_are_shortened():
    rows = "".join(f"P{i},Media\n" for i in range(8))
    (problem,) = parse("name,sector\n" + rows).warnings
    assert "(rows 2, 3, 4, 5, 6 and 3 more)" in problem.message


def test_empty_attendance_is_onsite_without_a_warning_and_unknown_is_onsite_with_one():
    result = parse("name,attendance\nA,\nB,hybrid\n")
    assert [p.attendance for p in result.roster] == [Attendance.ONSITE, Attendance.ONSITE]
    (problem,) = result.warnings
    assert (problem.row, problem.field) == (3, "attendance")
    assert "read as onsite: 'hybrid'" in problem.message


def test_roles_other_than_host_are_ignored_with_a_warning():
    result = parse("name,role\nA,facilitator\nB,participant\nC,host\n")
    assert [p.is_host for p in result.roster] == [False, False, True]
    (problem,) = result.warnings
    assert (problem.row, problem.field) == (2, "role")
    assert "'facilitator'" in problem.message


def test_invalid_email_is_dropped_with_a_warning_naming_row_and_field():
    result = parse("Name,E-mail\nA,n/a\nB,b@example.org\nC,c@example\n")
    assert [p.email for p in result.roster] == [None, "b@example.org", None]
    assert messages(result) == [
        "roster.csv, row 2, field 'E-mail': 'n/a' is not an email address; dropped",
        "roster.csv, row 4, field 'E-mail': 'c@example' is not an email address; dropped",
    ]


def test_row_with_data_but_no_name_is_skipped_with_a_warning_and_blank_rows_silently():
    result = parse("name,email\nA,\n,,\n\n,x@example.org\nB,\n")
    assert [p.name for p in result.roster] == ["A", "B"]
    assert messages(result) == ["roster.csv, row 5, field 'name': row has no name; skipped"]


def test_unknown_columns_and_headless_values_are_warned_about_on_the_header_row():
    result = parse("name,Shoe size,\nA,42,extra\nB,,,more\n")
    assert messages(result) == [
        "roster.csv, row 1: columns not recognised, ignored: 'Shoe size'",
        "roster.csv, row 1: columns with values but no header, ignored: C, D",
    ]


def test_rows_above_the_header_are_skipped_with_a_warning():
    result = parse("IGF 2025 registrations\n\nname\nAmina\n")
    assert [p.name for p in result.roster] == ["Amina"]
    assert messages(result) == ["roster.csv, row 1: rows above the header row ignored: 1"]


def test_warnings_come_in_row_order():
    result = parse("name,email,sector\nA,bad,Media\nB,,\n,only@example.org,\nC,worse,\n")
    rows = [problem.row or 0 for problem in result.warnings]
    assert rows == sorted(rows)
    assert len(rows) == 4


def test_same_email_in_any_case_is_merged_into_the_first_row_which_wins():
    result = parse(
        "name,email,organization,region,languages,role\n"
        "Amina Yusuf,amina@example.org,,Africa,,\n"
        "Bo,bo@example.org,,,,\n"
        "Amina Y.,AMINA@Example.org,Coalition,WEOG,fr,host\n"
    )
    amina, bo = result.roster
    assert bo.name == "Bo"
    assert (amina.name, amina.email, amina.region) == ("Amina Yusuf", "amina@example.org", "Africa")
    assert (amina.organization, amina.languages, amina.is_host) == ("Coalition", ("French",), True)
    (problem,) = result.warnings
    assert (problem.row, problem.field) == (4, "email")
    assert "same email as row 2" in problem.message
    assert "names differ" in problem.message


def test_generated_ids_are_stable_across_imports_and_edits_of_other_rows():
    first = parse("name,email\nAmina,amina@example.org\nBo,\n")
    again = parse("name,email\nCy,cy@example.org\nAmina,AMINA@example.org\n\nBo,\n")
    ids = {p.name: p.id for p in first.roster}
    assert {p.name: p.id for p in again.roster if p.name in ids} == ids
    assert all(re.fullmatch(r"p-[0-9a-f]{10}", i) for i in ids.values())


def test_namesakes_without_email_get_suffixed_ids_in_file_order():
    result = parse("name\nAmina\namina\nAmina\n")
    base = result.roster.participants[0].id
    assert [p.id for p in result.roster] == [base, f"{base}-2", f"{base}-3"]


def test_explicit_ids_are_kept_and_generated_ids_avoid_them():
    taken = parse("name\nAmina\n").roster.participants[0].id
    result = parse(f"id,name\n,Amina\n{taken},Bo\n")
    assert [p.id for p in result.roster] == [f"{taken}-2", taken]


def test_numeric_ids_from_a_workbook_are_kept_as_text(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["ID", "Name"])
    workbook.active.append([1, "Amina"])
    workbook.active.append([2.0, "Bo"])
    workbook.save(tmp_path / "r.xlsx")
    assert [p.id for p in read_roster(tmp_path / "r.xlsx").roster] == ["1", "2"]


# ── fatal problems ────────────────────────────────────────────────────────────────────


def test_duplicate_explicit_ids_stop_the_import_naming_both_rows():
    with pytest.raises(InputError) as caught:
        parse("Participant ID,name\nx1,Amina\nx2,Bo\nx1,Cy\n")
    assert caught.value.row == 4
    assert caught.value.field == "Participant ID"
    assert "already used by row 2" in str(caught.value)


def test_missing_name_column_stops_the_import_naming_the_field():
    with pytest.raises(InputError, match=r"roster\.csv, row 1, field 'name'"):
        parse("email,organisation\na@example.org,X\n")


def test_header_without_rows_stops_the_import_naming_row_two():
    with pytest.raises(InputError, match=r"roster\.csv, row 2: there are no participants"):
        parse("name,email\n\n\n")


def test_rows_that_all_lack_names_stop_the_import_naming_the_first():
    with pytest.raises(InputError, match=r"row 2, field 'Full name': no row has a name"):
        parse("Full name,email\n,a@example.org\n,b@example.org\n")


def test_empty_upload_stops_the_import_naming_the_upload():
    with pytest.raises(InputError, match=r"upload\.csv, row 1: the file is empty"):
        parse_roster(b"", filename="upload.csv")


def test_missing_file_is_an_input_error_naming_it(tmp_path):
    with pytest.raises(InputError, match="cannot read the file") as caught:
        read_roster(tmp_path / "nowhere.csv")
    assert caught.value.file == str(tmp_path / "nowhere.csv")


def test_problem_reads_as_file_row_and_field():
    assert (
        str(RosterProblem(7, "email", "dropped", "r.csv")) == "r.csv, row 7, field 'email': dropped"
    )
    assert str(RosterProblem(None, None, "read as Latin-1", "r.csv")) == "r.csv: read as Latin-1"


# ── encodings and formats, end to end ─────────────────────────────────────────────────


def test_excel_unicode_text_export_reads_like_the_csv(tmp_path):
    text = "Full name\tSector\tRegion\r\nZoë Ångström\tNGO\tWEOG\r\nЛи Вэй\tUN\t\r\n"
    path = tmp_path / "roster.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    result = read_roster(path)
    assert [(p.name, p.stakeholder_group) for p in result.roster] == [
        ("Zoë Ångström", "civil society"),
        ("Ли Вэй", "intergovernmental organisation"),
    ]
    assert result.warnings == ()


def test_latin1_semicolon_export_reads_with_one_warning(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes("Name;Organisation\nHélène Dubois;Société\n".encode("latin-1"))
    result = read_roster(path)
    assert result.roster.participants[0].name == "Hélène Dubois"
    assert ["not UTF-8" in str(problem) for problem in result.warnings] == [True]


def test_workbook_with_aliases_reads_like_the_csv(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Email address", "Stakeholder group", "Mode"])
    sheet.append(["Amina", "amina@example.org", "Civil society", "virtual"])
    workbook.save(tmp_path / "r.xlsx")
    (amina,) = read_roster(tmp_path / "r.xlsx").roster
    assert (amina.email, amina.stakeholder_group, amina.attendance) == (
        "amina@example.org",
        "civil society",
        Attendance.ONLINE,
    )


def test_example_roster_reads_without_warnings():
    result = read_roster(EXAMPLE)
    assert len(result.roster) == 30
    assert result.warnings == ()


# ── writing ───────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_generated_roster_reads_back_unchanged(tmp_path, suffix):
    roster = generate_roster(200, online_fraction=0.3, seed=9)
    path = tmp_path / f"roster{suffix}"
    write_roster(roster, path)
    result = read_roster(path)
    assert result.roster == roster
    assert result.warnings == ()


def test_csv_is_utf8_with_bom_comma_separated_in_canonical_columns(tmp_path):
    path = tmp_path / "r.csv"
    write_roster_csv(Roster((Participant(id="a", name="Zoë", is_host=True),)), path)
    data = path.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    assert data.decode("utf-8-sig").splitlines() == [
        "id,name,email,organization,stakeholder_group,region,attendance,languages,role",
        "a,Zoë,,,,,onsite,,host",
    ]


def test_xlsx_is_a_workbook_whatever_the_case_of_its_suffix(tmp_path):
    write_roster(Roster((Participant(id="a", name="A"),)), tmp_path / "r.XLSX")
    assert (tmp_path / "r.XLSX").read_bytes().startswith(b"PK")


def test_formula_like_names_stay_text_and_read_back_unchanged(tmp_path):
    roster = Roster(
        (
            Participant(id="a", name='=HYPERLINK("http://x.example")'),
            Participant(id="b", name="-Anna", organization="+1 Fund"),
        )
    )
    write_roster_csv(roster, tmp_path / "r.csv")
    assert "'=HYPERLINK" in (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    write_roster_xlsx(roster, tmp_path / "r.xlsx")
    assert read_roster(tmp_path / "r.csv").roster == roster
    assert read_roster(tmp_path / "r.xlsx").roster == roster


def test_writing_into_a_missing_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot write the file"):
        write_roster(Roster((Participant(id="a", name="A"),)), tmp_path / "no" / "r.csv")


def clean_text(text: str) -> bool:
    """Text a roster cell can hold and give back as is: trimmed, NFC, no control chars."""
    return (
        text == unicodedata.normalize("NFC", text)
        and text == " ".join(text.split())
        and not any(unicodedata.category(c).startswith("C") for c in text)
        and "\ufeff" not in text
        and not (text.startswith("'") and text[1:2] and text[1:2] in "=+-@")
    )


# Built clean rather than filtered, so that hypothesis rarely throws an example away.
cell_texts = (
    st.text(st.characters(categories=("L", "M", "N", "P", "S", "Zs")), min_size=1, max_size=20)
    .map(lambda text: " ".join(unicodedata.normalize("NFC", text).split()))
    .filter(lambda text: bool(text) and clean_text(text))
)
names = cell_texts
optional_text = st.none() | cell_texts
groups = st.sampled_from([None, "civil society", "investors", "Media", "Philanthropy"])
regions = st.sampled_from([None, "Africa", "Western Europe and Others", "Europe", "Oceania"])
languages = st.lists(
    st.sampled_from(["English", "French", "Chinese", "Wolof", "isiZulu", "Bahasa Indonesia"]),
    unique=True,
    max_size=3,
).map(tuple)
ids = st.text(alphabet=string.ascii_lowercase + string.digits + "-", min_size=1, max_size=8)


@st.composite
def rosters(draw: st.DrawFn) -> Roster:
    count = draw(st.integers(1, 6))
    people = []
    for i, participant_id in enumerate(
        draw(st.lists(ids, min_size=count, max_size=count, unique=True))
    ):
        people.append(
            Participant(
                id=participant_id,
                name=draw(names),
                email=draw(st.sampled_from([None, f"person{i}@example.org"])),
                organization=draw(optional_text),
                stakeholder_group=draw(groups),
                region=draw(regions),
                attendance=draw(st.sampled_from(list(Attendance))),
                languages=draw(languages),
                is_host=draw(st.booleans()),
            )
        )
    return Roster(tuple(people))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(roster=rosters())
def test_any_roster_written_as_csv_reads_back_the_same(tmp_path, roster):
    path = tmp_path / "r.csv"
    write_roster_csv(roster, path)
    assert read_roster(path).roster == roster


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(roster=rosters())
def test_any_roster_written_as_xlsx_reads_back_the_same(tmp_path, roster):
    path = tmp_path / "r.xlsx"
    write_roster_xlsx(roster, path)
    assert read_roster(path).roster == roster
