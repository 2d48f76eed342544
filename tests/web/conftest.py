"""A small live café on a real database (SQLite, and PostgreSQL through `db`), its app,
a clock the test moves, and one token per role.

The plan is written by hand, not by the planner, so these tests stay fast and know
exactly who sits where:

    round 1: Table 1 = p01 (host), p04, p05 · Table 2 = p02 (host), p06, p07
    round 2: Table 1 = p01 (host), p06, p07 · Table 2 = p02 (host), p04, p05
    both:    Room 1 (online) = p03 (host), p08, p09
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from pollinate.actions.sessions import CreatedSession, create_live_session
from pollinate.config import Settings
from pollinate.core.planner.model import Place, Plan
from pollinate.core.roles import Role
from pollinate.core.roster import Attendance, Participant, Roster
from pollinate.core.session import AgendaBlock, BlockKind, Room, SessionSpec, Table
from pollinate.live.memory import MemoryBus
from pollinate.store import repositories
from pollinate.store.db import session_factory
from pollinate.web.app import create_app
from pollinate.web.auth import csrf_token, organizer_token
from tests.conftest import Database

START = datetime(2025, 6, 24, 9, 0, tzinfo=UTC)
# Every role whose link opens pages, by the key of `Cafe.tokens`.
ROLES = (
    "facilitator",
    "projector",
    "rapporteur",
    "online_moderator",
    "host",
    "participant",
    "organizer",
)
SECRET = "test-secret-" + "x" * 40

AGENDA = (
    AgendaBlock(BlockKind.INTRO, "Welcome", 5),
    AgendaBlock(BlockKind.ROUND, "Round one", 15, "What works?"),
    AgendaBlock(BlockKind.ROUND, "Round two", 15, "What next?"),
    AgendaBlock(BlockKind.REPORT_BACK, "Report back", 5),
)


def cafe_spec(*, participant_notes: bool = False) -> SessionSpec:
    return SessionSpec(
        title="Test café",
        duration_minutes=40,
        agenda=AGENDA,
        tables=(Table("Table 1", 4), Table("Table 2", 4)),
        rooms=(Room("Room 1", 4, video_link="https://meet.example.org/room-1"),),
        participant_notes=participant_notes,
    )


ONLINE = {"p03", "p08", "p09"}
ROSTER = Roster(
    tuple(
        Participant(
            id=f"p{n:02d}",
            name=f"Person {n}",
            email=f"person{n}@example.org",
            stakeholder_group="civil society" if n % 2 else "government",
            region="Africa" if n % 3 else "Asia-Pacific",
            attendance=Attendance.ONLINE if f"p{n:02d}" in ONLINE else Attendance.ONSITE,
            is_host=n <= 3,
        )
        for n in range(1, 10)
    )
)
PLACES = (
    Place("Table 1", 4),
    Place("Table 2", 4),
    Place("Room 1", 4, online=True, video_link="https://meet.example.org/room-1"),
)
SEATING = (
    {
        "p01": "Table 1", "p04": "Table 1", "p05": "Table 1",
        "p02": "Table 2", "p06": "Table 2", "p07": "Table 2",
        "p03": "Room 1", "p08": "Room 1", "p09": "Room 1",
    },
    {
        "p01": "Table 1", "p06": "Table 1", "p07": "Table 1",
        "p02": "Table 2", "p04": "Table 2", "p05": "Table 2",
        "p03": "Room 1", "p08": "Room 1", "p09": "Room 1",
    },
)  # fmt: skip
PLAN = Plan(PLACES, SEATING, hosts={"Table 1": "p01", "Table 2": "p02", "Room 1": "p03"})


def new_address() -> tuple[str, int]:
    """A test client's own address. Wrong tokens count against the address that sent
    them (actions/access.py), and the attempts table outlives a test on the shared
    PostgreSQL database: one address for all would let tests limit each other."""
    return (f"client-{secrets.token_hex(6)}", 50000)


@dataclass
class Clock:
    """The server clock, moved by the test."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Cafe:
    """A created session with its app, a client, the clock and a token per role."""

    client: TestClient
    session_id: str
    clock: Clock
    db: Database
    tokens: dict[str, str]
    created: CreatedSession
    bus: MemoryBus
    extra: dict[str, object] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"/api/sessions/{self.session_id}/{path}"

    def bearer(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def control(self, action: str, role: str = "facilitator", **body: object):
        return self.client.post(
            self.url("control"), json={"action": action, **body}, headers=self.bearer(role)
        )

    def state(self, role: str = "facilitator") -> dict[str, Any]:
        answer = self.client.get(self.url("state"), headers=self.bearer(role))
        assert answer.status_code == 200, answer.text
        state: dict[str, Any] = answer.json()
        return state

    def csrf(self, role: str) -> str:
        return csrf_token(SECRET, self.tokens[role])

    def open_link(self, role: str) -> TestClient:
        """A fresh browser (own cookie jar) that has opened the role's link."""
        browser = TestClient(self.client.app, base_url="http://testserver", client=new_address())
        answer = browser.get(f"/l/{self.tokens[role]}", follow_redirects=False)
        assert answer.status_code == 303, answer.text
        return browser


def make_cafe(db: Database, *, participant_notes: bool = False, heartbeat: float = 15.0):
    clock = Clock()
    bus = MemoryBus()
    store = session_factory(db.engine)
    created = create_live_session(
        store, cafe_spec(participant_notes=participant_notes), ROSTER, PLAN, None, now=START
    )
    settings = Settings(secret_key=SecretStr(SECRET), heartbeat_seconds=heartbeat)
    app = create_app(settings, engine=db.engine, bus=bus, clock=clock, cluster_in_helper=False)
    chosen = created.example_links()
    tokens = {key: link.token for key, link in chosen.items()}
    by_person = {link.participant_id: link.token for link in created.links if link.participant_id}
    tokens["host"] = by_person["p01"]  # Table 1
    tokens["host_t2"] = by_person["p02"]  # Table 2
    tokens["room_host"] = by_person["p03"]  # Room 1
    tokens["participant"] = by_person["p04"]  # Table 1 in round 1, Table 2 in round 2
    tokens["participant_p06"] = by_person["p06"]  # Table 2, then Table 1
    tokens["online_participant"] = by_person["p08"]
    tokens["organizer"] = organizer_token(SECRET)
    with store.begin() as s:
        revoked, link = repositories.create_link(s, created.session_id, Role.FACILITATOR, now=START)
        repositories.revoke_link(s, link.id, now=START)
    tokens["revoked"] = revoked
    return app, created, clock, bus, tokens


@pytest.fixture
def cafe(db: Database) -> Iterator[Cafe]:
    app, created, clock, bus, tokens = make_cafe(db)
    with TestClient(app, client=new_address()) as client:
        yield Cafe(client, created.session_id, clock, db, tokens, created, bus)


@pytest.fixture
def open_cafe(db: Database) -> Iterator[Cafe]:
    """A café whose session file lets participants add ideas at their table."""
    app, created, clock, bus, tokens = make_cafe(db, participant_notes=True)
    with TestClient(app, client=new_address()) as client:
        yield Cafe(client, created.session_id, clock, db, tokens, created, bus)


# ── the same café driven from the test's event loop (for streams) ──────────────────


@dataclass
class LiveCafe:
    app: object
    api: httpx2.AsyncClient
    session_id: str
    tokens: dict[str, str]
    clock: Clock
    db: Database
    bus: object

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def events_path(self, query: str = "") -> str:
        return f"/api/sessions/{self.session_id}/events{query}"

    async def control(self, action: str, **body: object) -> None:
        answer = await self.api.post(
            f"/api/sessions/{self.session_id}/control",
            json={"action": action, **body},
            headers=self.headers("facilitator"),
        )
        assert answer.status_code == 200, answer.text

    async def latest_seq(self) -> int:
        answer = await self.api.get(
            f"/api/sessions/{self.session_id}/state", headers=self.headers("facilitator")
        )
        return int(answer.json()["last_event_id"])

    async def note(self, text: str, role: str = "host", table: str = "Table 1") -> dict[str, Any]:
        answer = await self.api.post(
            f"/api/sessions/{self.session_id}/notes",
            json={"round": 1, "table": table, "text": text},
            headers=self.headers(role),
        )
        assert answer.status_code == 201, answer.text
        note: dict[str, Any] = answer.json()
        return note


async def cafe_for(db: Database, heartbeat: float = 15.0) -> AsyncIterator[LiveCafe]:
    app, created, clock, bus, tokens = make_cafe(db, heartbeat=heartbeat)
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as api:
        yield LiveCafe(app, api, created.session_id, tokens, clock, db, bus)
    await bus.close()


@pytest.fixture
async def live(db: Database, anyio_backend: str) -> AsyncIterator[LiveCafe]:
    async for cafe in cafe_for(db):
        yield cafe


@pytest.fixture
async def quick(db: Database, anyio_backend: str) -> AsyncIterator[LiveCafe]:
    async for cafe in cafe_for(db, heartbeat=0.05):
        yield cafe
