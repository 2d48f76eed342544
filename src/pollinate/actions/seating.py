"""People arrive and leave during the session: seat them for the coming rounds only.

    walk-in (join code) ─┐                                   ┌─ add participant + link
    late arrival ────────┼─▶ read plan v, rounds begun k ─▶ replan(after_round=k) ─▶
    marked absent ───────┘   (outside any transaction)       └─ save plan if still v and k
                                                                ─▶ seating.changed ─▶ publish

The planner runs outside the database transaction, because it may search for seconds
and a SQLite write lock held that long would hold up every note. The write then checks
that neither the plan nor the agenda moved meanwhile (the `seating.changed` append comes
first: it locks the session row, so two re-plans of one session queue up) and starts
over if they did. Rounds up to `rounds_begun` are never changed: nobody is moved in the
middle of a conversation.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

import anyio.to_thread
from sqlalchemy.orm import Session

from pollinate.actions.live import (
    LiveSession,
    SessionNotFound,
    Store,
    append_events,
    commit_and_publish,
    load_live,
    rounds_begun,
    transact,
)
from pollinate.actions.sessions import IssuedLink
from pollinate.core.agenda import RunPhase
from pollinate.core.events import PresenceChanged, SeatingChanged
from pollinate.core.planner.model import Plan, PlanMetrics, PlanRequest
from pollinate.core.roles import Role
from pollinate.core.roster import Attendance, Participant, Roster
from pollinate.core.roster_vocabulary import normalise_region, normalise_stakeholder_group
from pollinate.errors import InputError, NotAllowed, PollinateError
from pollinate.live.bus import Bus
from pollinate.store import join_codes, repositories
from pollinate.store.tables import Presence

RETRIES = 3
LIVE_REPLAN_SECONDS = 3.0  # people wait at the door meanwhile; the first plan is always kept
MAX_NAME_CHARS = 200


class TooManyAttempts(PollinateError):
    """Too many check-in attempts from one device or for one session (web: 429)."""


@dataclass(frozen=True, slots=True)
class JoinLimits:
    """How many check-ins a window allows, per device and per session."""

    window: timedelta = timedelta(minutes=10)
    per_client: int = 10  # a person mistyping the code a few times, or a family on one phone
    per_session: int = 200  # a wave of walk-ins at the door, even in a large café


@dataclass(frozen=True, slots=True)
class WalkIn:
    """What a walk-in (or the facilitator for a late arrival) tells about a person."""

    name: str
    stakeholder_group: str | None = None
    region: str | None = None
    attendance: Attendance = Attendance.ONSITE

    def __post_init__(self) -> None:
        name = " ".join(self.name.split())
        if not name:
            raise InputError("the name is empty", field="name", advice="Type a name.")
        if len(name) > MAX_NAME_CHARS:
            raise InputError(
                f"the name is {len(name)} characters long",
                field="name",
                advice=f"Use at most {MAX_NAME_CHARS} characters.",
            )
        object.__setattr__(self, "name", name)

    def participant(self) -> Participant:
        """A new roster entry; the id is random, as a walk-in has no row to derive it from."""
        group = normalise_stakeholder_group(self.stakeholder_group or "")
        region = normalise_region(self.region or "")
        return Participant(
            id=f"walk-in-{secrets.token_hex(4)}",
            name=self.name,
            stakeholder_group=group.value if group else (self.stakeholder_group or None),
            region=region.value if region else (self.region or None),
            attendance=self.attendance,
        )


class _Moved(Exception):
    """The plan or the agenda changed while the planner ran: start over."""


@dataclass(frozen=True, slots=True)
class _Snapshot:
    live: LiveSession
    roster: Roster
    absent: frozenset[str]


def _snapshot(db: Session, session_id: str) -> _Snapshot:
    live = load_live(db, session_id)
    absent = frozenset(
        pid
        for pid, presence in repositories.presences(db, session_id).items()
        if presence is Presence.ABSENT
    )
    return _Snapshot(live, repositories.load_roster(db, session_id), absent)


def _replanned(
    snapshot: _Snapshot, after: int, arrivals: tuple[Participant, ...], leavers: frozenset[str]
) -> tuple[Plan, PlanMetrics] | None:
    from pollinate.actions.planning import replan_session  # the planner is heavy to import

    plan = snapshot.live.plan
    if plan is None or after >= plan.rounds:
        return None  # no round is left to seat anyone in
    request = PlanRequest(
        participants=snapshot.roster.participants,
        places=plan.places,
        rounds=plan.rounds,
        time_limit=LIVE_REPLAN_SECONDS,
    )
    # Everyone marked absent so far leaves again, so a re-plan never seats them anew.
    outcome = replan_session(
        request, plan, after_round=after, arrivals=arrivals, leavers=leavers | snapshot.absent
    )
    return outcome.plan, outcome.metrics


@dataclass(frozen=True, slots=True)
class _Change:
    """One arrival or departure to record, with the re-plan it led to."""

    session_id: str
    now: datetime
    arrival: Participant | None
    leaver: str | None


def _record(
    db: Session,
    change: _Change,
    snapshot: _Snapshot,
    after: int,
    replanned: tuple[Plan, PlanMetrics] | None,
) -> tuple[IssuedLink | None, int]:
    """The write half of a re-plan: `_Moved` if plan or agenda moved since `snapshot`."""
    session_id, now, arrival = change.session_id, change.now, change.arrival
    seq = 0
    if replanned is not None:
        # First, because the append locks the session row: re-plans queue up here.
        seq = append_events(db, session_id, [SeatingChanged(after + 1)], now=now)
    live = load_live(db, session_id)
    if (
        live.plan_version != snapshot.live.plan_version
        or rounds_begun(live.state, live.spec) != after
    ):
        raise _Moved
    issued = None
    if arrival is not None:
        repositories.add_participant(db, session_id, arrival, Presence.PRESENT)
        repositories.set_presence(db, session_id, arrival.id, Presence.PRESENT, now=now)
        token, link = repositories.create_link(
            db, session_id, Role.PARTICIPANT, now=now, participant_id=arrival.id
        )
        issued = IssuedLink(
            link.id,
            Role.PARTICIPANT,
            token,
            participant_id=arrival.id,
            name=arrival.name,
            online=arrival.attendance is Attendance.ONLINE,
        )
    if change.leaver is not None:
        repositories.set_presence(db, session_id, change.leaver, Presence.ABSENT, now=now)
    if replanned is not None:
        repositories.save_plan(db, session_id, *replanned)
    counts = presence_counts(repositories.presences(db, session_id).values())
    seq = append_events(db, session_id, [counts], now=now)
    return issued, seq


def presence_counts(presences: Iterable[Presence]) -> PresenceChanged:
    """How many of these people are here, not seen yet and absent (an event, and the
    facilitator console's check-in line)."""
    counts = Counter(presences)
    return PresenceChanged(
        present=counts[Presence.PRESENT],
        expected=counts[Presence.EXPECTED],
        absent=counts[Presence.ABSENT],
    )


async def _reseat_once(store: Store, bus: Bus, change: _Change) -> IssuedLink | None:
    snapshot = await transact(store, partial(_snapshot, session_id=change.session_id))
    if snapshot.live.state.phase is RunPhase.FINISHED:
        raise NotAllowed("The session has finished; nobody can be seated any more.")
    if change.leaver is not None and change.leaver not in snapshot.roster:
        raise LookupError(f"There is no participant {change.leaver!r} in this session.")
    after = rounds_begun(snapshot.live.state, snapshot.live.spec)
    arrivals = (change.arrival,) if change.arrival else ()
    leavers = frozenset({change.leaver} if change.leaver else ())
    replanned = await anyio.to_thread.run_sync(_replanned, snapshot, after, arrivals, leavers)
    work = partial(_record, change=change, snapshot=snapshot, after=after, replanned=replanned)
    return await commit_and_publish(store, bus, change.session_id, work)


async def _reseat(
    store: Store,
    bus: Bus,
    session_id: str,
    *,
    now: datetime,
    arrival: Participant | None = None,
    leaver: str | None = None,
) -> IssuedLink | None:
    """Re-plan the rounds to come; record the arrival or departure in the same commit."""
    change = _Change(session_id, now, arrival, leaver)
    for _ in range(RETRIES):
        try:
            return await _reseat_once(store, bus, change)
        except _Moved:
            continue
    raise NotAllowed("The seating kept changing while re-planning; try again in a moment.")


async def check_in_arrival(
    store: Store, bus: Bus, session_id: str, walk_in: WalkIn, *, now: datetime
) -> IssuedLink:
    """Add a late arrival to the roster, seat them from the next round on, give a link."""
    issued = await _reseat(store, bus, session_id, now=now, arrival=walk_in.participant())
    assert issued is not None  # noqa: S101 - an arrival always gets a link
    return issued


async def mark_absent(
    store: Store, bus: Bus, session_id: str, participant_id: str, *, now: datetime
) -> None:
    """Mark someone absent and take them out of the rounds to come."""
    await _reseat(store, bus, session_id, now=now, leaver=participant_id)


async def mark_present(
    store: Store,
    bus: Bus,
    session_id: str,
    participant_id: str,
    *,
    now: datetime,
    if_expected: bool = False,
) -> None:
    """Record that a planned person is here; their seats do not change. The facilitator
    hears the new counts (`presence.changed`) when anything changed.

    With `if_expected`, only someone not yet seen is marked: opening one's link must not
    undo the facilitator marking that person absent (they are no longer seated).
    """

    def work(db: Session) -> tuple[None, int]:
        presences = repositories.presences(db, session_id)  # read once: a check-in is hot
        presence = presences.get(participant_id)
        if presence is Presence.PRESENT or (if_expected and presence is not Presence.EXPECTED):
            return None, 0
        repositories.set_presence(db, session_id, participant_id, Presence.PRESENT, now=now)
        presences[participant_id] = Presence.PRESENT
        counts = presence_counts(presences.values())
        return None, append_events(db, session_id, [counts], now=now)

    await commit_and_publish(store, bus, session_id, work)


async def join_with_code(
    store: Store,
    bus: Bus,
    code: str,
    walk_in: WalkIn,
    *,
    client: str,
    now: datetime,
    limits: JoinLimits = JoinLimits(),
) -> tuple[str, IssuedLink]:
    """A walk-in checks in with the session's join code; returns the session and a link.

    Every attempt counts, right or wrong, and is committed before the code is checked,
    so guessing codes runs into the limit as fast as a typo does.
    """

    def count(db: Session) -> str | None:
        since = now - limits.window
        session_id = join_codes.session_for_code(db, code)
        if join_codes.count_attempts(db, since=since, client=client) >= limits.per_client:
            raise TooManyAttempts("Too many check-ins from this device; wait a few minutes.")
        if session_id is not None and (
            join_codes.count_attempts(db, since=since, session_id=session_id) >= limits.per_session
        ):
            raise TooManyAttempts("Too many check-ins right now; wait a minute and try again.")
        join_codes.forget_attempts(db, before=since)
        join_codes.record_attempt(db, client=client, session_id=session_id, now=now)
        return session_id

    session_id = await transact(store, count)
    if session_id is None:
        raise InputError(
            f"no session has the code {join_codes.normalise_code(code)!r}",
            field="code",
            advice="Check the code on the screen and type it again.",
        )
    try:
        issued = await check_in_arrival(store, bus, session_id, walk_in, now=now)
    except SessionNotFound as error:  # the session was deleted meanwhile
        raise InputError("this session no longer exists", field="code") from error
    return session_id, issued
