"""Which link a token is, and how many wrong tokens one address may try.

    API call, Bearer TOKEN ─┐
    page call, cookie TOKEN ┴▶ LinkLookup.resolve(token, client) ─▶ batch of the tokens
         asked meanwhile ─▶ one transaction: ─┬─ addresses over the limit ─▶ TooManyAttempts
                                              ├─ one SELECT … WHERE token_hash IN (…)
                                              └─ tokens that open nothing: counted
    GET /l/TOKEN ─▶ LinkLookup.resolve as above ─▶ nothing ─▶ 404  (the organizer's token:
                    refuse_link_guessers only)

Every way of presenting a token counts against one limit per address (`LinkLimits`): a
guesser gains nothing by switching from links to Bearer headers or cookies. Wrong
tokens are counted in the check-in attempts table (store/join_codes.py), keyed apart
from check-ins, so every worker sees the same count and upkeep clears it the same way.
A token carries 256 bits, so guessing one is hopeless anyway; the limit keeps a guesser
from hammering the database and filling the logs. A limited address learns nothing, not
even that a token it guessed would have worked: the limit is checked before the lookup.

Tokens are looked up on every request, never cached: revoking a link stops it at once,
on every worker (actions/organizing.py). What a burst of requests shares is the trip to
the database: the tokens asked while one lookup runs are looked up together in the next
(actions/batching.py), one thread hop and two or three statements for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from pollinate.actions.batching import MAX_BATCH, Batcher
from pollinate.actions.live import Store, transact
from pollinate.actions.seating import TooManyAttempts
from pollinate.store import join_codes, repositories
from pollinate.store.repositories import Link


@dataclass(frozen=True, slots=True)
class LinkLimits:
    """How many tokens that open nothing one address may try in a window, then wait."""

    window: timedelta = timedelta(minutes=10)
    # A whole venue may share one address; people rarely open a wrong link, and an old
    # (replaced) link or two per person in ten minutes stays far below this.
    per_client: int = 20


GUESSING = (
    "Too many links that do not work were opened from this network; "
    "wait a few minutes, then open your link again."
)


def link_guesser(client: str) -> str:
    """The attempts key of wrong tokens from `client` (kept apart from its check-ins)."""
    return f"link:{client}"


def refuse_link_guessers(
    db: Session, client: str, *, now: datetime, limits: LinkLimits = LinkLimits()
) -> None:
    """Raise `TooManyAttempts` when `client` tried `limits.per_client` wrong tokens lately."""
    key = link_guesser(client)
    tried = join_codes.attempts_by_client(db, [key], since=now - limits.window)
    if tried.get(key, 0) >= limits.per_client:
        raise TooManyAttempts(GUESSING)


@dataclass(frozen=True, slots=True)
class TokenAsked:
    """One lookup: the token, the keyed hash of the asking address, and when; `count`
    says whether a token that opens nothing counts as a guess at once."""

    token: str
    client: str
    now: datetime
    count: bool = True


def resolve_tokens(
    db: Session, asked: list[TokenAsked], limits: LinkLimits = LinkLimits()
) -> list[Link | Exception | None]:
    """Each token's link (None for a wrong one, counted), or `TooManyAttempts` for an
    address over the limit; in the caller's transaction, a handful of statements in all."""
    if not asked:
        return []
    now = max(one.now for one in asked)
    tried = join_codes.attempts_by_client(
        db, {link_guesser(one.client) for one in asked}, since=now - limits.window
    )
    limited = {
        one.client for one in asked if tried.get(link_guesser(one.client), 0) >= limits.per_client
    }
    found = repositories.resolve_links(
        db, {one.token for one in asked if one.client not in limited}
    )
    join_codes.record_attempts(
        db,
        [
            link_guesser(one.client)
            for one in asked
            if one.count and one.client not in limited and one.token not in found
        ],
        now=now,
    )
    return [
        TooManyAttempts(GUESSING) if one.client in limited else found.get(one.token)
        for one in asked
    ]


class LinkLookup:
    """Resolves link tokens, batching those asked at the same time. One per app."""

    def __init__(
        self, store: Store, *, limits: LinkLimits = LinkLimits(), max_batch: int = MAX_BATCH
    ) -> None:
        self._store = store
        self._limits = limits
        self._batcher: Batcher[TokenAsked, Link | None] = Batcher(
            self._resolve, max_batch=max_batch
        )

    @property
    def batches(self) -> int:
        """How many transactions the lookups so far took."""
        return self._batcher.batches

    async def resolve(
        self, token: str, *, client: str, now: datetime, count: bool = True
    ) -> Link | None:
        """The live link `token` opens; None for an unknown or revoked token, which counts
        against `client` (unless not `count`); `TooManyAttempts` once `client` tried too
        many of those, whatever the token."""
        return await self._batcher.submit(TokenAsked(token, client, now, count))

    async def count_wrong(self, *, client: str, now: datetime, times: int = 1) -> None:
        """Count `times` tokens that opened nothing against `client`."""
        guesses = [link_guesser(client)] * times
        await transact(self._store, lambda db: join_codes.record_attempts(db, guesses, now=now))

    async def _resolve(self, asked: list[TokenAsked]) -> list[Link | Exception | None]:
        return await transact(self._store, lambda db: resolve_tokens(db, asked, self._limits))
