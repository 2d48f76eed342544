"""Bytes of a roster file → rows of cell text, whatever program wrote the file.

    bytes ─▶ over 5 MB? refused
          ─┬─ starts with PK\\x03\\x04 ─▶ zip bomb? refused ─▶ XLSX (openpyxl, read-only,
           │                                                   first sheet)
           └─ otherwise ─▶ decode (BOM → UTF-8 / UTF-16 / UTF-32, else UTF-8,
                           else Windows-1252, else Latin-1) ─▶ sniff , ; or tab ─▶ CSV
          ─▶ rows, at most MAX_ROWS of them (and MAX_COLUMNS wide in a workbook)

Row i of `RosterTable.rows` is spreadsheet row i + 1, blank rows included, so every
message can name the row a person sees in their spreadsheet. Cells are NFC-normalised
and trimmed, and the quote `excel_safe` puts before a formula-like CSV cell is removed,
so what pollinate writes it reads back unchanged. Files that are no table at all (PDF,
images, old .xls) stop here with an `InputError`.

Hostile files stop here too, in bounded time and memory: a file over `MAX_FILE_BYTES`, a
workbook whose parts would unpack past `MAX_UNPACKED_BYTES` or `MAX_PACKING_RATIO` times
their packed size (a zip bomb: the sizes are the archive's own, read before openpyxl
opens it, and Python's zipfile never unpacks a part past its declared size), and any
table past `MAX_ROWS` rows. docs/roster.md states the limits.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from pollinate.errors import InputError
from pollinate.io.excel_safe import FORMULA_TRIGGERS

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and .doc) container
_BOMS = (  # UTF-32 first: its little-endian BOM begins with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DELIMITERS = ("\t", ";", ",")  # preferred in this order when the header cannot decide
_SNIFF_LINES = 20
_SAVE_AS = "Save it from your spreadsheet as CSV (UTF-8) or as an Excel workbook (.xlsx)."

MIB = 1024 * 1024
# The upload limit of the organizer's form (web/routes/organizer.py); a 20,000-person
# roster written by `pollinate roster generate` is 2.8 MB as CSV and 1.3 MB as XLSX.
MAX_FILE_BYTES = 5 * MIB
# Spreadsheet rows, the header and blank rows included: room for 20,000 people, far
# beyond the largest café, and still read in seconds.
MAX_ROWS = 25_000
# A workbook whose declared size is wider is read as wide as its cells reach, up to here.
MAX_COLUMNS = 200
# That 20,000-person workbook unpacks to 11.5 MB (its sheet XML is 11.5 MB packed to
# 1.25 MB, 9.2 times), and openpyxl reads about 5 MB of sheet XML a second here.
MAX_UNPACKED_BYTES = 32 * MIB
# Spreadsheet XML packs 5 to 20 times; Apache POI's zip-bomb guard refuses parts that
# unpack past 100 times (its minimum inflate ratio of 0.01). Small parts are exempt.
MAX_PACKING_RATIO = 100
_RATIO_EXEMPT_BYTES = 1 * MIB


@dataclass(frozen=True, slots=True)
class RosterTable:
    """Cell text by row (row i is spreadsheet row i + 1) and notes on how it was read."""

    rows: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...] = ()


def read_table(data: bytes, *, filename: str) -> RosterTable:
    """Read a CSV or XLSX roster into rows of trimmed text; InputError if it is neither."""
    if not data.strip():
        raise InputError(
            "the file is empty",
            file=filename,
            row=1,
            advice="Export the roster with a header row (name, email, …) and one row per person.",
        )
    if len(data) > MAX_FILE_BYTES:
        raise InputError(
            f"the file is larger than {MAX_FILE_BYTES // MIB} MB, more than a roster needs",
            file=filename,
            advice="Keep only the roster's own columns and rows; a roster of thousands of "
            "people is well under 1 MB.",
        )
    if data.startswith(_ZIP):
        return _read_xlsx(data, filename)
    _refuse_other_formats(data, filename)
    text, notes = _decode(data, filename)
    return RosterTable(_read_csv(text, filename), notes)


def _refuse_other_formats(data: bytes, filename: str) -> None:
    lower = filename.lower()
    if data.startswith(_OLE2):
        raise InputError(
            "this is an old-style Excel (.xls) file, which pollinate cannot read",
            file=filename,
            advice=_SAVE_AS,
        )
    if lower.endswith((".xlsx", ".xlsm")):
        raise InputError(
            "the file is named like an Excel workbook but is not one (it is not a ZIP archive)",
            file=filename,
            advice=_SAVE_AS,
        )
    if data.startswith(b"%PDF-"):
        raise InputError("this is a PDF, not a table", file=filename, advice=_SAVE_AS)


def _decode(data: bytes, filename: str) -> tuple[str, tuple[str, ...]]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode_strictly(data, encoding, filename), ()
    if b"\x00" in data:
        # Text exports never contain NUL without a UTF-16/32 BOM; images, archives and
        # executables nearly always do.
        raise InputError("this looks like a binary file, not a CSV", file=filename, advice=_SAVE_AS)
    notes: tuple[str, ...] = ()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV (Comma delimited)" in the system code page, which in
        # Western Europe and the Americas is Windows-1252; Latin-1 decodes any other bytes.
        try:
            text, label = data.decode("cp1252"), "Windows-1252"
        except UnicodeDecodeError:
            text, label = data.decode("latin-1"), "Latin-1"
        notes = (
            f"the file is not UTF-8; read it as {label}. If names look wrong, "
            "save the roster as CSV UTF-8",
        )
    _refuse_control_characters(text, filename)
    return text, notes


def _decode_strictly(data: bytes, encoding: str, filename: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        row = data[: error.start].decode(encoding, errors="replace").count("\n") + 1
        raise InputError(
            f"the file starts like {encoding.upper()} text but byte {error.start} is not",
            file=filename,
            row=row,
            advice=_SAVE_AS,
        ) from None
    _refuse_control_characters(text, filename)
    return text


def _refuse_control_characters(text: str, filename: str) -> None:
    sample = text[:8192]
    controls = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\t\r\n")
    # A stray control character in a cell is harmless; text that is more than 1 %
    # control characters is a binary file that happened to decode.
    if controls * 100 > len(sample):
        raise InputError("this looks like a binary file, not a CSV", file=filename, advice=_SAVE_AS)


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits most of the first lines into the same number (> 1) of cells.

    Judging by the header alone fails when a title sits above it; judging by agreement
    alone prefers a delimiter that splits nothing, hence "the same number, above one".
    """
    lines = [line for line in text.splitlines() if line.strip()][:_SNIFF_LINES]

    def score(delimiter: str) -> tuple[bool, int, int, int]:
        widths = Counter(len(row) for row in csv.reader(lines, delimiter=delimiter))
        width, count = widths.most_common(1)[0] if widths else (1, 0)
        return width > 1, count, width, -_DELIMITERS.index(delimiter)

    return max(_DELIMITERS, key=score)


def _read_csv(text: str, filename: str) -> tuple[tuple[str, ...], ...]:
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[str, ...]] = []
    try:
        for record in reader:
            if len(rows) == MAX_ROWS:
                raise _too_many_rows(filename)
            rows.append(tuple(_clean(_formula_text(cell)) for cell in record))
    except csv.Error as error:
        raise InputError(
            f"the CSV cannot be read here ({error})",
            file=filename,
            row=len(rows) + 1,
            advice="Check for a quotation mark that is opened but never closed.",
        ) from None
    return tuple(rows)


def _too_many_rows(filename: str) -> InputError:
    return InputError(
        f"the roster goes on past row {MAX_ROWS:,}; pollinate reads at most {MAX_ROWS:,} rows",
        file=filename,
        row=MAX_ROWS + 1,
        advice="Delete the empty or unrelated rows below the last person, or split the "
        "people over several sessions.",
    )


def _refuse_zip_bombs(data: bytes, filename: str) -> None:
    """Refuse a workbook whose parts would unpack to far more than any roster needs."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = archive.infolist()
    advice = "Save the roster again from your spreadsheet, or as CSV (UTF-8)."
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED_BYTES:
        raise InputError(
            f"the workbook would unpack to {unpacked // MIB:,} MB, more than the "
            f"{MAX_UNPACKED_BYTES // MIB} MB pollinate opens",
            file=filename,
            advice=advice,
        )
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > _RATIO_EXEMPT_BYTES and ratio > MAX_PACKING_RATIO:
            raise InputError(
                f"the workbook's part {part.filename} would unpack to {ratio:,.0f} times its "
                f"packed size; spreadsheets pack 5 to 20 times, zip bombs far more",
                file=filename,
                advice=advice,
            )


def _read_xlsx(data: bytes, filename: str) -> RosterTable:
    try:
        _refuse_zip_bombs(data, filename)
        # openpyxl warns about workbook features it drops (data validation, conditional
        # formats); a roster needs none of them, and pytest turns warnings into errors.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import openpyxl  # here: ~40 MB a web worker needs only for an upload

            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                # Read-only openpyxl pads every row to the sheet's declared size; a tiny
                # file can declare 16,384 columns and a million rows. Past the limits the
                # declaration goes, and rows are as wide as their cells reach.
                if (sheet.max_column or 0) > MAX_COLUMNS or (sheet.max_row or 0) > MAX_ROWS:
                    sheet.reset_dimensions()
                rows = _sheet_rows(sheet.iter_rows(min_row=1, values_only=True), filename)
                names = list(workbook.sheetnames)
            finally:
                workbook.close()
    except InputError:
        raise
    # openpyxl reports damage with whatever its zip or XML layer raised (BadZipFile,
    # KeyError for a missing part, ParseError, ValueError, TypeError), so take them all.
    except Exception as error:
        raise InputError(
            f"the file is not a readable Excel workbook ({type(error).__name__}: {error})",
            file=filename,
            advice=_SAVE_AS,
        ) from None
    notes: tuple[str, ...] = ()
    if len(names) > 1:
        others = ", ".join(f"'{name}'" for name in names[1:])
        notes = (f"read the first sheet '{names[0]}'; other sheets ignored: {others}",)
    return RosterTable(rows, notes)


def _sheet_rows(records: Iterable[Sequence[object]], filename: str) -> tuple[tuple[str, ...], ...]:
    rows: list[tuple[str, ...]] = []
    for record in records:
        if len(rows) == MAX_ROWS:
            raise _too_many_rows(filename)
        if len(record) > MAX_COLUMNS:
            beyond = list(record[MAX_COLUMNS:])
            if beyond.count(None) + beyond.count("") < len(beyond):  # C speed on wide rows
                raise InputError(
                    f"a cell beyond column {MAX_COLUMNS} has a value; pollinate reads at most "
                    f"{MAX_COLUMNS} columns",
                    file=filename,
                    row=len(rows) + 1,
                    advice="Delete the columns the roster does not need.",
                )
            record = record[:MAX_COLUMNS]
        rows.append(tuple("" if value is None else _clean(_cell_text(value)) for value in record))
    return tuple(rows)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # ids typed as numbers: 7.0 means "7"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _formula_text(cell: str) -> str:
    """Undo `excel_safe.neutralise`: a quote before a formula trigger is ours, not theirs."""
    if cell.startswith("'") and cell[1:].startswith(FORMULA_TRIGGERS):
        return cell[1:]
    return cell


def _clean(cell: str) -> str:
    # A second BOM appears inside cells when exported files are concatenated.
    return unicodedata.normalize("NFC", cell.replace("\ufeff", "")).strip()
