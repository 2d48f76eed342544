"""Housekeeping: forget what the live app no longer needs, so the database stays small.

every UPKEEP_SECONDS ─▶ outbox events older than the retention ─▶ deleted
                      (a page that was away longer gets `resync` and re-fetches)
                   ─▶ idempotency answers older than the retention ─▶ deleted
                      (a retry comes within seconds or minutes, never a day later)
                   ─▶ check-in attempts older than a day ─▶ deleted
                   ─▶ redaction undo spans older than a day ─▶ deleted (a round lasts
                      minutes; this catches a session left running overnight)
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from pollinate.actions.live import Store, transact
from pollinate.store import join_codes, outbox, redactions, repositories

UPKEEP_SECONDS = 600.0  # every ten minutes: cheap deletes on indexed created_at columns
ATTEMPTS_KEPT = timedelta(days=1)  # far longer than any rate-limit window


async def tidy(store: Store, *, now: datetime, retention: timedelta) -> int:
    """Delete expired events, answers and attempts; return how many events went."""

    def work(db: Session) -> int:
        pruned = outbox.prune(db, before=now - retention)
        repositories.forget_responses(db, before=now - retention)
        join_codes.forget_attempts(db, before=now - ATTEMPTS_KEPT)
        redactions.forget_older(db, before=now - ATTEMPTS_KEPT)
        return pruned

    return await transact(store, work)
