"""The agenda as run, kept apart from the outbox (store/agenda_log.py, migration 0006)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from alembic import command
from sqlalchemy import delete

from pollinate.core.report import AgendaMoment
from pollinate.store import agenda_log, outbox
from pollinate.store.db import alembic_config, create_engine_for, session_factory, upgrade
from pollinate.store.tables import SessionRow
from tests.actions.ran_cafe import run_cafe
from tests.conftest import Database
from tests.web.conftest import START

RUN = [  # tests/actions/ran_cafe.py: Start, Next, Next, Next, Finish
    AgendaMoment(START, 0),
    AgendaMoment(START + timedelta(minutes=5), 1),
    AgendaMoment(START + timedelta(minutes=21), 2),
    AgendaMoment(START + timedelta(minutes=38), 3),
    AgendaMoment(START + timedelta(minutes=44), None),
]


def test_the_agenda_action_keeps_every_moment_in_order(db: Database):
    store = session_factory(db.engine)
    session_id = run_cafe(store)
    with store.begin() as session:
        assert agenda_log.moments(session, session_id) == RUN


def test_the_moments_outlive_the_outbox_and_go_with_their_session(db: Database):
    store = session_factory(db.engine)
    session_id = run_cafe(store)
    with store.begin() as session:
        assert outbox.prune(session, before=datetime.max.replace(tzinfo=START.tzinfo)) > 0
    with store.begin() as session:
        assert agenda_log.moments(session, session_id) == RUN
        session.execute(delete(SessionRow).where(SessionRow.id == session_id))
    with store.begin() as session:
        assert agenda_log.moments(session, session_id) == []


def test_upgrading_copies_the_moments_still_in_the_outbox(
    empty_database: Callable[[], str],
):
    url = empty_database()
    engine = create_engine_for(url)
    try:
        upgrade(engine)
        store = session_factory(engine)
        session_id = run_cafe(store)
        # As a database of 0005 would hold it: the events, and no table of moments yet.
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "0005")
        upgrade(engine)
        with store.begin() as session:
            assert agenda_log.moments(session, session_id) == RUN
    finally:
        engine.dispose()
