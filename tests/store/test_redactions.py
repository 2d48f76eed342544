from __future__ import annotations

from datetime import timedelta

from pollinate.core.notes import Note
from pollinate.core.redact import RedactedSpan, SpanKind
from pollinate.store import redactions, repositories
from tests.conftest import Database
from tests.store.conftest import NOW

SPAN = RedactedSpan(0, 15, SpanKind.PERSON, "Hope Mensah")


def add_note(db: Database, session_id: str, round: int) -> str:
    note = Note(repositories.new_note_id(), round, "Table 1", "[a participant] spoke", NOW)
    with db.session.begin() as s:
        repositories.add_note(s, session_id, note, now=NOW)
        redactions.keep_spans(s, session_id, note.id, round=round, spans=[SPAN], now=NOW)
    return note.id


def test_spans_come_back_and_go_when_the_round_closes(db: Database, make_session):
    session_id = make_session()
    one, two = add_note(db, session_id, 1), add_note(db, session_id, 2)
    with db.session.begin() as s:
        assert redactions.spans_of(s, session_id, one) == (SPAN,)
        redactions.forget_closed(s, session_id, open_round=2)
    with db.session.begin() as s:
        assert redactions.spans_by_note(s, session_id, [one, two]) == {two: (SPAN,)}
        redactions.forget_closed(s, session_id, open_round=None)
        assert redactions.spans_of(s, session_id, two) == ()


def test_spans_older_than_the_limit_are_forgotten(db: Database, make_session):
    session_id = make_session()
    note = add_note(db, session_id, 1)
    with db.session.begin() as s:
        redactions.forget_older(s, before=NOW + timedelta(days=1))
        assert redactions.spans_of(s, session_id, note) == ()
