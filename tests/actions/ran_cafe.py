"""A café that has run, stored with the live app's own actions: the report's raw material.

The café of tests/web/conftest.py (two tables and an online room, nine people), with a
session file that names its roles, and this run (times UTC):

    09:00 Start: Welcome            09:05 Next: Round one ("What works?")
    09:10 three notes (Table 1, Table 2, Room 1), a second apart
    09:21 Next: Round two           09:25 two notes (Table 1, Room 1)
    09:38 Next: Report back         09:44 Finish

p01 to p07 were checked in (p01–p02 and p04–p07 onsite, p03 online), p08 and p09 never.
"""

from __future__ import annotations

import dataclasses
from datetime import date, time, timedelta

import anyio

from pollinate.actions.agenda import command_agenda
from pollinate.actions.live import Store
from pollinate.actions.notes import NoteWriter, accept_note
from pollinate.actions.seating import mark_present
from pollinate.actions.sessions import create_live_session
from pollinate.core.agenda import Command, Finish, Next, Start
from pollinate.core.roles import Role
from pollinate.core.session import Roles, SessionSpec
from pollinate.live.memory import MemoryBus
from tests.web.conftest import PLAN, ROSTER, START, cafe_spec

ROLES = Roles(
    onsite_moderator="Ada Moderna, Open MIC",
    online_moderator="Olu Onyeka",
    rapporteur="Person 5",  # also on the roster as p05: named here, never elsewhere
)
NOTES = (
    (1, "Table 1", "Local networks build trust."),
    (1, "Table 2", "Trust grows where data is shared openly."),
    (1, "Room 1", "Online rooms need a shared document."),
    (2, "Table 1", "Investors should ask about human rights risks."),
    (2, "Room 1", "Civil society can map the risks first."),
)
HOSTS = {"Table 1": "p01", "Table 2": "p02", "Room 1": "p03"}
PRESENT = ("p01", "p02", "p03", "p04", "p05", "p06", "p07")


def report_spec() -> SessionSpec:
    return dataclasses.replace(
        cafe_spec(),
        event="Internet Governance Forum",
        date=date(2025, 6, 24),
        start_time=time(9, 0),
        timezone="UTC",
        roles=ROLES,
        sdg_targets=("9", "12.6"),
    )


def run_cafe(store: Store, spec: SessionSpec | None = None) -> str:
    """Create, run and finish the café; return its session id."""
    created = create_live_session(store, spec or report_spec(), ROSTER, PLAN, None, now=START)
    anyio.run(_run, store, created.session_id)
    return created.session_id


async def _run(store: Store, session_id: str) -> None:
    bus = MemoryBus()
    moments: list[tuple[int, Command]] = [(0, Start()), (5, Next())]
    for minute, command in moments:
        await command_agenda(store, bus, session_id, command, now=START + timedelta(minutes=minute))
    for person in PRESENT:
        await mark_present(store, bus, session_id, person, now=START + timedelta(minutes=6))
    await _notes(store, bus, session_id, round=1, minute=10)
    await command_agenda(store, bus, session_id, Next(), now=START + timedelta(minutes=21))
    await _notes(store, bus, session_id, round=2, minute=25)
    await command_agenda(store, bus, session_id, Next(), now=START + timedelta(minutes=38))
    await command_agenda(store, bus, session_id, Finish(), now=START + timedelta(minutes=44))
    await bus.close()


async def _notes(store: Store, bus: MemoryBus, session_id: str, *, round: int, minute: int):
    for position, (number, table, text) in enumerate(NOTES):
        if number != round:
            continue
        writer = NoteWriter(Role.HOST, table=table, participant_id=HOSTS[table])
        await accept_note(
            store,
            bus,
            session_id,
            writer,
            round=round,
            table=table,
            text=text,
            now=START + timedelta(minutes=minute, seconds=position),  # each its own time
        )
