"""Bytes of a roster file → rows of cell text, whatever program wrote the file.

    bytes ─┬─ starts with PK\\x03\\x04 ─▶ XLSX (openpyxl, read-only, first sheet)
           └─ otherwise ─▶ decode (BOM → UTF-8 / UTF-16 / UTF-32, else UTF-8,
                           else Windows-1252, else Latin-1) ─▶ sniff , ; or tab ─▶ CSV

Row i of `RosterTable.rows` is spreadsheet row i + 1, blank rows included, so every
message can name the row a person sees in their spreadsheet. Cells are NFC-normalised
and trimmed, and the quote `excel_safe` puts before a formula-like CSV cell is removed,
so what pollinate writes it reads back unchanged. Files that are no table at all (PDF,
images, old .xls) stop here with an `InputError`.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
import warnings
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time

import openpyxl

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
        rows.extend(tuple(_clean(_formula_text(cell)) for cell in record) for record in reader)
    except csv.Error as error:
        raise InputError(
            f"the CSV cannot be read here ({error})",
            file=filename,
            row=len(rows) + 1,
            advice="Check for a quotation mark that is opened but never closed.",
        ) from None
    return tuple(rows)


def _read_xlsx(data: bytes, filename: str) -> RosterTable:
    try:
        # openpyxl warns about workbook features it drops (data validation, conditional
        # formats); a roster needs none of them, and pytest turns warnings into errors.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                rows = tuple(
                    tuple(_clean(_cell_text(value)) for value in record)
                    for record in sheet.iter_rows(min_row=1, values_only=True)
                )
                names = list(workbook.sheetnames)
            finally:
                workbook.close()
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
