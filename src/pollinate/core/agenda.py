"""Running the agenda live: the run state and the facilitator's commands.

    NOT_STARTED ──Start──▶ RUNNING ──Pause──▶ PAUSED
                           ▲  │  ◀──Resume──  │
                           │  │               │
      Next / Previous ─────┘  └─Finish────────┴─Finish──▶ FINISHED
      (from either; the target block starts    ▲
       afresh with its full time)              └─ Next on the last block

    Extend: RUNNING or PAUSED, stays in its phase.   Broadcast: any phase.

`apply(state, command, spec=, now=)` is the only way a run state changes. It is pure:
the clock comes in as `now`, and the result is the new state plus the events the
live pages need (`pollinate.core.events`). A command that does not fit the phase
raises `AgendaError` with a sentence for the facilitator.

The timer never acts by itself: at zero it shows 0 and the block goes on until the
facilitator presses Next. A World Café conversation is cut by a person reading the
room, not by a clock, and a server-side auto-advance would need a scheduler that can
fire while nobody is connected.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import assert_never

from pollinate.core.events import (
    BlockStarted,
    BroadcastSent,
    Event,
    SessionFinished,
    TimerExtended,
    TimerPaused,
    TimerResumed,
)
from pollinate.core.notes import clean_live_text
from pollinate.core.session import AgendaBlock, SessionSpec
from pollinate.errors import AgendaError, InputError

MAX_EXTEND_MINUTES = 120
"""The most one Extend may add: a whole World Café rarely runs longer than two hours."""
MAX_BROADCAST_CHARS = 500
"""The longest broadcast: it must fit a phone screen and a projector without scrolling."""


class RunPhase(StrEnum):
    """Where a session's live run is; each member says how it is entered."""

    NOT_STARTED = "not_started"  # nothing runs yet; every new session begins here
    RUNNING = "running"  # a block's timer counts down; entered by Start, Resume, Next, Previous
    PAUSED = "paused"  # the timer is frozen at its time left; entered by Pause
    FINISHED = "finished"  # the session is over for good; entered by Finish or Next on the last


@dataclass(frozen=True, slots=True)
class RunState:
    """The live state of one session's agenda, as the store keeps it.

    `block_index` indexes `spec.agenda` while RUNNING or PAUSED. While RUNNING the
    timer is `ends_at`; while PAUSED it is `remaining_seconds`, frozen at the pause.
    `started_at` is when the current block last started with its full time. `version`
    goes up by one with every command applied, a broadcast included, so the store can
    refuse a command issued against a state someone else has already changed (two
    facilitator consoles pressing Next at once move on one block, not two).

    >>> RunState().phase
    <RunPhase.NOT_STARTED: 'not_started'>
    """

    phase: RunPhase = RunPhase.NOT_STARTED
    block_index: int | None = None
    ends_at: datetime | None = None
    remaining_seconds: float | None = None
    started_at: datetime | None = None
    version: int = 0

    def __post_init__(self) -> None:
        # The store rebuilds states from rows; a state that breaks these is corrupt.
        on_block = self.phase in (RunPhase.RUNNING, RunPhase.PAUSED)
        if on_block != (self.block_index is not None) or on_block != (self.started_at is not None):
            raise ValueError(f"{self.phase}: block_index and started_at are set exactly on a block")
        if (self.phase is RunPhase.RUNNING) != (self.ends_at is not None):
            raise ValueError(f"{self.phase}: ends_at is set exactly while running")
        if (self.phase is RunPhase.PAUSED) != (self.remaining_seconds is not None):
            raise ValueError(f"{self.phase}: remaining_seconds is set exactly while paused")
        if self.block_index is not None and self.block_index < 0:
            raise ValueError(f"block_index cannot be negative: {self.block_index}")
        if self.remaining_seconds is not None and self.remaining_seconds < 0:
            raise ValueError(f"remaining_seconds cannot be negative: {self.remaining_seconds}")
        for moment in (self.ends_at, self.started_at):
            if moment is not None and moment.utcoffset() is None:
                raise ValueError("ends_at and started_at must be timezone-aware")
        if self.version < 0:
            raise ValueError(f"version cannot be negative: {self.version}")


@dataclass(frozen=True, slots=True)
class Start:
    """Start the first block of the agenda."""


@dataclass(frozen=True, slots=True)
class Pause:
    """Freeze the timer at the time left."""


@dataclass(frozen=True, slots=True)
class Resume:
    """Let a paused timer run again from where it stopped."""


@dataclass(frozen=True, slots=True)
class Extend:
    """Give the current block `minutes` more (1 to `MAX_EXTEND_MINUTES`).

    >>> Extend(5).minutes
    5
    """

    minutes: int

    def __post_init__(self) -> None:
        minutes = self.minutes
        if isinstance(minutes, bool) or not 1 <= minutes <= MAX_EXTEND_MINUTES:
            raise InputError(
                f"cannot extend by {minutes!r} minutes",
                field="minutes",
                advice=f"Choose a whole number of minutes from 1 to {MAX_EXTEND_MINUTES}.",
            )


@dataclass(frozen=True, slots=True)
class Next:
    """Start the next block with its full time; on the last block, finish the session."""


@dataclass(frozen=True, slots=True)
class Previous:
    """Go back to the previous block and start it again with its full time."""


@dataclass(frozen=True, slots=True)
class Broadcast:
    """Show `message` on every screen; it is cleaned on construction (1 to 500 characters).

    >>> Broadcast("  Five minutes left\\r\\n").message
    'Five minutes left'
    """

    message: str

    def __post_init__(self) -> None:
        cleaned = clean_live_text(
            self.message, field="message", limit=MAX_BROADCAST_CHARS, what="message"
        )
        object.__setattr__(self, "message", cleaned)


@dataclass(frozen=True, slots=True)
class Finish:
    """End the session now, wherever the agenda is."""


Command = Start | Pause | Resume | Extend | Next | Previous | Broadcast | Finish
"""Anything the facilitator console can ask of the agenda."""

_NOT_STARTED = "The session has not started yet; press Start first."
_FINISHED = "The session has finished; its agenda cannot run again."


def apply(
    state: RunState, command: Command, *, spec: SessionSpec, now: datetime
) -> tuple[RunState, tuple[Event, ...]]:
    """Apply one facilitator command: the new state and the events to publish.

    `now` is the server's clock and must be timezone-aware (`ValueError` otherwise).
    A command that does not fit the phase raises `AgendaError` and changes nothing.

    >>> from pollinate.core.session import AgendaBlock, BlockKind
    >>> spec = SessionSpec("Café", 20, (AgendaBlock(BlockKind.ROUND, "Round 1", 20, "Why?"),))
    >>> nine = datetime(2025, 6, 24, 9, 0, tzinfo=UTC)
    >>> state, events = apply(RunState(), Start(), spec=spec, now=nine)
    >>> state.phase.value, state.ends_at.isoformat(), [event.type for event in events]
    ('running', '2025-06-24T09:20:00+00:00', ['block.started'])
    """
    now = _utc(now)
    if isinstance(command, Broadcast):
        return _next_version(state), (BroadcastSent(command.message, now),)
    if state.phase is RunPhase.FINISHED:
        raise AgendaError(_FINISHED)
    if state.phase is RunPhase.NOT_STARTED:
        if not isinstance(command, Start):
            raise AgendaError(_NOT_STARTED)
        if not spec.agenda:
            raise AgendaError("The agenda has no blocks; add one to the session file first.")
        return _enter_block(state, 0, spec=spec, now=now)
    index = _on_block(state)
    if not isinstance(command, Finish):
        _check_agenda_fits(index, spec)
    match command:
        case Start():
            raise AgendaError("The session is already running; use Next to move on.")
        case Pause():
            return _pause(state, index, now)
        case Resume():
            return _resume(state, index, now)
        case Extend():
            return _extend(state, index, command.minutes, now)
        case Next():
            if index + 1 == len(spec.agenda):
                return _finish(state, now)
            return _enter_block(state, index + 1, spec=spec, now=now)
        case Previous():
            if index == 0:
                raise AgendaError("This is the first block of the agenda; there is no previous.")
            return _enter_block(state, index - 1, spec=spec, now=now)
        case Finish():
            return _finish(state, now)
        case _:
            assert_never(command)


def _pause(state: RunState, index: int, now: datetime) -> tuple[RunState, tuple[Event, ...]]:
    if state.phase is RunPhase.PAUSED:
        raise AgendaError("The timer is already paused; press Resume to continue.")
    remaining = time_left(state, now)
    assert remaining is not None  # noqa: S101 - RUNNING always has ends_at (__post_init__)
    paused = dataclasses.replace(
        state,
        phase=RunPhase.PAUSED,
        ends_at=None,
        remaining_seconds=remaining,
        version=state.version + 1,
    )
    return paused, (TimerPaused(index, remaining),)


def _resume(state: RunState, index: int, now: datetime) -> tuple[RunState, tuple[Event, ...]]:
    if state.phase is RunPhase.RUNNING or state.remaining_seconds is None:
        raise AgendaError("The timer is already running; there is nothing to resume.")
    ends_at = now + timedelta(seconds=state.remaining_seconds)
    running = dataclasses.replace(
        state,
        phase=RunPhase.RUNNING,
        ends_at=ends_at,
        remaining_seconds=None,
        version=state.version + 1,
    )
    return running, (TimerResumed(index, ends_at),)


def _extend(
    state: RunState, index: int, minutes: int, now: datetime
) -> tuple[RunState, tuple[Event, ...]]:
    extra = timedelta(minutes=minutes)
    if state.remaining_seconds is not None:
        remaining = state.remaining_seconds + extra.total_seconds()
        paused = dataclasses.replace(state, remaining_seconds=remaining, version=state.version + 1)
        return paused, (TimerExtended(index, minutes, None, remaining),)
    assert state.ends_at is not None  # noqa: S101 - RUNNING always has ends_at (__post_init__)
    # Extending an overrun block gives time from now: "5 more minutes" said at 0:00
    # means five minutes of talk, not five minutes minus however long 0:00 was shown.
    ends_at = max(state.ends_at, now) + extra
    running = dataclasses.replace(state, ends_at=ends_at, version=state.version + 1)
    return running, (TimerExtended(index, minutes, ends_at, None),)


def _enter_block(
    state: RunState, index: int, *, spec: SessionSpec, now: datetime
) -> tuple[RunState, tuple[Event, ...]]:
    block = spec.agenda[index]
    ends_at = now + timedelta(minutes=block.minutes)
    running = RunState(
        phase=RunPhase.RUNNING,
        block_index=index,
        ends_at=ends_at,
        started_at=now,
        version=state.version + 1,
    )
    event = BlockStarted(
        block_index=index,
        kind=block.kind,
        title=block.title,
        round=round_number(spec, index),
        question=block.question,
        minutes=block.minutes,
        ends_at=ends_at,
    )
    return running, (event,)


def _finish(state: RunState, now: datetime) -> tuple[RunState, tuple[Event, ...]]:
    return RunState(RunPhase.FINISHED, version=state.version + 1), (SessionFinished(now),)


def _next_version(state: RunState) -> RunState:
    return dataclasses.replace(state, version=state.version + 1)


def _on_block(state: RunState) -> int:
    assert state.block_index is not None  # noqa: S101 - RUNNING/PAUSED have one (__post_init__)
    return state.block_index


def _check_agenda_fits(index: int, spec: SessionSpec) -> None:
    # The organizer may upload a changed session file while a session runs; Finish and
    # Broadcast still work then, so the facilitator is never stuck.
    if index >= len(spec.agenda):
        raise AgendaError(
            f"The session is on block {index + 1}, but the agenda now has only "
            f"{len(spec.agenda)}; restore the session file or press Finish."
        )


def _utc(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware: pass the server clock with tzinfo=UTC")
    # Python subtracts two datetimes sharing one tzinfo by wall clock (datetime docs,
    # "Supported operations"), which is an hour off across a DST change in a zone such
    # as Europe/Berlin; in UTC wall clock and elapsed time agree.
    return now.astimezone(UTC)


def time_left(state: RunState, now: datetime) -> float | None:
    """Seconds left in the current block at server time `now`; None when no block runs.

    Never negative: an overrun block shows 0 and stays (see `time_over`). It depends
    only on the state and `now`, so every page shows the same figure; correcting for
    a device's wrong clock is the web layer's job.
    """
    now = _utc(now)
    if state.phase is RunPhase.PAUSED:
        return state.remaining_seconds
    if state.phase is RunPhase.RUNNING and state.ends_at is not None:
        return max(0.0, (state.ends_at.astimezone(UTC) - now).total_seconds())
    return None


def time_over(state: RunState, now: datetime) -> float | None:
    """Seconds the running block has gone past its end (0 if not yet); None when not running.

    The facilitator console shows this as "+2:13" so that moving on stays a choice.
    """
    now = _utc(now)
    if state.phase is RunPhase.RUNNING and state.ends_at is not None:
        return max(0.0, (now - state.ends_at.astimezone(UTC)).total_seconds())
    return None


def current_block(state: RunState, spec: SessionSpec) -> AgendaBlock | None:
    """The agenda block being run or paused; None before Start and after Finish."""
    if state.block_index is None or state.block_index >= len(spec.agenda):
        return None
    return spec.agenda[state.block_index]


def round_number(spec: SessionSpec, block_index: int) -> int | None:
    """The round number (from 1) of the block at `block_index`, or None if it is no round.

    >>> from pollinate.core.session import AgendaBlock, BlockKind
    >>> spec = SessionSpec("Café", 35, (AgendaBlock(BlockKind.INTRO, "Welcome", 5),
    ...     AgendaBlock(BlockKind.ROUND, "Round 1", 15, "Why?"),
    ...     AgendaBlock(BlockKind.ROUND, "Round 2", 15, "How?")))
    >>> [round_number(spec, index) for index in range(3)]
    [None, 1, 2]
    """
    if not spec.agenda[block_index].is_round:
        return None
    return sum(1 for block in spec.agenda[: block_index + 1] if block.is_round)


def current_round(state: RunState, spec: SessionSpec) -> int | None:
    """The round number (from 1) when the current block is a round, else None."""
    if current_block(state, spec) is None or state.block_index is None:
        return None
    return round_number(spec, state.block_index)


def next_round_number(state: RunState, spec: SessionSpec) -> int | None:
    """The number of the first round after the current block (before Start: of the first
    round); None once no round is left. Pages show it between rounds ("Round 2 next"),
    and it names the round a late arrival will first be seated in.
    """
    if state.phase is RunPhase.FINISHED:
        return None
    first = 0 if state.block_index is None else state.block_index + 1
    for index in range(first, len(spec.agenda)):
        number = round_number(spec, index)
        if number is not None:
            return number
    return None
