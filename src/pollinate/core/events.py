"""What the live app tells the pages, and who may hear it.

    facilitator command ──agenda.apply()────────────┐
    host note ──notes.take_note()──NoteAdded.from_note()──┤
                                                    ▼
    actions/ commit ──▶ store/outbox: event.type + json(event.to_payload())
                                                    │
    web/sse ──event_from_payload(type, payload)──▶ receives(event, role=, table=, spec=)
                                                    │ yes
                                                    ▼
                                              the page updates

Every event is a frozen dataclass whose fields all come from `ALLOWED_FIELDS`: block,
round, table, question, timer figures, a broadcast message, note text, board and vote
counters (a revision, a vote id, dots and ballots counted) and check-in counts. None carries
a name, an email or any other roster field, so a page cannot leak what it is never
sent. Who receives what is decided in `audience` alone (Zulip's lesson: sending to the
wrong recipients is a security problem). `docs/live-protocol.md` lists every type.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, get_args, get_type_hints

from pollinate.core.notes import Note
from pollinate.core.roles import Role
from pollinate.core.session import BlockKind, SessionSpec

ALLOWED_FIELDS = frozenset(
    {
        "block_index",
        "kind",
        "title",
        "round",
        "question",
        "minutes",
        "ends_at",
        "remaining_seconds",
        "message",
        "sent_at",
        "finished_at",
        "note_id",
        "table",
        "text",
        "taken_at",
        "highlighted",
        "revision",
        "shown",
        "vote_id",
        "dots",
        "ballots",
        "present",
        "expected",
        "absent",
    }
)
"""The only field names an event may have; a test holds every event type to it."""


@dataclass(frozen=True, slots=True)
class _EventBase:
    """Shared behaviour: aware datetimes on construction, JSON-ready payloads."""

    type: ClassVar[str]

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, datetime) and value.utcoffset() is None:
                raise ValueError(f"{self.type}: {field.name} must be timezone-aware")

    def to_payload(self) -> dict[str, object]:
        """The fields as JSON-ready values: datetimes in ISO 8601 with offset, enums as text.

        The event type is not part of the payload; the outbox and SSE carry it beside.
        """
        return {
            field.name: _encode(getattr(self, field.name)) for field in dataclasses.fields(self)
        }


@dataclass(frozen=True, slots=True)
class BlockStarted(_EventBase):
    """An agenda block began with its full time (Start, Next or Previous).

    `round` is the round number when the block is a round, else None.
    """

    type: ClassVar[str] = "block.started"
    block_index: int
    kind: BlockKind
    title: str
    round: int | None
    question: str | None
    minutes: int
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class TimerPaused(_EventBase):
    """The timer stopped with `remaining_seconds` left in block `block_index`."""

    type: ClassVar[str] = "timer.paused"
    block_index: int
    remaining_seconds: float


@dataclass(frozen=True, slots=True)
class TimerResumed(_EventBase):
    """The paused timer runs again and now ends at `ends_at`."""

    type: ClassVar[str] = "timer.resumed"
    block_index: int
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class TimerExtended(_EventBase):
    """The current block got `minutes` more.

    While running, `ends_at` is the new end and `remaining_seconds` is None; while
    paused, `remaining_seconds` is the new time left and `ends_at` is None.
    """

    type: ClassVar[str] = "timer.extended"
    block_index: int
    minutes: int
    ends_at: datetime | None
    remaining_seconds: float | None


@dataclass(frozen=True, slots=True)
class BroadcastSent(_EventBase):
    """The facilitator sent a message to every screen."""

    type: ClassVar[str] = "broadcast.sent"
    message: str
    sent_at: datetime


@dataclass(frozen=True, slots=True)
class SessionFinished(_EventBase):
    """The session ended (Finish, or Next on the last block)."""

    type: ClassVar[str] = "session.finished"
    finished_at: datetime


@dataclass(frozen=True, slots=True)
class NoteAdded(_EventBase):
    """A host saved a new note for their table."""

    type: ClassVar[str] = "note.added"
    note_id: str
    round: int
    table: str
    text: str
    taken_at: datetime
    highlighted: bool

    @classmethod
    def from_note(cls, note: Note) -> NoteAdded:
        """The event announcing `note`."""
        return cls(note.id, note.round, note.table, note.text, note.taken_at, note.highlighted)


@dataclass(frozen=True, slots=True)
class NoteEdited(_EventBase):
    """A host changed a note's text or highlight; the event carries the note as it now is."""

    type: ClassVar[str] = "note.edited"
    note_id: str
    round: int
    table: str
    text: str
    highlighted: bool

    @classmethod
    def from_note(cls, note: Note) -> NoteEdited:
        """The event announcing the edited `note`."""
        return cls(note.id, note.round, note.table, note.text, note.highlighted)


@dataclass(frozen=True, slots=True)
class NoteDeleted(_EventBase):
    """A host withdrew a note; `round` and `table` stay so the event reaches the same pages."""

    type: ClassVar[str] = "note.deleted"
    note_id: str
    round: int
    table: str

    @classmethod
    def from_note(cls, note: Note) -> NoteDeleted:
        """The event announcing that `note` is gone."""
        return cls(note.id, note.round, note.table)


@dataclass(frozen=True, slots=True)
class SeatingChanged(_EventBase):
    """The seating changed from round `round` on (people arrived or left).

    It names no one: each page re-fetches its own seat through its own link.
    """

    type: ClassVar[str] = "seating.changed"
    round: int


@dataclass(frozen=True, slots=True)
class PresenceChanged(_EventBase):
    """Someone was checked in or marked absent: how many people are in each state now.

    Counts only, and for the facilitator only: who came is the roster's business, and
    under the Chatham House Rule not even how many others are here reaches the phones.
    """

    type: ClassVar[str] = "presence.changed"
    present: int
    expected: int
    absent: int


@dataclass(frozen=True, slots=True)
class ThemesChanged(_EventBase):
    """The rapporteur's board changed: themes re-clustered or edited, takeaways, dots.

    It carries no theme text, only the board's `revision`: each page fetches the board
    through its own link, which decides what it may see. `shown` says whether the
    report-back view is on, which decides whether the projector and participants hear it.
    """

    type: ClassVar[str] = "themes.changed"
    revision: int
    shown: bool


@dataclass(frozen=True, slots=True)
class ReportBackToggled(_EventBase):
    """The facilitator turned the report-back view on (`shown`) or off."""

    type: ClassVar[str] = "report_back.toggled"
    shown: bool


@dataclass(frozen=True, slots=True)
class VoteOpened(_EventBase):
    """The facilitator opened a dot vote on the current themes, `dots` per participant."""

    type: ClassVar[str] = "vote.opened"
    vote_id: str
    dots: int


@dataclass(frozen=True, slots=True)
class VoteCounted(_EventBase):
    """A ballot was cast or changed; `ballots` is how many the open vote now holds."""

    type: ClassVar[str] = "vote.counted"
    vote_id: str
    ballots: int


@dataclass(frozen=True, slots=True)
class VoteClosed(_EventBase):
    """The facilitator closed the vote; its results are final."""

    type: ClassVar[str] = "vote.closed"
    vote_id: str
    ballots: int


Event = (
    BlockStarted
    | TimerPaused
    | TimerResumed
    | TimerExtended
    | BroadcastSent
    | SessionFinished
    | NoteAdded
    | NoteEdited
    | NoteDeleted
    | SeatingChanged
    | PresenceChanged
    | ThemesChanged
    | ReportBackToggled
    | VoteOpened
    | VoteCounted
    | VoteClosed
)
"""Any event the live app sends."""

EVENT_TYPES: Mapping[str, type[Event]] = types.MappingProxyType(
    {
        cls.type: cls
        for cls in (
            BlockStarted,
            TimerPaused,
            TimerResumed,
            TimerExtended,
            BroadcastSent,
            SessionFinished,
            NoteAdded,
            NoteEdited,
            NoteDeleted,
            SeatingChanged,
            PresenceChanged,
            ThemesChanged,
            ReportBackToggled,
            VoteOpened,
            VoteCounted,
            VoteClosed,
        )
    }
)
"""Every event class by its `type` string."""


def _field_types(cls: type) -> Mapping[str, object]:
    hints = get_type_hints(cls)
    return types.MappingProxyType({f.name: hints[f.name] for f in dataclasses.fields(cls)})


# Resolved once: typing.get_type_hints costs about a millisecond a call, and a worker
# decodes every event of every session it streams.
_FIELD_TYPES = {name: _field_types(cls) for name, cls in EVENT_TYPES.items()}


def event_from_payload(type: str, payload: Mapping[str, object]) -> Event:
    """Rebuild the event that `to_payload()` produced; `ValueError` if it does not fit.

    The outbox stores type and payload as JSON, so this is what replay calls. Unknown
    keys are refused rather than ignored: a payload may only ever hold allowed fields.

    >>> event = TimerPaused(block_index=2, remaining_seconds=90.0)
    >>> event_from_payload(event.type, event.to_payload()) == event
    True
    """
    cls = EVENT_TYPES.get(type)
    if cls is None:
        raise ValueError(f"unknown event type {type!r}")
    hints = _FIELD_TYPES[type]
    fields = hints.keys()
    if unknown := sorted(set(payload) - fields):
        raise ValueError(f"{type}: unexpected fields {', '.join(unknown)}")
    if missing := sorted(fields - set(payload)):
        raise ValueError(f"{type}: missing fields {', '.join(missing)}")
    values: dict[str, Any] = {
        name: _decode(hints[name], payload[name], f"{type}.{name}") for name in fields
    }
    return cls(**values)


def _encode(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return value


def _decode(hint: object, value: object, where: str) -> object:
    """Check one JSON value against its field's type and convert it back."""
    if isinstance(hint, types.UnionType):
        if value is None:
            return None
        (inner,) = (arg for arg in get_args(hint) if arg is not type(None))
        return _decode(inner, value, where)
    if hint is datetime and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        if moment.utcoffset() is None:
            raise ValueError(f"{where}: {value!r} has no UTC offset")
        return moment
    # bool is an int in Python; JSON keeps them apart, and so do we.
    if hint is bool and isinstance(value, bool):
        return value
    if hint is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if hint is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if hint is str and isinstance(value, str):
        return value
    if isinstance(hint, type) and issubclass(hint, StrEnum) and isinstance(value, str):
        return hint(value)
    raise ValueError(f"{where}: {value!r} is not a valid {getattr(hint, '__name__', hint)}")


EVERY_ROLE = frozenset(Role)
NOTE_READERS = frozenset({Role.FACILITATOR, Role.RAPPORTEUR, Role.HOST})
"""Who reads notes in every session: those who run and harvest the conversation, and
the host, who wrote them (for their own table only)."""

BOARD_READERS = frozenset({Role.FACILITATOR, Role.RAPPORTEUR})
"""Who follows the theme board as it changes: those who run and harvest the session."""

REPORT_BACK_AUDIENCE = frozenset({Role.PROJECTOR, Role.PARTICIPANT})
"""Who sees the board once the report-back view is on: the room's screen and, on their
own phones, the people in the room and online (through their participant links)."""

TABLE_BOUND_ROLES = frozenset({Role.HOST, Role.PARTICIPANT})
"""Roles that sit at one table, and so receive a table's events only at that table."""


@dataclass(frozen=True, slots=True)
class Audience:
    """Who receives an event: the roles, and for table-bound roles the one table.

    `round` is the round the table belongs to: a participant changes tables between
    rounds, so "their table" means where they sat in that round.

    >>> Audience(frozenset({Role.HOST}), table="Table 2", round=1).table
    'Table 2'
    """

    roles: frozenset[Role]
    table: str | None = None
    round: int | None = None


def audience(event: Event, *, spec: SessionSpec) -> Audience:
    """Decide which roles receive `event`; the one place that decision is made.

    Timer, block, broadcast, finish and seating events go to every role. Note events
    go to the facilitator and the rapporteur, to the host of the note's table, to the
    online moderator when the table is an online room (they stand in for its host),
    and to participants at that table in that round only when the session file sets
    `participant_notes`; otherwise a participant never sees note text. The organizer
    and the projector never receive notes: the organizer reads them in the report, and
    a projected screen is seen by everyone in the room.

    Board events (`themes.changed`) go to the facilitator and the rapporteur, and to the
    projector and participants only while the report-back view is on: until then the
    themes are the rapporteur's work in progress. A counted ballot (`vote.counted`) goes
    to the facilitator, the rapporteur and the projector, which shows the dots as they
    come; the phones are not told how others vote. Opening and closing a vote and
    turning the report-back view on or off reach every role, as run events do.
    Check-in counts (`presence.changed`) go to the facilitator alone.
    """
    if isinstance(event, PresenceChanged):
        return Audience(frozenset({Role.FACILITATOR}))
    if isinstance(event, ThemesChanged):
        return Audience(BOARD_READERS | REPORT_BACK_AUDIENCE if event.shown else BOARD_READERS)
    if isinstance(event, VoteCounted):
        return Audience(BOARD_READERS | {Role.PROJECTOR})
    if not isinstance(event, NoteAdded | NoteEdited | NoteDeleted):
        return Audience(EVERY_ROLE)
    roles = set(NOTE_READERS)
    if event.table in {room.name for room in spec.rooms}:
        roles.add(Role.ONLINE_MODERATOR)
    if spec.participant_notes:
        roles.add(Role.PARTICIPANT)
    return Audience(frozenset(roles), table=event.table, round=event.round)


def receives(event: Event, *, role: Role, table: str | None, spec: SessionSpec) -> bool:
    """True when a page of `role` should get `event`.

    `table` is where the viewer sits: a host's own table, or for a participant the
    table they sat at in the event's round (`audience(...).round`); None for roles that
    sit at no table. A table-bound viewer without a table receives no table's events.
    """
    return reaches(audience(event, spec=spec), role=role, seat=lambda _round: table)


def reaches(who: Audience, *, role: Role, seat: Callable[[int | None], str | None]) -> bool:
    """True when `who` includes a viewer of `role` who sits at `seat(round)`.

    `seat` is asked only when the answer depends on it (a table-bound role and an event
    for one table), so a worker deciding for thousands of phones looks up their tables
    only for table events.
    """
    if role not in who.roles:
        return False
    if who.table is None or role not in TABLE_BOUND_ROLES:
        return True
    return seat(who.round) == who.table
