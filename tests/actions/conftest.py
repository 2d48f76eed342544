"""What the action tests share: a store on the parametrised database, and a café in round 1."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from pollinate.actions.agenda import command_agenda
from pollinate.actions.sessions import create_live_session
from pollinate.core.agenda import Next, Start
from pollinate.live.bus import Bus
from pollinate.store.db import session_factory
from tests.conftest import Database
from tests.web.conftest import PLAN, ROSTER, START, cafe_spec


@pytest.fixture
def store(db: Database) -> sessionmaker[Session]:
    return session_factory(db.engine)


async def in_round_one(store: sessionmaker[Session], bus: Bus) -> str:
    """A new café session, started and in its first round; its id."""
    session_id = create_live_session(store, cafe_spec(), ROSTER, PLAN, None, now=START).session_id
    await command_agenda(store, bus, session_id, Start(), now=START)
    await command_agenda(store, bus, session_id, Next(), now=START)
    return session_id
