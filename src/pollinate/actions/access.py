"""Which link a token is: the lookup every page, stream and API call begins with.

    request ─▶ LinkLookup.resolve(token) ─▶ batch of the tokens asked meanwhile
                                            ─▶ one SELECT … WHERE token_hash IN (…)

Looked up on every request, never cached: revoking a link stops it at once, on every
worker (actions/organizing.py). What a burst of requests shares is the trip to the
database: the tokens asked while one lookup runs are looked up together in the next
(actions/batching.py), one thread hop and one query for all of them.
"""

from __future__ import annotations

from pollinate.actions.batching import MAX_BATCH, Batcher
from pollinate.actions.live import Store, transact
from pollinate.store import repositories
from pollinate.store.repositories import Link


class LinkLookup:
    """Resolves link tokens, batching those asked at the same time. One per app."""

    def __init__(self, store: Store, *, max_batch: int = MAX_BATCH) -> None:
        self._store = store
        self._batcher: Batcher[str, Link | None] = Batcher(self._resolve, max_batch=max_batch)

    @property
    def batches(self) -> int:
        """How many queries the lookups so far took."""
        return self._batcher.batches

    async def resolve(self, token: str) -> Link | None:
        """The live link `token` opens; None for an unknown or revoked token."""
        return await self._batcher.submit(token)

    async def _resolve(self, tokens: list[str]) -> list[Link | None]:
        found = await transact(self._store, lambda db: repositories.resolve_links(db, tokens))
        return [found.get(token) for token in tokens]
