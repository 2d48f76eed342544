"""What every live action shares: load a session, change it in one transaction, publish.

    action ──to_thread──▶ with store.begin(): load_live ─▶ core ─▶ save ─▶ outbox.append
                                     │ commit succeeded
                                     ▼
                          bus.publish(session_id, last seq)        (only after the commit)

Database work runs on a worker thread (SQLAlchemy sessions are synchronous) and the
publish runs back on the event loop, because the in-process bus is not thread-safe
(`live/memory.py`). If the transaction fails, nothing is published: a page never hears
of a change that did not happen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from pollinate.core.agenda import RunPhase, RunState
from pollinate.core.events import Event
from pollinate.core.planner.model import Plan, PlanMetrics
from pollinate.core.session import SessionSpec
from pollinate.errors import PollinateError
from pollinate.live.bus import Bus
from pollinate.store import outbox, repositories
from pollinate.store.db import database_unavailable, writer_turn
from pollinate.store.documents import run_state_from_document, spec_from_document

Store = sessionmaker[Session]
"""Where actions open their transactions (`store.db.session_factory(engine)`)."""

T = TypeVar("T")


class SessionNotFound(PollinateError, LookupError):
    """No session has this id (the web answers 404)."""


@dataclass(frozen=True, slots=True)
class LiveSession:
    """One session as the live app needs it: session file, run state and current plan."""

    id: str
    title: str
    spec: SessionSpec
    state: RunState
    plan: Plan | None
    plan_version: int
    metrics: PlanMetrics | None
    roster_version: int = 0  # changes with every roster change (the redactor cache's key)


def load_live(db: Session, session_id: str) -> LiveSession:
    """Read a session in the caller's transaction; `SessionNotFound` if there is none."""
    stored = repositories.get_session(db, session_id)
    if stored is None:
        raise SessionNotFound(f"There is no session {session_id!r}.")
    plan = repositories.load_plan_at(db, session_id, stored.plan_version)
    return LiveSession(
        id=stored.id,
        title=stored.title,
        spec=spec_from_document(stored.spec),
        state=run_state_from_document(stored.run_state, version=stored.run_version),
        plan=None if plan is None else plan.plan,
        plan_version=0 if plan is None else plan.version,
        metrics=None if plan is None else plan.metrics,
        roster_version=stored.roster_version,
    )


async def check_session(store: Store, session_id: str) -> None:
    """Raise `SessionNotFound` unless the session exists; reads nothing else of it."""
    if not await transact(store, lambda db: repositories.session_exists(db, session_id)):
        raise SessionNotFound(f"There is no session {session_id!r}.")


def append_events(
    db: Session,
    session_id: str,
    events: Iterable[Event],
    *,
    now: datetime | Sequence[datetime],
) -> int:
    """Log `events` in the current transaction; return the last seq (0 when none).

    `now` is one time for all, or one per event (a batch of notes, each at its own)."""
    return outbox.append_many(
        db, session_id, [(event.type, event.to_payload()) for event in events], now=now
    )


def rounds_begun(state: RunState, spec: SessionSpec) -> int:
    """How many rounds have started so far: the rounds a re-plan must leave as they are.

    On a round block that round counts (nobody moves mid-conversation); between rounds
    the rounds before; before Start none; after Finish all.
    """
    if state.phase is RunPhase.FINISHED:
        return spec.round_count
    if state.block_index is None:
        return 0
    return sum(1 for block in spec.agenda[: state.block_index + 1] if block.is_round)


async def commit_and_publish(
    store: Store, bus: Bus, session_id: str, work: Callable[[Session], tuple[T, int]]
) -> T:
    """Run `work` in one transaction on a worker thread, then publish its last seq.

    `work` returns its result and the last outbox seq it appended (0 for none).
    """

    def one_session(db: Session) -> tuple[T, Mapping[str, int]]:
        result, seq = work(db)
        return result, {session_id: seq}

    return await commit_and_publish_many(store, bus, one_session)


async def commit_and_publish_many(
    store: Store, bus: Bus, work: Callable[[Session], tuple[T, Mapping[str, int]]]
) -> T:
    """`commit_and_publish` for work that may append to several sessions' logs: `work`
    returns its result and the last seq it appended per session (0 for none)."""

    def transaction() -> tuple[T, Mapping[str, int]]:
        with writer_turn(store), store.begin() as db:
            return work(db)

    result, seqs = await anyio.to_thread.run_sync(transaction)
    for session_id, seq in seqs.items():
        if seq:
            await bus.publish(session_id, seq)
    return result


# Pauses before trying again to get a connection, within `CONNECT_RETRY_SECONDS` in all.
# A refused connect fails in about a millisecond, so a database that is back within
# ~0.75 s (a PostgreSQL restart with little to recover: 0.3 s on the tests' private
# cluster) is never noticed; a connect that timed out (store.db: 5 s) is not repeated,
# so an outage costs a request at most about a second more before its 503.
CONNECT_RETRY_PAUSES = (0.25, 0.5)
CONNECT_RETRY_SECONDS = 1.0


class _NoConnection(Exception):
    """No connection could be had, so no statement of the transaction was sent."""

    def __init__(self, error: DBAPIError) -> None:
        super().__init__(str(error))
        self.error = error


async def transact(store: Store, work: Callable[[Session], T]) -> T:
    """Run `work` on a worker thread in its own transaction (committed unless it raises).

    If the database cannot be reached when the transaction begins, it is tried again
    twice within a second (`CONNECT_RETRY_PAUSES`), then the error goes up (the web
    answers 503). Nothing else is retried, and that is the safety argument:
    - The connection is taken (and pinged if it sat idle, store/db.py) before `work` runs. If that
      fails, `work` never ran and nothing was sent, so nothing can have committed and
      running everything again is exactly as if the first try had not happened.
    - Once `work` has run, an error may come from COMMIT itself, when the server may
      have committed and the answer was lost: running again could write twice. Errors
      earlier in `work` did roll back (a dropped connection aborts the transaction), but
      `work` may have changed Python objects as it read (a stream's position, a cache),
      so running it again is not safe in general either. Those errors go up at once;
      clients resend writes with an Idempotency-Key, which lands them once.
    """

    def transaction() -> T:
        with store.begin() as db:
            try:
                db.connection()  # check a connection out before `work` sends anything
            except DBAPIError as error:
                if database_unavailable(error):
                    raise _NoConnection(error) from error
                raise
            return work(db)

    deadline = anyio.current_time() + CONNECT_RETRY_SECONDS
    for pause in (*CONNECT_RETRY_PAUSES, None):
        try:
            return await anyio.to_thread.run_sync(transaction)
        except _NoConnection as failed:
            error = failed.error
        if pause is None or anyio.current_time() + pause > deadline:
            break
        await anyio.sleep(pause)  # on the event loop: no worker thread waits meanwhile
    raise error


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A session as a page first loads it, with the outbox position it is current to."""

    live: LiveSession
    last_event_id: int
    broadcasts: tuple[Mapping[str, Any], ...]


BROADCASTS_KEPT = 3


def take_snapshot(db: Session, session_id: str) -> Snapshot:
    """Read the session and its outbox position, the position FIRST.

    Reads are not one snapshot on SQLite (nor under READ COMMITTED), so a change may land
    between the two reads. Reading the position first means such a change is replayed
    once more on top of a state that already has it, which is harmless because every
    event sets absolute values (an end time, not "five minutes more"). The other order
    could skip it for good.
    """
    seq = outbox.latest_seq(db, session_id)
    live = load_live(db, session_id)
    sent = outbox.latest_of_type(db, session_id, "broadcast.sent", BROADCASTS_KEPT)
    return Snapshot(live, seq, tuple(event.payload for event in sent))
