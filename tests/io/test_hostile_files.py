"""Hostile files end in one clear `InputError` naming the file (and the row, where there
is one), in bounded time and memory: in the parsers, and through the console script.

The files come from tests/io/hostile_files.py. Time bounds are loose on purpose: they
catch a parser that hangs or unpacks a bomb, not a slow machine.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from pollinate.cli import main
from pollinate.errors import InputError
from pollinate.io.roster_file import read_roster
from pollinate.io.roster_table import MAX_COLUMNS, MAX_ROWS, read_table
from pollinate.io.session_file import load_session, parse_session_bytes
from tests.io import hostile_files
from tests.io.hostile_files import (
    HOSTILE_SESSIONS,
    JUNK,
    MIB,
    SHEET_HEAD,
    SHEET_TAIL,
    entity_bomb_workbook,
    long_csv,
    long_workbook,
    with_sheet,
    zip_bomb_workbook,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HANG = 20.0  # seconds; each case here takes well under a second or two


@contextmanager
def bounded(megabytes: float | None = None) -> Iterator[None]:
    """Fail when the block takes longer than `HANG`, or allocates over `megabytes` at peak."""
    started = time.monotonic()
    if megabytes is not None:
        tracemalloc.start()
    try:
        yield
    finally:
        peak = tracemalloc.get_traced_memory()[1] if megabytes is not None else 0
        if megabytes is not None:
            tracemalloc.stop()
        assert time.monotonic() - started < HANG
        assert megabytes is None or peak < megabytes * MIB, f"peak {peak / MIB:.0f} MB"


def refused(read: Callable[[], Any], *, megabytes: float | None = None) -> InputError:
    with bounded(megabytes), pytest.raises(InputError) as caught:
        read()
    return caught.value


# ── rosters ───────────────────────────────────────────────────────────────────────────


def test_a_zip_bomb_workbook_is_refused_before_a_byte_of_it_is_unpacked():
    data = zip_bomb_workbook()
    assert len(data) < 1 * MIB  # under a megabyte, unpacking to 256 MB
    error = refused(lambda: read_table(data, filename="roster.xlsx"), megabytes=16)
    assert error.file == "roster.xlsx"
    assert "would unpack to 255 MB, more than the 32 MB" in str(error)


def test_a_workbook_part_packed_far_tighter_than_a_spreadsheet_is_refused_as_a_bomb():
    data = zip_bomb_workbook(unpacked=4 * MIB)  # under the size limit, at about 300 to 1
    error = refused(lambda: read_table(data, filename="roster.xlsx"), megabytes=16)
    assert "xl/worksheets/sheet1.xml would unpack to" in str(error)
    assert "times its packed size" in str(error)


def test_a_sheet_of_nested_xml_entities_is_refused_not_expanded():
    # Expat (2.4 and later) stops expanding once the output passes 100 times the input,
    # beyond its first 8 MB: tens of megabytes at most, against 30 GB written out.
    data = entity_bomb_workbook()
    error = refused(lambda: read_table(data, filename="r.xlsx"), megabytes=128)
    assert "r.xlsx: the file is not a readable Excel workbook" in str(error)


def test_a_sheet_declaring_every_column_and_a_million_rows_reads_only_its_cells():
    declared = SHEET_HEAD.replace(b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>')
    cells = b'<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'
    cells += b'<row r="2"><c r="A2" t="inlineStr"><is><t>Amina</t></is></c></row>'
    with bounded(megabytes=64):
        table = read_table(with_sheet(declared + cells + SHEET_TAIL), filename="r.xlsx")
    assert [list(row) for row in table.rows] == [["name"], ["Amina"]]


def test_a_value_beyond_the_last_column_read_is_refused_naming_its_row():
    far = b'<row r="2"><c r="GS2" t="inlineStr"><is><t>x</t></is></c></row>'  # column 201
    head = b'<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'
    error = refused(
        lambda: read_table(with_sheet(SHEET_HEAD + head + far + SHEET_TAIL), filename="r.xlsx")
    )
    assert error.row == 2
    assert f"beyond column {MAX_COLUMNS}" in str(error)


@pytest.mark.parametrize(
    ("name", "make"), [("people.csv", long_csv), ("people.xlsx", long_workbook)]
)
def test_a_roster_of_200000_rows_is_refused_at_the_row_limit(name: str, make: Callable[[], bytes]):
    data = make()
    assert len(data) < 5 * MIB  # it passes the upload limit; the row limit stops it
    error = refused(lambda: read_table(data, filename=name))
    assert (error.file, error.row) == (name, MAX_ROWS + 1)
    assert "pollinate reads at most 25,000 rows" in str(error)


def test_a_100_mb_roster_on_disk_is_refused_without_being_read_whole(tmp_path: Path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.truncate(100 * MIB)  # sparse: no disk used, but 100 MB to read
    error = refused(lambda: read_roster(path), megabytes=16)
    assert str(path) in str(error)
    assert "larger than 5 MB" in str(error)


# ── session files ─────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("kind", list(HOSTILE_SESSIONS))
def test_a_hostile_session_file_is_refused_quickly_naming_the_file(kind: str):
    data, words = HOSTILE_SESSIONS[kind]
    error = refused(lambda: parse_session_bytes(data, file="cafe.yaml"))
    assert error.file == "cafe.yaml"
    assert words in str(error)


def test_a_100_mb_session_file_on_disk_is_refused_without_being_read_whole(tmp_path: Path):
    path = tmp_path / "session.yaml"
    with path.open("wb") as handle:
        handle.truncate(100 * MIB)
    error = refused(lambda: load_session(path), megabytes=16)
    assert str(path) in str(error)
    assert "larger than 256 KB" in str(error)


# ── the same files through the console script ─────────────────────────────────────────


def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str):
    """`pollinate ARGS` as the console script runs it: (exit status, standard error)."""
    monkeypatch.setattr(sys, "argv", ["pollinate", *args])
    with bounded(), pytest.raises(SystemExit) as exited:
        main()
    return exited.value.code, " ".join(capsys.readouterr().err.split())  # Rich wraps lines


HOSTILE_ROSTERS: dict[str, tuple[Callable[[], bytes], str]] = {
    "bomb.xlsx": (zip_bomb_workbook, "would unpack to 255 MB"),
    "people.csv": (long_csv, "goes on past row 25,000"),
    "people.xlsx": (long_workbook, "goes on past row 25,000"),
    "junk.csv": (lambda: JUNK, "looks like a binary file"),
    "junk.xlsx": (lambda: JUNK, "not one (it is not a ZIP archive)"),
    "damaged.xlsx": (lambda: b"PK\x03\x04" + JUNK, "not a readable Excel workbook"),
    "huge.csv": (lambda: JUNK * 100, "larger than 5 MB"),
}


@pytest.mark.parametrize("name", list(HOSTILE_ROSTERS))
def test_roster_check_on_a_hostile_file_says_why_and_exits_2(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    make, words = HOSTILE_ROSTERS[name]
    path = tmp_path / name
    path.write_bytes(make())
    status, said = run_cli(monkeypatch, capsys, "roster", "check", str(path))
    assert status == 2
    assert f"error: {path}" in said
    assert words in said
    assert "Traceback" not in said


@pytest.mark.parametrize("kind", list(HOSTILE_SESSIONS))
def test_plan_with_a_hostile_session_file_says_why_and_exits_2(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    data, words = HOSTILE_SESSIONS[kind]
    path = tmp_path / "session.yaml"
    path.write_bytes(data)
    roster = str(EXAMPLES / "roster-small.csv")
    status, said = run_cli(monkeypatch, capsys, "plan", roster, "--session", str(path))
    assert status == 2
    assert f"error: {path}" in said
    assert words in said


def test_the_hostile_files_are_what_they_claim():
    # A guard for the guards: the bomb really unpacks (CRC and all) to 256 MB of rows.
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(zip_bomb_workbook())) as archive:
        part = archive.getinfo(hostile_files.SHEET)
        assert part.file_size > 255 * MIB
        with archive.open(part) as sheet:
            assert sheet.read(1 * MIB).count(b"<row>") > 10_000
