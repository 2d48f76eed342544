"""Run the agenda: one facilitator command, applied against the stored run state.

    command ─▶ load run state (version v) ─▶ agenda.apply ─▶ save_run_state(expected v)
            ─▶ outbox.append(events) ─▶ commit ─▶ bus.publish

Two consoles pressing Next at once: both load version v, one saves v+1, the other's
compare-and-set fails. A command sent with the version its console showed
(`expected_version`) is then refused, because the facilitator pressed it against a state
that no longer exists; one sent without is re-applied to the new state, so a Broadcast
is never lost to a concurrent Pause.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from pollinate.actions.live import Store, append_events, commit_and_publish, load_live, rounds_begun
from pollinate.core.agenda import Command, RunPhase, RunState, apply
from pollinate.core.events import Event
from pollinate.core.report import agenda_moment
from pollinate.live.bus import Bus
from pollinate.store import agenda_log, redactions, repositories
from pollinate.store.documents import run_state_document

RETRIES = 3  # concurrent commands on one session are rare; three tries settle any burst


class StaleCommand(repositories.VersionConflict):
    """The console sent a command against a state someone else has changed (web: 409)."""


@dataclass(frozen=True, slots=True)
class Commanded:
    """The state a command led to, the events it raised and the seq of the last one."""

    state: RunState
    events: tuple[Event, ...]
    seq: int


async def command_agenda(
    store: Store,
    bus: Bus,
    session_id: str,
    command: Command,
    *,
    now: datetime,
    expected_version: int | None = None,
) -> Commanded:
    """Apply `command`; `AgendaError` if it does not fit, `StaleCommand` if outdated."""

    def work(db: Session) -> tuple[Commanded, int]:
        live = load_live(db, session_id)
        if expected_version is not None and expected_version != live.state.version:
            raise StaleCommand(
                "The agenda changed since this console last updated; "
                "it now shows the current state, so check it and press again."
            )
        state, events = apply(live.state, command, spec=live.spec, now=now)
        repositories.save_run_state(
            db, session_id, run_state_document(state), expected_version=live.state.version
        )
        seq = append_events(db, session_id, events, now=now)
        first = seq - len(events) + 1
        agenda_log.record(
            db,
            session_id,
            [
                (first + offset, moment)
                for offset, event in enumerate(events)
                if (moment := agenda_moment(event, at=now)) is not None
            ],
        )
        # A host may undo a redaction only while the note's round is open: once it closes,
        # the originals (names) kept for that undo go (store/redactions.py).
        on = state.phase in (RunPhase.RUNNING, RunPhase.PAUSED)
        redactions.forget_closed(
            db, session_id, open_round=(rounds_begun(state, live.spec) or None) if on else None
        )
        return Commanded(state, events, seq), seq

    for attempt in range(RETRIES):
        try:
            return await commit_and_publish(store, bus, session_id, work)
        except StaleCommand:
            raise
        except repositories.VersionConflict:
            if expected_version is not None or attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises
