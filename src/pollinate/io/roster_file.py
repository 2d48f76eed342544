"""The one roster parser: a CSV or XLSX file people bring becomes a `Roster`.

    bytes ─read_table()─▶ rows of text ─find_header()─▶ column map
          ─_read_row()─▶ one draft per person ─_merge_same_email()─▶ drafts
          ─_assign_ids()─▶ Roster  (+ warnings for everything kept, dropped or guessed)

Fatal problems (no name column, no people, repeated ids, a file that is no table)
raise `InputError`; everything else becomes a `RosterProblem` in `RosterImport.warnings`
so the organiser sees it and the import still succeeds. Row numbers are the spreadsheet
rows a person sees: the header is row 1 in a file that starts with it.

`write_roster` writes the canonical columns (CSV or XLSX) so that reading the file back
gives the same roster; a plan's `roster.csv` relies on that for `pollinate replan`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pollinate.core.roster import Attendance, Participant, Roster
from pollinate.core.roster_vocabulary import (
    normalise_attendance,
    normalise_host_role,
    normalise_languages,
    normalise_region,
    normalise_stakeholder_group,
)
from pollinate.errors import InputError
from pollinate.io.excel_safe import write_csv
from pollinate.io.roster_columns import CANONICAL_COLUMNS, ColumnMap, column_letter, find_header
from pollinate.io.roster_table import MAX_FILE_BYTES, read_table

# Deliberately loose: a roster is not the place to enforce RFC 5322, only to catch
# cells that are plainly not an address (a name, a phone number, "n/a").
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_ROWS_LISTED = 5  # a warning about one value names at most this many rows


@dataclass(frozen=True, slots=True)
class RosterProblem:
    """Something in a roster that pollinate read around; `row` is the spreadsheet row."""

    row: int | None
    field: str | None
    message: str
    file: str | None = None

    def __str__(self) -> str:
        where = [self.file] if self.file else []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field:
            where.append(f"field '{self.field}'")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass(frozen=True, slots=True)
class RosterImport:
    """A roster and the warnings its file raised, first row first."""

    roster: Roster
    warnings: tuple[RosterProblem, ...] = ()


@dataclass(slots=True)
class _Draft:
    """One person while rows are merged; None means "the roster did not say"."""

    row: int
    name: str
    id: str | None = None
    email: str | None = None
    organization: str | None = None
    stakeholder_group: str | None = None
    region: str | None = None
    attendance: Attendance | None = None
    languages: tuple[str, ...] = ()
    is_host: bool | None = None


@dataclass(slots=True)
class _Reading:
    """What one file's rows have said so far, for warnings that list a value once."""

    file: str
    headers: dict[str, str] = field(default_factory=dict)  # column → header as written
    problems: list[RosterProblem] = field(default_factory=list)
    unknown: dict[str, dict[str, list[int]]] = field(default_factory=dict)

    def warn(self, row: int | None, column: str | None, message: str) -> None:
        """Record a warning; the field is named by the file's own header for `column`."""
        shown = self.headers.get(column, column) if column else None
        self.problems.append(RosterProblem(row, shown, message, self.file))

    def note_unknown(self, column: str, value: str, row: int) -> None:
        self.unknown.setdefault(column, {}).setdefault(value, []).append(row)


_UNKNOWN_MESSAGES = {
    "stakeholder_group": "stakeholder group not recognised, kept as written",
    "region": "region not recognised (not one of the five UN regional groups), kept as written",
    "attendance": "attendance not recognised, read as onsite",
    "role": "role not recognised, ignored (only host roles change anything)",
}


def read_roster(path: Path) -> RosterImport:
    """Read a roster file from disk; InputError names the file if it cannot be opened."""
    try:
        with path.open("rb") as handle:
            # One byte past the limit is enough for read_table to refuse the file, and a
            # 100 MB file (or /dev/zero) is never read whole.
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise InputError(
            f"cannot read the file ({error.strerror or error})",
            file=str(path),
            advice="Check the path and that the file is readable.",
        ) from None
    return parse_roster(data, filename=str(path))


def parse_roster(data: bytes, *, filename: str) -> RosterImport:
    """Parse a CSV or XLSX roster given as bytes (an upload); `filename` names it in messages."""
    table = read_table(data, filename=filename)
    reading = _Reading(filename)
    for note in table.notes:
        reading.warn(None, None, note)
    header_index, column_map = find_header(table.rows, file=filename)
    header = table.rows[header_index]
    reading.headers = {column: header[i] for column, i in column_map.columns.items()}
    _warn_about_header(reading, table.rows, header_index, column_map)
    drafts = _read_rows(reading, table.rows, header_index, column_map)
    drafts = _merge_same_email(reading, drafts)
    participants = _assign_ids(drafts, reading)
    _warn_about_unknown_values(reading)
    warnings = sorted(reading.problems, key=lambda p: p.row or 0)
    return RosterImport(Roster(participants), tuple(warnings))


def _warn_about_header(
    reading: _Reading, rows: Sequence[Sequence[str]], header_index: int, column_map: ColumnMap
) -> None:
    above = [i + 1 for i in range(header_index) if any(rows[i])]
    if above:
        listed = ", ".join(str(r) for r in above)
        reading.warn(above[0], None, f"rows above the header row ignored: {listed}")
    if column_map.ignored:
        listed = ", ".join(f"'{header}'" for header in column_map.ignored)
        reading.warn(header_index + 1, None, f"columns not recognised, ignored: {listed}")
    width = len(rows[header_index])
    headless = {
        index
        for cells in rows[header_index + 1 :]
        for index, cell in enumerate(cells)
        if cell and (index >= width or not rows[header_index][index])
    }
    if headless:
        letters = ", ".join(column_letter(i) for i in sorted(headless))
        reading.warn(
            header_index + 1, None, f"columns with values but no header, ignored: {letters}"
        )


def _read_rows(
    reading: _Reading, rows: Sequence[Sequence[str]], header_index: int, column_map: ColumnMap
) -> list[_Draft]:
    drafts: list[_Draft] = []
    nameless: list[int] = []
    for index in range(header_index + 1, len(rows)):
        cells = rows[index]
        if not any(cells):
            continue  # blank rows are layout, not data
        draft = _read_row(reading, index + 1, _cells_by_column(cells, column_map.columns))
        if draft is None:
            nameless.append(index + 1)
        else:
            drafts.append(draft)
    if not drafts:
        raise InputError(
            "no row has a name" if nameless else "there are no participants below the header",
            file=reading.file,
            row=nameless[0] if nameless else header_index + 2,
            field=reading.headers.get("name", "name") if nameless else None,
            advice="Add one row per participant with at least their name.",
        )
    return drafts


def _cells_by_column(cells: Sequence[str], columns: Mapping[str, int]) -> dict[str, str]:
    return {column: cells[i] if i < len(cells) else "" for column, i in columns.items()}


def _read_row(reading: _Reading, row: int, cells: Mapping[str, str]) -> _Draft | None:
    name = cells.get("name") or " ".join(
        part for part in (cells.get("first_name", ""), cells.get("last_name", "")) if part
    )
    if not name:
        reading.warn(row, "name", "row has no name; skipped")
        return None
    draft = _Draft(row, " ".join(name.split()), id=cells.get("id") or None)
    draft.organization = cells.get("organization") or None
    if email := cells.get("email"):
        if _EMAIL.fullmatch(email):
            draft.email = email
        else:
            reading.warn(row, "email", f"'{email}' is not an email address; dropped")
    if group := cells.get("stakeholder_group"):
        known_group = normalise_stakeholder_group(group)
        draft.stakeholder_group = known_group.value if known_group else group
        if known_group is None:
            reading.note_unknown("stakeholder_group", group, row)
    if region := cells.get("region"):
        known_region = normalise_region(region)
        draft.region = known_region.value if known_region else region
        if known_region is None:
            reading.note_unknown("region", region, row)
    if attendance := cells.get("attendance"):
        draft.attendance = normalise_attendance(attendance)
        if draft.attendance is None:
            reading.note_unknown("attendance", attendance, row)
    if role := cells.get("role"):
        draft.is_host = normalise_host_role(role)
        if draft.is_host is None:
            reading.note_unknown("role", role, row)
    draft.languages = normalise_languages(cells.get("languages", ""))
    return draft


def _merge_same_email(reading: _Reading, drafts: Iterable[_Draft]) -> list[_Draft]:
    """One draft per email address: the first row wins, later rows only fill its gaps."""
    kept: list[_Draft] = []
    by_email: dict[str, _Draft] = {}
    for draft in drafts:
        first = by_email.get(draft.email.casefold()) if draft.email else None
        if first is None:
            kept.append(draft)
            if draft.email:
                by_email[draft.email.casefold()] = draft
            continue
        message = f"same email as row {first.row} ({draft.email}); merged into row {first.row}"
        if draft.name.casefold() != first.name.casefold():
            message += f" although the names differ ('{first.name}', '{draft.name}')"
        if draft.id and first.id and draft.id != first.id:
            message += f"; this row's id '{draft.id}' is dropped"
        reading.warn(draft.row, "email", message)
        for gap in ("id", "organization", "stakeholder_group", "region", "attendance", "is_host"):
            if getattr(first, gap) is None:
                setattr(first, gap, getattr(draft, gap))
        first.languages = first.languages or draft.languages
    return kept


def _assign_ids(drafts: Sequence[_Draft], reading: _Reading) -> tuple[Participant, ...]:
    """Participants with the roster's own ids, and stable generated ids for the rest."""
    used: dict[str, int] = {}
    for draft in drafts:
        if draft.id is None:
            continue
        if draft.id in used:
            raise InputError(
                f"id '{draft.id}' is already used by row {used[draft.id]}",
                file=reading.file,
                row=draft.row,
                field=reading.headers.get("id", "id"),
                advice="Give every participant their own id, or leave the id column empty "
                "so that pollinate generates ids.",
            )
        used[draft.id] = draft.row
    participants: list[Participant] = []
    for draft in drafts:
        participant_id = draft.id or _generated_id(draft, used)
        used[participant_id] = draft.row
        participants.append(_participant(draft, participant_id))
    return tuple(participants)


def _generated_id(draft: _Draft, used: Mapping[str, int]) -> str:
    # The same name and email always hash to the same id, so re-importing a file (or a
    # corrected copy of it) keeps plans and links; a suffix separates namesakes in file order.
    text = f"{draft.name.casefold()}\n{(draft.email or '').casefold()}"
    base = "p-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
    candidate, suffix = base, 2
    while candidate in used:
        candidate, suffix = f"{base}-{suffix}", suffix + 1
    return candidate


def _participant(draft: _Draft, participant_id: str) -> Participant:
    return Participant(
        id=participant_id,
        name=draft.name,
        email=draft.email,
        organization=draft.organization,
        stakeholder_group=draft.stakeholder_group,
        region=draft.region,
        attendance=draft.attendance or Attendance.ONSITE,
        languages=draft.languages,
        is_host=bool(draft.is_host),
    )


def _warn_about_unknown_values(reading: _Reading) -> None:
    for column, values in reading.unknown.items():
        first_row = min(rows[0] for rows in values.values())
        listed = "; ".join(f"'{value}' ({_rows_text(rows)})" for value, rows in values.items())
        reading.warn(first_row, column, f"{_UNKNOWN_MESSAGES[column]}: {listed}")


def _rows_text(rows: Sequence[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:_ROWS_LISTED])
    more = f" and {len(rows) - _ROWS_LISTED} more" if len(rows) > _ROWS_LISTED else ""
    return f"{'row' if len(rows) == 1 else 'rows'} {shown}{more}"


# ── writing ───────────────────────────────────────────────────────────────────────────


def roster_rows(roster: Roster) -> list[list[str]]:
    """The roster as rows of text in `CANONICAL_COLUMNS` order, without the header."""
    return [
        [
            p.id,
            p.name,
            p.email or "",
            p.organization or "",
            p.stakeholder_group or "",
            p.region or "",
            p.attendance.value,
            "; ".join(p.languages),
            "host" if p.is_host else "",
        ]
        for p in roster
    ]


def write_roster_csv(roster: Roster, path: Path) -> None:
    """Write the roster as comma-separated UTF-8 in the canonical columns.

    It goes through the Excel-safe writer: a byte order mark so Excel shows accented
    and non-Latin names, and a quote before cells a spreadsheet would run as formulas,
    which `read_roster` removes again.
    """
    write_csv(path, CANONICAL_COLUMNS, roster_rows(roster), bom=True)


def write_roster_xlsx(roster: Roster, path: Path) -> None:
    """Write the roster as an Excel workbook with one sheet in the canonical columns."""
    import openpyxl  # here: a web worker that never writes a workbook need not load it

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Roster")
    sheet.append(list(CANONICAL_COLUMNS))
    for row in roster_rows(roster):
        sheet.append([_text_cell(sheet, value) for value in row])
    workbook.save(path)


def _text_cell(sheet: object, value: str) -> object:
    # openpyxl stores any string starting with "=" as a formula; a name such as
    # "=HYPERLINK(...)" must stay text (spreadsheet formula injection, OWASP CSV guidance).
    # Control characters other than tab and newline are illegal in XLSX's XML and would
    # stop the save, so a stray one from an imported cell is dropped.
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell


def write_roster(roster: Roster, path: Path) -> None:
    """Write an XLSX workbook when `path` ends in .xlsx, a CSV file otherwise."""
    try:
        if path.suffix.lower() == ".xlsx":
            write_roster_xlsx(roster, path)
        else:
            write_roster_csv(roster, path)
    except OSError as error:
        raise InputError(
            f"cannot write the file ({error.strerror or error})",
            file=str(path),
            advice="Check that its folder exists and that you may write there.",
        ) from None
