"""The outbox reads and erasures the live app added (outbox.latest_of_type, erase_note_text)."""

from __future__ import annotations

from datetime import UTC, datetime

from pollinate.store import outbox, repositories
from tests.conftest import Database

NOW = datetime(2025, 6, 24, 9, 0, tzinfo=UTC)


def test_latest_of_type_gives_the_newest_few_oldest_first(db: Database, make_session):
    session_id = make_session()
    with db.session.begin() as s:
        for n in range(5):
            outbox.append(s, session_id, "broadcast.sent", {"message": f"m{n}"}, now=NOW)
            outbox.append(s, session_id, "timer.paused", {"n": n}, now=NOW)
    with db.session.begin() as s:
        newest = outbox.latest_of_type(s, session_id, "broadcast.sent", limit=3)
    assert [event.payload["message"] for event in newest] == ["m2", "m3", "m4"]


def test_erasing_a_notes_text_blanks_only_that_notes_events(db: Database, make_session):
    session_id = make_session()
    with db.session.begin() as s:
        outbox.append(s, session_id, "note.added", {"note_id": "a", "text": "Secret"}, now=NOW)
        outbox.append(s, session_id, "note.edited", {"note_id": "a", "text": "Secret!"}, now=NOW)
        outbox.append(s, session_id, "note.added", {"note_id": "b", "text": "Keep"}, now=NOW)
    with db.session.begin() as s:
        assert outbox.erase_note_text(s, session_id, "a") == 2
    with db.session.begin() as s:
        texts = [(e.payload["note_id"], e.payload["text"]) for e in outbox.since(s, session_id, 0)]
    assert texts == [("a", ""), ("a", ""), ("b", "Keep")]


def test_every_session_is_listed(db: Database, make_session):
    first, second = make_session(), make_session()
    with db.session.begin() as s:
        listed = [stored.id for stored in repositories.list_sessions(s)]
    assert first in listed
    assert second in listed
