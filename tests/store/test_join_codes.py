from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from pollinate.store import join_codes
from tests.conftest import Database

NOW = datetime(2025, 6, 24, 9, 0, tzinfo=UTC)


def test_a_join_code_is_six_unambiguous_characters_and_finds_its_session(
    db: Database, make_session
):
    session_id = make_session()
    with db.session.begin() as s:
        code = join_codes.create_join_code(s, session_id, now=NOW)
    assert len(code) == 6
    assert not set(code) & set("0O1IL2Z5S8B")
    with db.session.begin() as s:
        assert join_codes.join_code(s, session_id) == code
        assert join_codes.session_for_code(s, f" {code[:3].lower()}-{code[3:]} ") == session_id
        assert join_codes.session_for_code(s, "ZZZZZZ") is None


def test_a_new_code_replaces_the_old_one(db: Database, make_session):
    session_id = make_session()
    with db.session.begin() as s:
        old = join_codes.create_join_code(s, session_id, now=NOW)
        new = join_codes.create_join_code(s, session_id, now=NOW)
    with db.session.begin() as s:
        assert join_codes.join_code(s, session_id) == new
        if old != new:
            assert join_codes.session_for_code(s, old) is None


def test_attempts_are_counted_per_client_and_per_session_within_the_window(
    db: Database, make_session
):
    session_id = make_session()
    client = secrets.token_hex(8)  # the PostgreSQL database is shared by the whole run
    with db.session.begin() as s:
        for minutes in (0, 1, 20):
            join_codes.record_attempt(
                s, client=client, session_id=session_id, now=NOW + timedelta(minutes=minutes)
            )
        join_codes.record_attempt(s, client=client, session_id=None, now=NOW)
    since = NOW + timedelta(minutes=10)
    with db.session.begin() as s:
        assert join_codes.count_attempts(s, since=NOW - timedelta(seconds=1), client=client) == 4
        assert join_codes.count_attempts(s, since=since, client=client) == 1
        assert join_codes.count_attempts(s, since=since, session_id=session_id) == 1
        join_codes.forget_attempts(s, before=since)
    with db.session.begin() as s:
        assert join_codes.count_attempts(s, since=NOW - timedelta(days=1), client=client) == 1
