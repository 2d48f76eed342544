"""The undo spans of redacted notes: short-lived, one row per note, never anywhere else.

    accept_note / change_note ─▶ keep_spans(note, spans)      (only when something was replaced)
    host restores span i ─▶ spans_of ─▶ Redaction.undo(i) ─▶ keep_spans(rest) or forget_note
    round closes ─▶ forget_closed(open_round)   ·   upkeep ─▶ forget_older(than a day)

A span's `original` is personal data (core/redact.py, `RedactedSpan`); it is read here
only to give it back to the host of the note's table (actions/redaction.py). Like every
store function these take the caller's `Session` and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from pollinate.core.redact import RedactedSpan, SpanKind
from pollinate.store.tables import NoteRedactionRow


def _span_json(span: RedactedSpan) -> dict[str, object]:
    return {
        "start": span.start,
        "end": span.end,
        "kind": span.kind.value,
        "original": span.original,
    }


def _span(document: dict[str, object]) -> RedactedSpan:
    return RedactedSpan(
        int(str(document["start"])),
        int(str(document["end"])),
        SpanKind(str(document["kind"])),
        str(document["original"]),
    )


def keep_spans(
    db: Session,
    session_id: str,
    note_id: str,
    *,
    round: int,
    spans: Sequence[RedactedSpan],
    now: datetime,
) -> None:
    """Make the note's undo spans exactly `spans`; none deletes its row."""
    row = db.get(NoteRedactionRow, note_id)
    if not spans:
        if row is not None:
            db.delete(row)
            db.flush()
        return
    documents = [_span_json(span) for span in spans]
    if row is None:
        keep_new_spans(db, session_id, [(note_id, round, spans, now)])
        return
    row.spans_json = documents
    db.flush()


def keep_new_spans(
    db: Session,
    session_id: str,
    notes: Sequence[tuple[str, int, Sequence[RedactedSpan], datetime]],
) -> None:
    """Keep the undo spans of new notes, `(note id, round, spans, now)` each, in one
    statement; notes without spans are left out (no row)."""
    rows = [
        {
            "note_id": note_id,
            "session_id": session_id,
            "round": round,
            "spans_json": [_span_json(span) for span in spans],
            "created_at": now,
        }
        for note_id, round, spans, now in notes
        if spans
    ]
    if rows:
        db.execute(insert(NoteRedactionRow), rows)


def spans_of(db: Session, session_id: str, note_id: str) -> tuple[RedactedSpan, ...]:
    """The note's undo spans in placeholder order; empty when there is nothing to undo."""
    row = db.get(NoteRedactionRow, note_id, populate_existing=True)
    if row is None or row.session_id != session_id:
        return ()
    return tuple(_span(document) for document in row.spans_json)


def spans_by_note(
    db: Session, session_id: str, note_ids: Iterable[str]
) -> dict[str, tuple[RedactedSpan, ...]]:
    """Undo spans of several notes (a host page's), by note id; notes without are absent."""
    wanted = list(note_ids)
    if not wanted:
        return {}
    rows = db.scalars(
        select(NoteRedactionRow).where(
            NoteRedactionRow.session_id == session_id, NoteRedactionRow.note_id.in_(wanted)
        )
    )
    return {row.note_id: tuple(_span(d) for d in row.spans_json) for row in rows}


def forget_note(db: Session, session_id: str, note_id: str) -> None:
    """Drop the note's undo spans (the host kept the placeholders, or withdrew the note)."""
    db.execute(
        delete(NoteRedactionRow).where(
            NoteRedactionRow.session_id == session_id, NoteRedactionRow.note_id == note_id
        ),
        execution_options={"synchronize_session": False},
    )


def forget_closed(db: Session, session_id: str, *, open_round: int | None) -> None:
    """Drop the spans of every note whose round is no longer open (all when none is)."""
    statement = delete(NoteRedactionRow).where(NoteRedactionRow.session_id == session_id)
    if open_round is not None:
        statement = statement.where(NoteRedactionRow.round != open_round)
    db.execute(statement, execution_options={"synchronize_session": False})


def forget_older(db: Session, *, before: datetime) -> None:
    """Drop spans kept since before `before`, whatever their session is doing."""
    db.execute(
        delete(NoteRedactionRow).where(NoteRedactionRow.created_at < before),
        execution_options={"synchronize_session": False},
    )
