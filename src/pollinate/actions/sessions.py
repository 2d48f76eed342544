"""Create a live session from a session file, a roster and a plan, and hand out its links.

    SessionSpec + Roster + Plan ────────▶ create_live_session ─▶ sessions, participants,
                                           plans, join_codes, links rows (one commit)
                                                   │
                                                   ▼
                                          CreatedSession: the raw tokens, shown once

One link per role (facilitator, projector, rapporteur, online moderator), one per table
host and one per participant. Tokens are random (`repositories.TOKEN_BYTES`, 192 bits)
and only their hashes are stored, so this is the one moment they can be printed.
`pollinate session create`, `pollinate demo` and the organizer page all come through here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from pollinate.actions.live import Store
from pollinate.core.planner.model import Plan, PlanMetrics
from pollinate.core.roles import Role
from pollinate.core.roster import Attendance, Roster
from pollinate.core.session import SessionSpec
from pollinate.store import join_codes, repositories
from pollinate.store.documents import spec_document

SCREEN_ROLES = (Role.FACILITATOR, Role.PROJECTOR, Role.RAPPORTEUR, Role.ONLINE_MODERATOR)
"""Roles with one shared link per session, not tied to a person or a table."""

LINK_KEYS = (
    "facilitator",
    "projector",
    "rapporteur",
    "online_moderator",
    "host",
    "participant",
    "online_participant",
)
"""The keys of the links document (`demo-links.json`, `session create`'s output)."""


@dataclass(frozen=True, slots=True)
class IssuedLink:
    """A link just created: its raw token (never stored) and whom it is for."""

    link_id: int
    role: Role
    token: str
    participant_id: str | None = None
    table: str | None = None
    name: str = ""
    email: str = ""
    online: bool = False


@dataclass(frozen=True, slots=True)
class CreatedSession:
    """A stored session, its join code and every link, with tokens, made for it."""

    session_id: str
    join_code: str
    links: tuple[IssuedLink, ...]

    def example_links(self) -> dict[str, IssuedLink]:
        """One link per key of `LINK_KEYS` (host, one onsite and one online participant)."""
        chosen: dict[str, IssuedLink] = {}
        # Onsite links first, so "host" is a table's host when there is one.
        for link in sorted(self.links, key=lambda link: link.online):
            key = link.role.value
            if link.role is Role.PARTICIPANT and link.online:
                key = "online_participant"
            chosen.setdefault(key, link)
        return chosen


def link_url(base_url: str, token: str) -> str:
    """The address that opens a link: visiting it sets the cookie and shows the role's page."""
    return f"{base_url.rstrip('/')}/l/{token}"


def links_document(created: CreatedSession, base_url: str) -> dict[str, Any]:
    """`{"base_url", "session_id", "links": {role: url}, "tokens": {role: token}}`.

    A role the session has nobody for (no online participant, say) is left out.
    """
    chosen = created.example_links()
    keys = [key for key in LINK_KEYS if key in chosen]
    return {
        "base_url": base_url.rstrip("/"),
        "session_id": created.session_id,
        "links": {key: link_url(base_url, chosen[key].token) for key in keys},
        "tokens": {key: chosen[key].token for key in keys},
    }


def create_live_session(
    store: Store,
    spec: SessionSpec,
    roster: Roster,
    plan: Plan,
    metrics: PlanMetrics | None,
    *,
    now: datetime,
) -> CreatedSession:
    """Store the session, roster and plan with a join code and every link; one commit."""
    with store.begin() as db:
        session_id = repositories.create_session(
            db, title=spec.title, spec=spec_document(spec), now=now
        )
        repositories.save_roster(db, session_id, roster)
        repositories.save_plan(db, session_id, plan, metrics)
        code = join_codes.create_join_code(db, session_id, now=now)
        links = issue_links(db, session_id, roster, plan, now=now)
    return CreatedSession(session_id, code, links)


def issue_links(
    db: Session, session_id: str, roster: Roster, plan: Plan, *, now: datetime
) -> tuple[IssuedLink, ...]:
    """Create the screen links, one link per table host and one per other person."""
    issued: list[IssuedLink] = []
    for role in SCREEN_ROLES:
        token, link = repositories.create_link(db, session_id, role, now=now)
        issued.append(IssuedLink(link.id, role, token))
    hosts = {participant_id: place for place, participant_id in plan.hosts.items()}
    online_places = {place.name for place in plan.places if place.online}
    for place in plan.places:
        if place.name not in plan.hosts:
            # A table nobody was chosen to host still needs someone to write its notes.
            token, link = repositories.create_link(
                db, session_id, Role.HOST, now=now, table=place.name
            )
            issued.append(
                IssuedLink(link.id, Role.HOST, token, table=place.name, online=place.online)
            )
    for person in roster:
        hosted = hosts.get(person.id)
        role = Role.HOST if hosted else Role.PARTICIPANT
        token, link = repositories.create_link(
            db, session_id, role, now=now, participant_id=person.id, table=hosted
        )
        first_place = hosted or (plan.place_of(person.id, 1) if plan.rounds else None)
        issued.append(
            IssuedLink(
                link.id,
                role,
                token,
                participant_id=person.id,
                table=first_place,
                name=person.name,
                email=person.email or "",
                online=person.attendance is Attendance.ONLINE or first_place in online_places,
            )
        )
    return tuple(issued)


def links_by_person(links: tuple[IssuedLink, ...]) -> Mapping[str, IssuedLink]:
    """The personal links by participant id."""
    return {link.participant_id: link for link in links if link.participant_id}
