from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from pollinate.io.notes_export import (
    NoteRecord,
    json_record,
    notes_csv,
    notes_json,
    notes_json_chunks,
)

AT = datetime(2025, 6, 24, 9, 10, tzinfo=UTC)
RECORDS = [
    NoteRecord("n1", 1, "Table 1", "Trust is local, “mostly”.", AT),
    NoteRecord("n2", 2, "Room 1", '=HYPERLINK("https://evil.example")', AT),
    NoteRecord("n3", 2, "Room 1", "-1 for this\nand a second line", AT),
]


def test_json_is_exactly_id_round_table_text_created_at():
    notes = json.loads(notes_json(RECORDS))
    assert notes[0] == {
        "id": "n1",
        "round": 1,
        "table": "Table 1",
        "text": "Trust is local, “mostly”.",
        "created_at": "2025-06-24T09:10:00+00:00",
    }
    assert [list(note) for note in notes] == [["id", "round", "table", "text", "created_at"]] * 3
    assert "“mostly”" in notes_json(RECORDS)  # written as typed, so the leak check reads it


def test_csv_neutralises_formulas_and_keeps_line_breaks_inside_cells():
    text = notes_csv(RECORDS)
    assert text.startswith("\ufeffid,round,table,text,created_at\r\n")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[1]["text"] == '\'=HYPERLINK("https://evil.example")'
    assert rows[2]["text"] == "'-1 for this\nand a second line"
    assert rows[0]["round"] == "1"  # numbers we write are numbers, not neutralised
    assert [row["id"] for row in rows] == ["n1", "n2", "n3"]


def test_no_notes_give_an_empty_array_and_a_header_only():
    assert json.loads(notes_json([])) == []
    assert notes_csv([]) == "\ufeffid,round,table,text,created_at\r\n"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.builds(
            NoteRecord,
            id=st.text(min_size=1, max_size=8),
            round=st.integers(min_value=1, max_value=9),
            table=st.text(max_size=12),
            text=st.text(max_size=60),
            created_at=st.datetimes(timezones=st.just(UTC)),
        ),
        max_size=6,
    )
)
def test_json_written_record_by_record_is_the_indented_dump_of_them_all(records):
    whole = json.dumps([record.as_json() for record in records], ensure_ascii=False, indent=2)
    assert notes_json(records) == whole + "\n"
    parts = [json_record(record) for record in records]
    for per_chunk in (1, 2, 5):  # sent in pieces, the same bytes
        assert "".join(notes_json_chunks(parts, per_chunk)) == whole + "\n"
