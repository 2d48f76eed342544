from __future__ import annotations

import codecs
import io
import zipfile

import openpyxl
import pytest

from pollinate.errors import InputError
from pollinate.io.roster_table import read_table

ROWS = [["name", "organisation", "languages"], ["José Núñez", "Café Ñandú", "es, fr"]]


def text_of(rows: list[list[str]], delimiter: str) -> str:
    return "".join(delimiter.join(row) + "\r\n" for row in rows)


def cells(data: bytes, filename: str = "roster.csv") -> list[list[str]]:
    return [list(row) for row in read_table(data, filename=filename).rows]


def test_excel_unicode_text_utf16_with_bom_and_tabs_is_read():
    data = codecs.BOM_UTF16_LE + text_of(ROWS, "\t").encode("utf-16-le")
    assert cells(data, "roster.txt") == ROWS


def test_big_endian_utf16_is_read_too():
    data = codecs.BOM_UTF16_BE + text_of(ROWS, "\t").encode("utf-16-be")
    assert cells(data) == ROWS


def test_utf8_with_bom_does_not_leak_the_bom_into_the_first_header():
    data = codecs.BOM_UTF8 + text_of(ROWS, ",").replace("es, fr", '"es, fr"').encode()
    assert cells(data)[0][0] == "name"
    assert cells(data) == ROWS


def test_latin1_with_accents_falls_back_and_says_so():
    data = text_of(ROWS, ";").encode("latin-1")
    table = read_table(data, filename="roster.csv")
    assert [list(row) for row in table.rows] == ROWS
    assert "not UTF-8" in table.notes[0]


def test_windows_1252_quotes_and_euro_sign_are_read_as_excel_wrote_them():
    data = text_of([["name"], ["“Zoë” €"]], ",").encode("cp1252")
    assert cells(data)[1] == ["“Zoë” €"]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiter_is_sniffed_from_the_rows(delimiter):
    rows = [["name", "email", "region"], ["A", "a@example.org", "Africa"], ["B", "", "WEOG"]]
    assert cells(text_of(rows, delimiter).encode()) == rows


def test_semicolon_file_with_commas_inside_cells_keeps_them_in_the_cell():
    data = b"name;languages\nAmina;en, fr\nBo;de, it, es\n"
    assert cells(data) == [["name", "languages"], ["Amina", "en, fr"], ["Bo", "de, it, es"]]


def test_title_line_above_a_semicolon_header_does_not_fool_the_sniffer():
    data = b"Registrations\nname;email\nAmina;a@example.org\nBo;b@example.org\n"
    assert cells(data)[1] == ["name", "email"]


def test_row_numbers_count_blank_rows_and_multiline_cells_as_a_spreadsheet_does():
    data = b'name,notes\n\n"Amina","line one\nline two"\nBo,x\n'
    assert cells(data) == [["name", "notes"], [], ["Amina", "line one\nline two"], ["Bo", "x"]]


def test_cells_are_trimmed_and_nfc_normalised():
    decomposed = "Jose\u0301"
    assert cells(f"name\n  {decomposed}  \n".encode())[1] == ["José"]


def test_neutralised_formula_cells_read_back_without_their_quote():
    assert cells(b"name\n'=1+1\n'@x\n'plain\n")[1:] == [["=1+1"], ["@x"], ["'plain"]]


def test_unclosed_quote_is_an_error_naming_the_row():
    with pytest.raises(InputError, match=r"roster\.csv, row 3: .*quotation mark") as caught:
        read_table(b'name\nAmina\n"Bo,x\nCy\n', filename="roster.csv")
    assert caught.value.row == 3


@pytest.mark.parametrize("data", [b"", b"  \r\n \n"])
def test_empty_file_is_an_error_naming_row_one(data):
    with pytest.raises(InputError, match=r"roster\.csv, row 1: the file is empty"):
        read_table(data, filename="roster.csv")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), r"\.xls"),
        (bytes(range(1, 32)) * 20, "binary"),
    ],
)
def test_files_that_are_no_table_are_refused_with_advice(data, words):
    with pytest.raises(InputError, match=words) as caught:
        read_table(data, filename="upload.bin")
    assert "upload.bin" in str(caught.value)
    assert "Save it" in str(caught.value)


def test_utf16_bom_followed_by_broken_text_names_the_row():
    data = codecs.BOM_UTF16_LE + "name\r\nA\r\n".encode("utf-16-le") + b"\x00\xdc"
    with pytest.raises(InputError, match=r"row 3") as caught:
        read_table(data, filename="roster.txt")
    assert "UTF-16" in str(caught.value)


def test_xlsx_named_file_that_is_not_a_workbook_is_refused():
    with pytest.raises(InputError, match="not one"):
        read_table(b"name\nAmina\n", filename="roster.xlsx")


def test_damaged_workbook_is_refused_naming_the_file():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(InputError, match=r"roster\.xlsx: the file is not a readable Excel"):
        read_table(buffer.getvalue(), filename="roster.xlsx")


def test_truncated_workbook_is_refused():
    workbook = openpyxl.Workbook()
    workbook.active.append(["name"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(InputError, match="not a readable Excel workbook"):
        read_table(buffer.getvalue()[:300], filename="roster.xlsx")


def test_workbook_cells_become_text_and_rows_keep_their_sheet_numbers():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"], sheet["B1"] = "name", "id"
    sheet["A3"], sheet["B3"] = " Amina ", 7
    sheet["A4"], sheet["B4"] = "Bo", 7.5
    workbook.create_sheet("Notes")
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), filename="roster.xlsx")
    assert [list(row) for row in table.rows] == [
        ["name", "id"],
        ["", ""],
        ["Amina", "7"],
        ["Bo", "7.5"],
    ]
    assert "other sheets ignored: 'Notes'" in table.notes[0]
