"""A session's notes as CSV and JSON for further analysis: `[{"id", "round", "table",
"text", "created_at"}]`, one record per note, oldest first.

Nothing about who wrote a note exists to export (core/notes.py). The texts arrive here
redacted and leak-checked (actions/note_exports.py); this module only writes them down.
CSV cells go through `excel_safe.cell_text`, so a note starting with "=" stays text in
a spreadsheet, and the file starts with a byte order mark for Excel (excel_safe.py says
why).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from pollinate.io.excel_safe import cell_text

FIELDS = ("id", "round", "table", "text", "created_at")
"""The record's keys, in the order of the JSON objects and the CSV columns."""


@dataclass(frozen=True, slots=True)
class NoteRecord:
    """One exported note; `text` is redacted, `created_at` is when the host took it."""

    id: str
    round: int
    table: str
    text: str
    created_at: datetime

    def as_json(self) -> dict[str, str | int]:
        """The record as the API and `--format json` give it (time in ISO 8601, UTC)."""
        return {
            "id": self.id,
            "round": self.round,
            "table": self.table,
            "text": self.text,
            "created_at": self.created_at.isoformat(),
        }


def notes_json(records: Sequence[NoteRecord]) -> str:
    """A JSON array of the records; non-ASCII text is kept as written, not escaped."""
    return notes_json_of([json_record(record) for record in records])


def json_record(record: NoteRecord) -> str:
    """One record as it stands in `notes_json`'s array: `{…}`, indented by two spaces."""
    # A "\n" in the dump is always its own (JSON escapes those in strings); textwrap's
    # indent would also break at U+2028 and other line separators that JSON leaves be.
    return "  " + json.dumps(record.as_json(), ensure_ascii=False, indent=2).replace("\n", "\n  ")


def notes_json_of(parts: Sequence[str]) -> str:
    """The array of records already written by `json_record`: the same text as
    json.dumps(all of them, indent=2), written record by record. With an indent, json.dumps
    takes its pure-Python path and held 12 MB at once for the 2 MB text of 8,000 notes
    (tracemalloc), the transient of every read-back in bench/live.py."""
    return "".join(notes_json_chunks(parts))


def notes_json_chunks(parts: Sequence[str], per_chunk: int = 200) -> Iterator[str]:
    """`notes_json_of(parts)` in pieces of `per_chunk` records, to send as they are made."""
    if not parts:
        yield "[]\n"
        return
    yield JSON_BEFORE
    for start in range(0, len(parts), per_chunk):
        if start:
            yield JSON_BETWEEN
        yield JSON_BETWEEN.join(parts[start : start + per_chunk])
    yield "\n]\n"


JSON_BEFORE = "[\n"  # what comes before the first record of `notes_json_of`
JSON_BETWEEN = ",\n"  # and between two records


def notes_csv(records: Sequence[NoteRecord]) -> str:
    """Excel-safe CSV (RFC 4180, CRLF line ends) with a header row and a leading BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(FIELDS)
    for record in records:
        writer.writerow(cell_text(value) for value in _values(record))
    return "\ufeff" + buffer.getvalue()


def _values(record: NoteRecord) -> tuple[str | int, ...]:
    return (record.id, record.round, record.table, record.text, record.created_at.isoformat())
