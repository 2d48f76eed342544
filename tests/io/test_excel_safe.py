import csv
import io
from pathlib import Path

import pytest

from pollinate.io.excel_safe import cell_text, neutralise, would_neutralise, write_csv


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r", "\0"])
def test_cell_starting_with_a_formula_trigger_gets_a_leading_quote(trigger):
    assert neutralise(f"{trigger}HYPERLINK(1)") == f"'{trigger}HYPERLINK(1)"
    assert would_neutralise(f"{trigger}x")


@pytest.mark.parametrize("text", ["Amina", "José Álvarez", "a=b", "x-y", "", "'quoted", " =1"])
def test_cell_without_a_leading_trigger_is_left_alone(text):
    assert neutralise(text) == text
    assert not would_neutralise(text)


def test_numbers_and_booleans_are_written_as_values_not_neutralised():
    assert [cell_text(v) for v in (-3, 2, 0.5, True, False, None)] == [
        "-3", "2", "0.5", "true", "false", "",
    ]  # fmt: skip


def read_back(path: Path, encoding: str = "utf-8") -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding=encoding), newline="")))


def test_written_csv_neutralises_every_text_cell_and_keeps_commas_and_newlines(tmp_path):
    path = tmp_path / "out.csv"
    count = write_csv(
        path,
        ("id", "name"),
        [("=1+1", "Smith, Jane"), ("p2", "two\nlines"), ("@SUM(A1)", '"quoted"')],
        bom=False,
    )
    assert count == 3
    assert read_back(path) == [
        ["id", "name"],
        ["'=1+1", "Smith, Jane"],
        ["p2", "two\nlines"],
        ["'@SUM(A1)", '"quoted"'],
    ]


def test_bom_is_written_only_when_asked(tmp_path):
    with_bom, without = tmp_path / "a.csv", tmp_path / "b.csv"
    write_csv(with_bom, ("name",), [("José",)], bom=True)
    write_csv(without, ("name",), [("José",)], bom=False)
    assert with_bom.read_bytes().startswith(b"\xef\xbb\xbfname")
    assert without.read_bytes() == "name\r\nJosé\r\n".encode()
