"""Which column of a roster holds what: the canonical columns and the headers we accept.

Headers are compared by `header_key`: case, spaces, underscores and punctuation do not
count, so "E-mail", "e_mail" and "EMAIL" are one header. `HEADER_ALIASES` is the list
`docs/roster.md` shows, and a test keeps the two in step.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pollinate.errors import InputError

CANONICAL_COLUMNS = (
    "id",
    "name",
    "email",
    "organization",
    "stakeholder_group",
    "region",
    "attendance",
    "languages",
    "role",
)

# Canonical column (or a name part) → headers that also mean it. Each column also
# answers to its own name.
HEADER_ALIASES: Mapping[str, tuple[str, ...]] = {
    "id": ("Participant ID", "Registration ID", "Registration number"),
    "name": ("Full name", "Participant name", "Display name"),
    "first_name": ("First name", "Given name", "Forename"),
    "last_name": ("Last name", "Surname", "Family name"),
    "email": ("E-mail", "Email address", "E-mail address", "Mail"),
    "organization": ("Organisation", "Affiliation", "Company", "Institution", "Employer"),
    "stakeholder_group": ("Stakeholder", "Sector", "Stakeholder type"),
    "region": ("UN region", "Regional group", "UN regional group"),
    "attendance": (
        "Participation",
        "In person/Online",
        "Onsite/Online",
        "Mode",
        "Participation mode",
    ),
    "languages": ("Language", "Language(s)", "Spoken languages"),
    "role": ("Session role",),
}

_HEADER_SEARCH_ROWS = 10  # a title or a note may sit above the header; not more


def header_key(text: str) -> str:
    """The form in which two spellings of one header compare equal ("E-mail" → "email")."""
    return "".join(c for c in unicodedata.normalize("NFC", text).casefold() if c.isalnum())


def _alias_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for column, aliases in HEADER_ALIASES.items():
        for alias in (column, *aliases):
            if index.setdefault(header_key(alias), column) != column:
                raise ValueError(f"header {alias!r} is listed for two columns")
    return index


_ALIASES = _alias_index()


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """Where each known column is (0-based index) and which headers were not understood."""

    columns: Mapping[str, int]
    ignored: tuple[str, ...] = ()

    @property
    def has_name(self) -> bool:
        """True when names can be read: a name column, or first/last name columns."""
        return any(part in self.columns for part in ("name", "first_name", "last_name"))


def map_header(cells: Sequence[str], *, file: str, row: int) -> ColumnMap:
    """Read a header row; InputError if two columns mean the same thing."""
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        if not cell:
            continue
        column = _ALIASES.get(header_key(cell))
        if column is None:
            ignored.append(cell)
        elif column in columns:
            first = columns[column]
            raise InputError(
                f"columns '{cells[first]}' ({column_letter(first)}) and '{cell}' "
                f"({column_letter(index)}) both hold {column.replace('_', ' ')}",
                file=file,
                row=row,
                field=cell,
                advice="Remove or rename one of them.",
            )
        else:
            columns[column] = index
    return ColumnMap(columns, tuple(ignored))


def find_header(rows: Sequence[Sequence[str]], *, file: str) -> tuple[int, ColumnMap]:
    """The 0-based index of the header row (the first with a name column) and its map."""
    filled = [i for i, cells in enumerate(rows) if any(cells)][:_HEADER_SEARCH_ROWS]
    if not filled:
        raise InputError(
            "the file has no rows with text",
            file=file,
            row=1,
            advice="Export the roster with a header row (name, email, …) and one row per person.",
        )
    for index in filled:
        column_map = map_header(rows[index], file=file, row=index + 1)
        if column_map.has_name:
            return index, column_map
    first = rows[filled[0]]
    shown = ", ".join(f"'{cell}'" for cell in first if cell)
    raise InputError(
        "no column holds the participants' names",
        file=file,
        row=filled[0] + 1,
        field="name",
        advice=(
            "Head the names column 'name' (or 'Full name', or 'First name' and 'Last name'); "
            f"the first row reads {shown}."
        ),
    )
