"""Row ↔ core translation: the only code that sees both the tables and the core values.

Every function takes the caller's `Session` and never commits: an action loads, calls the
core, saves, appends its events to the outbox, and commits once, so a change and its
events land together or not at all. Times come in as `now`, like everywhere else.

    sessions      create_session · get_session · save_run_state (compare-and-set)
    participants  save_roster · load_roster · add_participant · set_presence · presences
    plans         save_plan · load_plan
    notes         add_note · save_note · delete_note · get_note · list_notes
    links         create_link · resolve_link · revoke_link · reissue_link · list_links
    idempotency   recall_response · remember_response · forget_responses
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import CursorResult, Select, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from pollinate.core.notes import Note, NoteState
from pollinate.core.planner.model import Place, Plan, PlanMetrics
from pollinate.core.roles import Role
from pollinate.core.roster import Attendance, Participant, Roster
from pollinate.errors import PollinateError
from pollinate.store.tables import (
    IdempotencyRow,
    LinkRow,
    NoteRow,
    ParticipantRow,
    PlanRow,
    Presence,
    SessionRow,
)

# Link tokens carry 24 random bytes (192 bits). With that much entropy a plain sha256 is
# enough to store: there is nothing to brute-force, so no salt or slow hash is needed.
TOKEN_BYTES = 24


class VersionConflict(PollinateError):
    """Someone else changed the record first; reload, re-apply the command, try again."""


def _rowcount(result: object) -> int:
    return cast(CursorResult[Any], result).rowcount


# ── sessions ──────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class StoredSession:
    """A session as stored: its session file (as JSON) and its live run state (as JSON)."""

    id: str
    title: str
    spec: Mapping[str, Any]
    created_at: datetime
    run_state: Mapping[str, Any] | None
    run_version: int
    roster_version: int = 0  # changes whenever the session's participants change
    plan_version: int | None = None  # the stored plan's version; None: no plan yet


def new_session_id() -> str:
    """A random session id that never begins with "-".

    One URL-safe id in 64 does, and `pollinate report -lx…` reads such an id as an
    option (seen once in CI: "No such option: -l").
    """
    while (session_id := secrets.token_urlsafe(8)).startswith("-"):
        pass
    return session_id


def create_session(
    db: Session, *, title: str, spec: Mapping[str, Any], now: datetime, session_id: str = ""
) -> str:
    """Store a new session and return its id: short, URL-safe and unguessable (64 bits)."""
    session_id = session_id or new_session_id()
    db.add(SessionRow(id=session_id, title=title, spec_json=dict(spec), created_at=now))
    db.flush()
    return session_id


def get_session(db: Session, session_id: str) -> StoredSession | None:
    """The session, with its plan's version, in one query (`load_plan_at` then finds a
    cached plan without asking again): the live actions read both for every batch."""
    row = db.execute(_SESSION_WITH_PLAN, {"session_id": session_id}).one_or_none()
    return None if row is None else StoredSession(*row)


# Read by every batch of notes and every agenda action: built once, in Core (see
# `_LIVE_LINKS` below).
_sessions, _plans = SessionRow.__table__, PlanRow.__table__
_SESSION_WITH_PLAN = (
    select(
        _sessions.c.id,
        _sessions.c.title,
        _sessions.c.spec_json,
        _sessions.c.created_at,
        _sessions.c.run_state_json,
        _sessions.c.run_version,
        _sessions.c.roster_version,
        _plans.c.version,
    )
    .select_from(_sessions.outerjoin(_plans, _plans.c.session_id == _sessions.c.id))
    .where(_sessions.c.id == bindparam("session_id"))
)


def session_exists(db: Session, session_id: str) -> bool:
    """True when a session has this id (one indexed lookup, nothing parsed)."""
    return db.scalar(_SESSION_EXISTS, {"session_id": session_id}) is not None


# Asked by every stream that connects (phones reconnecting together after a Wi-Fi drop).
_SESSION_EXISTS = select(_sessions.c.id).where(_sessions.c.id == bindparam("session_id"))


def save_run_state(
    db: Session, session_id: str, state: Mapping[str, Any], *, expected_version: int
) -> int:
    """Replace the run state if it is still at `expected_version`; return the new version.

    Raises `VersionConflict` otherwise: two facilitator consoles pressing Next at once
    move the session on by one block, not two.
    """
    result = db.execute(
        update(SessionRow)
        .where(SessionRow.id == session_id, SessionRow.run_version == expected_version)
        .values(run_state_json=dict(state), run_version=expected_version + 1),
        execution_options={"synchronize_session": False},
    )
    if _rowcount(result) != 1:
        raise VersionConflict(f"session {session_id!r} is no longer at version {expected_version}")
    return expected_version + 1


# ── participants ──────────────────────────────────────────────────────────────────────


def _participant_values(participant: Participant) -> dict[str, Any]:
    return {
        "name": participant.name,
        "email": participant.email,
        "organization": participant.organization,
        "stakeholder_group": participant.stakeholder_group,
        "region": participant.region,
        "attendance": participant.attendance.value,
        "languages": list(participant.languages),
        "is_host": participant.is_host,
    }


def _participant(row: ParticipantRow) -> Participant:
    return Participant(
        id=row.participant_id,
        name=row.name,
        email=row.email,
        organization=row.organization,
        stakeholder_group=row.stakeholder_group,
        region=row.region,
        attendance=Attendance(row.attendance),
        languages=tuple(row.languages),
        is_host=row.is_host,
    )


def save_roster(db: Session, session_id: str, roster: Roster) -> None:
    """Make the stored roster equal `roster`, in its order.

    People who stay keep their presence and arrival time (a re-import during the
    session must not un-check anyone in); people no longer listed are removed.
    """
    rows = {
        row.participant_id: row
        for row in db.scalars(select(ParticipantRow).where(ParticipantRow.session_id == session_id))
    }
    for position, participant in enumerate(roster):
        row = rows.pop(participant.id, None)
        values = _participant_values(participant)
        if row is None:
            db.add(
                ParticipantRow(
                    session_id=session_id,
                    participant_id=participant.id,
                    position=position,
                    presence=Presence.EXPECTED.value,
                    **values,
                )
            )
        else:
            row.position = position
            for name, value in values.items():
                setattr(row, name, value)
    for gone in rows.values():
        db.delete(gone)
    db.flush()
    _bump_roster_version(db, session_id)


def _bump_roster_version(db: Session, session_id: str) -> None:
    db.execute(
        update(SessionRow)
        .where(SessionRow.id == session_id)
        .values(roster_version=SessionRow.roster_version + 1),
        execution_options={"synchronize_session": False},
    )


def load_roster(db: Session, session_id: str) -> Roster:
    rows = db.scalars(
        select(ParticipantRow)
        .where(ParticipantRow.session_id == session_id)
        .order_by(ParticipantRow.position)
    )
    return Roster(tuple(_participant(row) for row in rows))


def add_participant(
    db: Session, session_id: str, participant: Participant, presence: Presence = Presence.PRESENT
) -> None:
    """Append a walk-in to the roster (present unless said otherwise); ids stay unique."""
    last = db.scalar(
        select(func.max(ParticipantRow.position)).where(ParticipantRow.session_id == session_id)
    )
    db.add(
        ParticipantRow(
            session_id=session_id,
            participant_id=participant.id,
            position=0 if last is None else last + 1,
            presence=presence.value,
            **_participant_values(participant),
        )
    )
    db.flush()
    _bump_roster_version(db, session_id)


def set_presence(
    db: Session, session_id: str, participant_id: str, presence: Presence, *, now: datetime
) -> None:
    """Record whether someone is here; `arrived_at` keeps the first arrival.

    Raises `LookupError` for a participant the session does not have.
    """
    row = db.get(ParticipantRow, (session_id, participant_id))
    if row is None:
        raise LookupError(f"no participant {participant_id!r} in session {session_id!r}")
    row.presence = presence.value
    if presence is Presence.PRESENT and row.arrived_at is None:
        row.arrived_at = now
    db.flush()


def presences(db: Session, session_id: str) -> dict[str, Presence]:
    """Each participant's presence, by participant id."""
    rows = db.execute(
        select(ParticipantRow.participant_id, ParticipantRow.presence).where(
            ParticipantRow.session_id == session_id
        )
    )
    return {participant_id: Presence(presence) for participant_id, presence in rows}


# ── plans ─────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class StoredPlan:
    """The session's current plan, its metrics when measured, and its save count."""

    plan: Plan
    metrics: PlanMetrics | None
    version: int


def _plan_json(plan: Plan) -> dict[str, Any]:
    return {
        "places": [dataclasses.asdict(place) for place in plan.places],
        "seating": [dict(sorted(round_seating.items())) for round_seating in plan.seating],
        "hosts": dict(sorted(plan.hosts.items())),
        "auto_hosts": sorted(plan.auto_hosts),
    }


def _plan(document: Mapping[str, Any]) -> Plan:
    return Plan(
        places=tuple(Place(**place) for place in document["places"]),
        seating=tuple(dict(round_seating) for round_seating in document["seating"]),
        hosts=dict(document["hosts"]),
        auto_hosts=frozenset(document["auto_hosts"]),
    )


def save_plan(db: Session, session_id: str, plan: Plan, metrics: PlanMetrics | None = None) -> int:
    """Replace the session's plan; return its new version (1 for the first plan)."""
    values = {
        "plan_json": _plan_json(plan),
        "metrics_json": None if metrics is None else dataclasses.asdict(metrics),
    }
    # One UPDATE … RETURNING, so two saves racing on PostgreSQL get versions n+1 and n+2.
    version = db.execute(
        update(PlanRow)
        .where(PlanRow.session_id == session_id)
        .values(version=PlanRow.version + 1, **values)
        .returning(PlanRow.version),
        execution_options={"synchronize_session": False},
    ).scalar_one_or_none()
    if version is None:
        db.add(PlanRow(session_id=session_id, version=1, **values))
        db.flush()
        version = 1
    return version


class _PlanCache:
    """Plans already read, by (database, session, plan version); least recent dropped.

    Every note and action loads its session's plan, and a plenary's plan is thousands of
    seats of JSON (about 2 ms to read and rebuild at 2,250 people, bench/live.py). A
    saved plan never changes under its version, so one integer tells whether the copy
    here is current. Plans are frozen values; callers must not change their dicts.
    """

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._plans: OrderedDict[tuple[str, str, int], StoredPlan] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, int]) -> StoredPlan | None:
        with self._lock:
            plan = self._plans.get(key)
            if plan is not None:
                self._plans.move_to_end(key)
            return plan

    def put(self, key: tuple[str, str, int], plan: StoredPlan) -> None:
        with self._lock:
            self._plans[key] = plan
            while len(self._plans) > self._size:
                self._plans.popitem(last=False)


PLANS = _PlanCache()


def load_plan(db: Session, session_id: str) -> StoredPlan | None:
    version = db.scalar(select(PlanRow.version).where(PlanRow.session_id == session_id))
    return load_plan_at(db, session_id, version)


def load_plan_at(db: Session, session_id: str, version: int | None) -> StoredPlan | None:
    """The session's plan, known to be at `version` (None: there is none); from the
    cache when that version was read before."""
    if version is None:
        return None
    database = db.get_bind().engine.url.render_as_string(hide_password=True)
    if (cached := PLANS.get((database, session_id, version))) is not None:
        return cached
    row = db.get(PlanRow, session_id, populate_existing=True)
    if row is None:
        return None
    metrics = None if row.metrics_json is None else PlanMetrics(**row.metrics_json)
    stored = StoredPlan(_plan(row.plan_json), metrics, row.version)
    PLANS.put((database, session_id, row.version), stored)
    return stored


# ── notes ─────────────────────────────────────────────────────────────────────────────


def new_note_id() -> str:
    """A random note id (72 bits): unguessable, and it tells nothing about order or count."""
    return secrets.token_urlsafe(9)


def _note(row: NoteRow) -> Note:
    return Note(row.id, row.round, row.table_name, row.text, row.created_at, row.highlighted)


def add_note(db: Session, session_id: str, note: Note, *, now: datetime) -> None:
    """Store a new note; `taken_at` becomes `created_at`, and nothing about who wrote it."""
    add_notes(db, session_id, [(note, now)])


def add_notes(db: Session, session_id: str, notes: Sequence[tuple[Note, datetime]]) -> None:
    """Store new notes, each with the time it was received, in one statement."""
    if not notes:
        return
    db.execute(
        insert(NoteRow),
        [
            {
                "id": note.id,
                "session_id": session_id,
                "round": note.round,
                "table_name": note.table,
                "text": note.text,
                "highlighted": note.highlighted,
                "created_at": note.taken_at,
                "updated_at": now,
            }
            for note, now in notes
        ],
    )


def _active_note_row(db: Session, session_id: str, note_id: str) -> NoteRow | None:
    row = db.get(NoteRow, note_id)
    if row is None or row.session_id != session_id or row.deleted_at is not None:
        return None
    return row


def save_note(db: Session, session_id: str, note: Note, *, now: datetime) -> None:
    """Store an edited note's text and highlight; `LookupError` if it is gone."""
    row = _active_note_row(db, session_id, note.id)
    if row is None:
        raise LookupError(f"no note {note.id!r} in session {session_id!r}")
    row.text = note.text
    row.highlighted = note.highlighted
    row.updated_at = now
    db.flush()


def delete_note(db: Session, session_id: str, note_id: str, *, now: datetime) -> bool:
    """Withdraw a note and erase its text (see `NoteState.DELETED`); False if already gone."""
    row = _active_note_row(db, session_id, note_id)
    if row is None:
        return False
    row.text = ""
    row.highlighted = False
    row.updated_at = now
    row.deleted_at = now
    db.flush()
    return True


def note_state(db: Session, session_id: str, note_id: str) -> NoteState | None:
    """Whether the note is active or deleted; None for an id the session never had."""
    row = db.get(NoteRow, note_id)
    if row is None or row.session_id != session_id:
        return None
    return NoteState.ACTIVE if row.deleted_at is None else NoteState.DELETED


def get_note(db: Session, session_id: str, note_id: str) -> Note | None:
    row = _active_note_row(db, session_id, note_id)
    return None if row is None else _note(row)


def list_notes(
    db: Session, session_id: str, *, round: int | None = None, table: str | None = None
) -> list[Note]:
    """Active notes in the order they were taken, optionally of one round and/or table."""
    return [Note(*row) for row in db.execute(_notes_query(session_id, round, table))]


def note_batches(
    db: Session,
    session_id: str,
    *,
    round: int | None = None,
    table: str | None = None,
    size: int = 500,
) -> Iterator[list[Note]]:
    """`list_notes`, `size` notes at a time, read as they are used (a server-side cursor
    on PostgreSQL): an export of thousands of notes never holds them all at once."""
    query = _notes_query(session_id, round, table).execution_options(yield_per=size)
    for rows in db.execute(query).partitions():
        yield [Note(*row) for row in rows]


def _notes_query(
    session_id: str, round: int | None, table: str | None
) -> Select[str, int, str, str, datetime, bool]:
    # Columns, not ORM objects: the theme board reads every note of a session after each
    # burst, and building an instance per row cost more than the query (bench/live.py).
    query = select(
        NoteRow.id,
        NoteRow.round,
        NoteRow.table_name,
        NoteRow.text,
        NoteRow.created_at,
        NoteRow.highlighted,
    ).where(NoteRow.session_id == session_id, NoteRow.deleted_at.is_(None))
    if round is not None:
        query = query.where(NoteRow.round == round)
    if table is not None:
        query = query.where(NoteRow.table_name == table)
    return query.order_by(NoteRow.created_at, NoteRow.id)


# ── links ─────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class Link:
    """What a link grants: a role in a session, for hosts a table, for participants a person.

    The token itself is never stored, so a `Link` cannot give it back; `create_link` and
    `reissue_link` return it once.
    """

    id: int
    session_id: str
    role: Role
    participant_id: str | None
    table: str | None
    created_at: datetime
    revoked_at: datetime | None


def token_hash(token: str) -> str:
    """The sha256 hex digest under which a link token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class _LinkColumns(Protocol):
    """A stored link's columns: an ORM `LinkRow`, or a row of `_LIVE_LINKS`."""

    id: int
    session_id: str
    role: str
    participant_id: str | None
    table_name: str | None
    created_at: datetime
    revoked_at: datetime | None


def _link(row: _LinkColumns) -> Link:
    return Link(
        row.id,
        row.session_id,
        Role(row.role),
        row.participant_id,
        row.table_name,
        row.created_at,
        row.revoked_at,
    )


def create_link(
    db: Session,
    session_id: str,
    role: Role,
    *,
    now: datetime,
    participant_id: str | None = None,
    table: str | None = None,
) -> tuple[str, Link]:
    """A new link; returns the raw token (shown once, never stored) and the link."""
    if role is Role.ORGANIZER:
        raise ValueError("organizers sign in; no live link grants that role")
    if role is Role.HOST and not table:
        raise ValueError("a host link needs its table")
    if role is Role.PARTICIPANT and not participant_id:
        raise ValueError("a participant link needs its participant")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = LinkRow(
        token_hash=token_hash(token),
        session_id=session_id,
        role=role.value,
        participant_id=participant_id,
        table_name=table,
        created_at=now,
    )
    db.add(row)
    db.flush()
    return token, _link(row)


def resolve_link(db: Session, token: str) -> Link | None:
    """The live link this token opens; None for an unknown or revoked token."""
    return resolve_links(db, [token]).get(token)


# Every request with a link runs this query: built once, in Core, it costs a link lookup
# about 0.5 ms of CPU instead of 1.1 (building, cache-keying and ORM-loading it anew each
# time; SQLite, one transaction each, measured in a loop).
_links = LinkRow.__table__
_LIVE_LINKS = (
    select(_links)
    .where(_links.c.token_hash.in_(bindparam("hashes", expanding=True)))
    .where(_links.c.revoked_at.is_(None))
)


def resolve_links(db: Session, tokens: Collection[str]) -> dict[str, Link]:
    """The live links these tokens open, by token (one query); unknown and revoked
    tokens are left out."""
    if not tokens:
        return {}
    by_hash = {token_hash(token): token for token in tokens}
    rows = db.execute(_LIVE_LINKS, {"hashes": list(by_hash)})
    return {by_hash[row.token_hash]: _link(row) for row in rows}


def revoke_link(db: Session, link_id: int, *, now: datetime) -> bool:
    """Stop a link from working; False if it was unknown or already revoked."""
    result = db.execute(
        update(LinkRow)
        .where(LinkRow.id == link_id, LinkRow.revoked_at.is_(None))
        .values(revoked_at=now),
        execution_options={"synchronize_session": False},
    )
    return _rowcount(result) == 1


def reissue_link(db: Session, link_id: int, *, now: datetime) -> tuple[str, Link]:
    """Revoke a (lost or leaked) link and create one with the same grant; new token once."""
    row = db.get(LinkRow, link_id, populate_existing=True)
    if row is None:
        raise LookupError(f"no link {link_id}")
    revoke_link(db, link_id, now=now)
    return create_link(
        db,
        row.session_id,
        Role(row.role),
        now=now,
        participant_id=row.participant_id,
        table=row.table_name,
    )


def list_links(db: Session, session_id: str, *, include_revoked: bool = False) -> list[Link]:
    query = select(LinkRow).where(LinkRow.session_id == session_id)
    if not include_revoked:
        query = query.where(LinkRow.revoked_at.is_(None))
    return [_link(row) for row in db.scalars(query.order_by(LinkRow.id))]


# ── idempotency ───────────────────────────────────────────────────────────────────────


def recall_response(db: Session, session_id: str, key: str) -> Mapping[str, Any] | None:
    """The response already given for this idempotency key, if any."""
    return recall_responses(db, session_id, [key]).get(key)


def recall_responses(
    db: Session, session_id: str, keys: Collection[str]
) -> dict[str, Mapping[str, Any]]:
    """The responses already given for any of `keys`, by key (one query)."""
    if not keys:
        return {}
    rows = db.execute(_RESPONSES, {"session_id": session_id, "keys": sorted(set(keys))})
    return {row.key: row.response_json for row in rows}


# Asked by every batch of notes that carry keys: built once (see `_LIVE_LINKS`).
_idempotency = IdempotencyRow.__table__
_RESPONSES = (
    select(_idempotency.c.key, _idempotency.c.response_json)
    .where(_idempotency.c.session_id == bindparam("session_id"))
    .where(_idempotency.c.key.in_(bindparam("keys", expanding=True)))
)


def remember_response(
    db: Session, session_id: str, key: str, response: Mapping[str, Any], *, now: datetime
) -> None:
    """Keep the response for `key`, in the same transaction as the change it answers.

    When two requests with one key race, the second insert raises `IntegrityError`, which
    rolls back its whole transaction: the change is applied once, and the loser can
    `recall_response` the winner's answer after rolling back.
    """
    remember_responses(db, session_id, [(key, response, now)])


def remember_responses(
    db: Session, session_id: str, answers: Sequence[tuple[str, Mapping[str, Any], datetime]]
) -> None:
    """`remember_response` for several `(key, response, now)` at once (one statement)."""
    if not answers:
        return
    db.execute(
        insert(IdempotencyRow),
        [
            {
                "session_id": session_id,
                "key": key,
                "response_json": dict(response),
                "created_at": at,
            }
            for key, response, at in answers
        ],
    )


def forget_responses(db: Session, *, before: datetime) -> int:
    """Drop responses older than `before` (a retry comes within minutes); return how many."""
    result = db.execute(
        delete(IdempotencyRow).where(IdempotencyRow.created_at < before),
        execution_options={"synchronize_session": False},
    )
    return _rowcount(result)


# ── listing (added for the live app's organizer page, issue 3) ────────────────────────


def list_sessions(db: Session) -> list[StoredSession]:
    """Every session, newest first."""
    rows = db.scalars(select(SessionRow).order_by(SessionRow.created_at.desc(), SessionRow.id))
    return [
        StoredSession(r.id, r.title, r.spec_json, r.created_at, r.run_state_json, r.run_version)
        for r in rows
    ]
