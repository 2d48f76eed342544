"""Link lookups: a burst is one query, and a revoked link stops at once."""

from __future__ import annotations

import asyncio

import pytest

from pollinate.actions.access import LinkLookup
from pollinate.actions.sessions import create_live_session
from pollinate.core.roles import Role
from pollinate.store import repositories
from pollinate.store.db import session_factory
from tests.conftest import Database
from tests.web.conftest import PLAN, ROSTER, START, cafe_spec

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def store(db: Database):
    return session_factory(db.engine)


def links(store, count: int) -> tuple[str, list[tuple[str, repositories.Link]]]:
    session_id = create_live_session(store, cafe_spec(), ROSTER, PLAN, None, now=START).session_id
    with store.begin() as db:
        made = [
            repositories.create_link(db, session_id, Role.PARTICIPANT, now=START, participant_id=p)
            for p in [f"p{n:02d}" for n in range(1, count + 1)]
        ]
    return session_id, made


async def test_tokens_asked_together_are_resolved_in_fewer_queries_each_to_its_link(store):
    _, made = links(store, 6)
    lookup = LinkLookup(store)
    asked = [token for token, _ in made] + ["not-a-token", made[0][0]]
    found = await asyncio.gather(*(lookup.resolve(token) for token in asked))
    assert found == [link for _, link in made] + [None, made[0][1]]
    assert lookup.batches < len(asked)


async def test_a_revoked_link_resolves_to_nothing_on_the_next_request(store):
    _, made = links(store, 1)
    (token, link), lookup = made[0], LinkLookup(store)
    assert await lookup.resolve(token) == link
    with store.begin() as db:
        repositories.revoke_link(db, link.id, now=START)
    assert await lookup.resolve(token) is None
