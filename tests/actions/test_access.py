"""Link lookups: a burst is one transaction, a revoked link stops at once, and wrong
tokens count against the address that tried them, whichever way they came."""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta

import pytest

from pollinate.actions.access import LinkLimits, LinkLookup, link_guesser
from pollinate.actions.seating import TooManyAttempts
from pollinate.actions.sessions import create_live_session
from pollinate.core.roles import Role
from pollinate.store import join_codes, repositories
from tests.web.conftest import PLAN, ROSTER, START, cafe_spec

pytestmark = pytest.mark.anyio

LIMIT = LinkLimits().per_client


def address() -> str:
    """A client of its own: attempts outlive a test on the shared PostgreSQL database."""
    return f"client-{secrets.token_hex(6)}"


def links(store, count: int) -> list[tuple[str, repositories.Link]]:
    session_id = create_live_session(store, cafe_spec(), ROSTER, PLAN, None, now=START).session_id
    with store.begin() as db:
        return [
            repositories.create_link(db, session_id, Role.PARTICIPANT, now=START, participant_id=p)
            for p in [f"p{n:02d}" for n in range(1, count + 1)]
        ]


async def test_tokens_asked_together_are_resolved_in_fewer_batches_each_to_its_link(store):
    venue = address()
    made = links(store, 6)
    lookup = LinkLookup(store)
    asked = [token for token, _ in made] + ["not-a-token", made[0][0]]
    found = await asyncio.gather(
        *(lookup.resolve(token, client=venue, now=START) for token in asked)
    )
    assert found == [link for _, link in made] + [None, made[0][1]]
    assert lookup.batches < len(asked)


async def test_a_revoked_link_resolves_to_nothing_on_the_next_request(store):
    venue = address()
    (token, link), lookup = links(store, 1)[0], LinkLookup(store)
    assert await lookup.resolve(token, client=venue, now=START) == link
    with store.begin() as db:
        repositories.revoke_link(db, link.id, now=START)
    assert await lookup.resolve(token, client=venue, now=START) is None


async def test_an_address_that_guessed_too_often_is_refused_even_a_real_token(store):
    guesser = address()
    elsewhere = address()
    (token, link), lookup = links(store, 1)[0], LinkLookup(store)
    guesses = [lookup.resolve(f"guess-{n}", client=guesser, now=START) for n in range(LIMIT)]
    assert await asyncio.gather(*guesses) == [None] * LIMIT
    with pytest.raises(TooManyAttempts, match="wait a few minutes"):
        await lookup.resolve(token, client=guesser, now=START)
    assert await lookup.resolve(token, client=elsewhere, now=START) == link
    later = START + LinkLimits().window + timedelta(seconds=1)
    assert await lookup.resolve(token, client=guesser, now=later) == link


async def test_links_opened_and_tokens_sent_count_against_one_limit(store):
    guesser = address()
    (token, _), lookup = links(store, 1)[0], LinkLookup(store)
    with store.begin() as db:
        for _ in range(LIMIT - 1):  # wrong links opened, as /l/ records them
            join_codes.record_attempts(db, [link_guesser(guesser)], now=START)
    assert await lookup.resolve("one-more", client=guesser, now=START) is None
    with pytest.raises(TooManyAttempts):
        await lookup.resolve(token, client=guesser, now=START)


async def test_a_lookup_asked_not_to_count_is_limited_but_adds_nothing(store):
    venue = address()
    (token, link), lookup = links(store, 1)[0], LinkLookup(store)
    for n in range(LIMIT + 5):
        assert await lookup.resolve(f"old-{n}", client=venue, now=START, count=False) is None
    assert await lookup.resolve(token, client=venue, now=START) == link
    await lookup.count_wrong(client=venue, now=START, times=LIMIT)
    with pytest.raises(TooManyAttempts):
        await lookup.resolve(token, client=venue, now=START, count=False)
