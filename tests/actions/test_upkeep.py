from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pollinate.actions.upkeep import tidy
from pollinate.store import outbox, repositories
from pollinate.store.db import session_factory
from tests.conftest import Database

pytestmark = pytest.mark.anyio
NOW = datetime(2025, 6, 24, 9, 0, tzinfo=UTC)


async def test_tidy_forgets_events_and_answers_older_than_the_retention(
    db: Database, anyio_backend: str
):
    store = session_factory(db.engine)
    old, recent = NOW - timedelta(hours=30), NOW - timedelta(hours=1)
    with store.begin() as s:
        session_id = repositories.create_session(s, title="Café", spec={}, now=old)
        outbox.append(s, session_id, "broadcast.sent", {"message": "old"}, now=old)
        outbox.append(s, session_id, "broadcast.sent", {"message": "new"}, now=recent)
        repositories.remember_response(s, session_id, "old-key", {"id": "n1"}, now=old)
        repositories.remember_response(s, session_id, "new-key", {"id": "n2"}, now=recent)
    await tidy(store, now=NOW, retention=timedelta(hours=24))
    with store.begin() as s:
        assert [e.payload["message"] for e in outbox.since(s, session_id, 0)] == ["new"]
        assert repositories.recall_response(s, session_id, "old-key") is None
        assert repositories.recall_response(s, session_id, "new-key") == {"id": "n2"}
        # The seq counter outlives pruning: a client at seq 0 must now resync.
        assert not outbox.replayable(s, session_id, 0)
