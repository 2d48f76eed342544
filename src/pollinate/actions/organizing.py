"""The organizer's use cases: create a session from files, re-plan before Start, links.

    session file + roster (upload or CLI) ─▶ parse ─▶ build_request ─▶ plan_session
                                           ─▶ sessions.create_live_session ─▶ links
    re-plan before Start ─▶ plan_session on the stored roster ─▶ save_plan
    revoke / reissue a link ─▶ the old token stops working at once

Nothing here publishes except the re-plan (`seating.changed`): creating a session has
no audience yet, and a revoked link's page simply stops being answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

import anyio.to_thread
from sqlalchemy.orm import Session

from pollinate.actions.live import (
    Store,
    append_events,
    commit_and_publish,
    load_live,
    transact,
)
from pollinate.actions.sessions import CreatedSession, IssuedLink, create_live_session
from pollinate.core.agenda import RunPhase
from pollinate.core.events import SeatingChanged
from pollinate.core.roster import Roster
from pollinate.core.session import SessionSpec
from pollinate.errors import NotAllowed
from pollinate.live.bus import Bus
from pollinate.store import repositories

ORGANIZER_PLAN_SECONDS = 10.0  # the organizer waits for the page; the CLI allows longer


def example_session_path() -> Path:
    """The packaged example session (the IGF World Café of the seed proposal)."""
    return Path(str(resources.files("pollinate") / "examples" / "igf-world-cafe.yaml"))


def plan_and_create(
    store: Store,
    spec: SessionSpec,
    roster: Roster,
    *,
    now: datetime,
    seed: int = 0,
    time_limit: float = ORGANIZER_PLAN_SECONDS,
) -> CreatedSession:
    """Plan seats for `roster` and store the session with every link (one commit)."""
    from pollinate.actions.planning import SeatingFlags, build_request, plan_session

    request = build_request(roster, spec, SeatingFlags(seed=seed, time_limit=time_limit))
    outcome = plan_session(request)
    return create_live_session(store, spec, roster, outcome.plan, outcome.metrics, now=now)


async def create_from_files(
    store: Store, session_file: bytes, roster_file: bytes, roster_name: str, *, now: datetime
) -> CreatedSession:
    """Parse an uploaded session file and roster, then plan and create the session.

    Raises `InputError` naming the file, row and field of the first problem.
    """
    from pollinate.io.roster_file import parse_roster
    from pollinate.io.session_file import parse_session_bytes

    def work() -> CreatedSession:
        spec = parse_session_bytes(session_file, file="session file")
        imported = parse_roster(roster_file, filename=roster_name or "roster.csv")
        return plan_and_create(store, spec, imported.roster, now=now)

    return await anyio.to_thread.run_sync(work)


async def replan_before_start(
    store: Store, bus: Bus, session_id: str, *, now: datetime, seed: int = 0
) -> None:
    """Plan the whole session again from its roster; only before the session starts."""
    from pollinate.actions.planning import SeatingFlags, build_request, plan_session

    def snapshot(db: Session) -> tuple[SessionSpec, Roster, int]:
        live = load_live(db, session_id)
        if live.state.phase is not RunPhase.NOT_STARTED:
            raise NotAllowed("The session has started; late changes re-plan later rounds only.")
        return live.spec, repositories.load_roster(db, session_id), live.plan_version

    spec, roster, version = await transact(store, snapshot)
    request = build_request(
        roster, spec, SeatingFlags(seed=seed, time_limit=ORGANIZER_PLAN_SECONDS)
    )
    outcome = await anyio.to_thread.run_sync(lambda: plan_session(request))

    def work(db: Session) -> tuple[None, int]:
        seq = append_events(db, session_id, [SeatingChanged(1)], now=now)  # locks the row
        live = load_live(db, session_id)
        if live.plan_version != version or live.state.phase is not RunPhase.NOT_STARTED:
            raise NotAllowed("The plan or the session changed meanwhile; look and try again.")
        repositories.save_plan(db, session_id, outcome.plan, outcome.metrics)
        return None, seq

    await commit_and_publish(store, bus, session_id, work)


@dataclass(frozen=True, slots=True)
class LinkEntry:
    """A link as the organizer's list shows it: the grant and for whom, never the token."""

    link: repositories.Link
    name: str


async def link_entries(store: Store, session_id: str) -> list[LinkEntry]:
    """Every live link of the session, with the name of the person it belongs to."""

    def work(db: Session) -> list[LinkEntry]:
        roster = repositories.load_roster(db, session_id)
        names = {person.id: person.name for person in roster}
        return [
            LinkEntry(link, names.get(link.participant_id or "", ""))
            for link in repositories.list_links(db, session_id)
        ]

    return await transact(store, work)


def _link_of_session(db: Session, session_id: str, link_id: int) -> repositories.Link:
    for link in repositories.list_links(db, session_id):
        if link.id == link_id:
            return link
    raise LookupError(f"There is no live link {link_id} in this session.")


async def revoke_link(store: Store, session_id: str, link_id: int, *, now: datetime) -> None:
    """Stop a link of this session from working."""

    def work(db: Session) -> None:
        _link_of_session(db, session_id, link_id)
        repositories.revoke_link(db, link_id, now=now)

    await transact(store, work)


async def reissue_link(store: Store, session_id: str, link_id: int, *, now: datetime) -> IssuedLink:
    """Replace a lost or leaked link: the old token stops, a new one is returned once."""

    def work(db: Session) -> IssuedLink:
        _link_of_session(db, session_id, link_id)
        token, link = repositories.reissue_link(db, link_id, now=now)
        return IssuedLink(link.id, link.role, token, link.participant_id, link.table)

    return await transact(store, work)
