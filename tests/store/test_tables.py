from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import StatementError

from pollinate.store.tables import Base, NoteRow, SessionRow
from tests.conftest import Database


def test_notes_table_has_exactly_these_columns_and_no_author(db: Database):
    columns = {column["name"] for column in inspect(db.engine).get_columns("notes")}
    assert columns == {
        "id",
        "session_id",
        "round",
        "table_name",
        "text",
        "highlighted",
        "created_at",
        "updated_at",
        "deleted_at",
    }


def test_note_model_matches_the_pinned_columns():
    assert set(NoteRow.__table__.columns.keys()) == {
        "id",
        "session_id",
        "round",
        "table_name",
        "text",
        "highlighted",
        "created_at",
        "updated_at",
        "deleted_at",
    }


def test_constraints_get_names_from_the_convention():
    links = Base.metadata.tables["links"]
    names = {constraint.name for constraint in links.constraints}
    assert {"pk_links", "uq_links_token_hash", "fk_links_session_id_sessions"} <= names


def test_aware_datetimes_come_back_in_utc_with_the_same_instant(db: Database):
    moment = datetime(2025, 6, 24, 11, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    session_id = secrets.token_hex(8)
    with db.session.begin() as s:
        s.add(SessionRow(id=session_id, title="t", spec_json={}, created_at=moment))
    with db.session() as s:
        stored = s.scalar(select(SessionRow.created_at).where(SessionRow.id == session_id))
    assert stored == moment
    assert stored is not None
    assert stored.tzinfo is UTC
    assert (stored.hour, stored.microsecond) == (9, 123456)


def test_naive_datetimes_are_refused(db: Database):
    naive = datetime(2025, 6, 24)  # noqa: DTZ001 (the point of this test)
    with db.session() as s:
        s.add(SessionRow(id="naive", title="t", spec_json={}, created_at=naive))
        with pytest.raises(StatementError, match="naive datetime"):
            s.flush()
