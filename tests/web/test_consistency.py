"""Live consistency (STYLE.md 16): a state fetched before an action, plus the events its
stream then delivers, equals the state fetched after it. Done for every action and for
the roles whose pages differ: the console, the projector and a participant's phone.

The events are read from the real stream (`Last-Event-ID` = the stale state's
`last_event_id`), so the test also proves that the stream delivers what the state needs.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from pollinate.actions.live import load_live
from pollinate.core.events import event_from_payload, receives
from pollinate.core.roles import Role
from pollinate.store import outbox
from pollinate.store.db import session_factory
from pollinate.web.views import REFETCH, apply_event, apply_note_event
from tests.web.conftest import LiveCafe
from tests.web.sse_client import open_stream

pytestmark = pytest.mark.anyio

Step = Callable[[LiveCafe], Awaitable[None]]


def control(action: str, **body: object) -> Step:
    async def step(cafe: LiveCafe) -> None:
        await cafe.control(action, **body)

    return step


async def late_arrival(cafe: LiveCafe) -> None:
    answer = await cafe.api.post(
        f"/s/{cafe.session_id}/facilitator/arrivals",
        data={"name": "Late Lena"},
        headers=cafe.headers("facilitator"),
    )
    assert answer.status_code == 303
    assert "Checked+in" in answer.headers["location"]


async def absent(cafe: LiveCafe) -> None:
    answer = await cafe.api.post(
        f"/s/{cafe.session_id}/facilitator/absent",
        data={"participant_id": "p05"},
        headers=cafe.headers("facilitator"),
    )
    assert "Marked+absent" in answer.headers["location"]


async def advance_clock(cafe: LiveCafe) -> None:
    cafe.clock.advance(minutes=1)


START = [control("start")]
ROUND_ONE = [control("start"), control("next")]
# (name, steps before the stale fetch, the action)
ACTIONS: list[tuple[str, list[Step], Step]] = [
    ("start", [], control("start")),
    ("pause", START, control("pause")),
    ("resume", [*START, control("pause"), advance_clock], control("resume")),
    ("extend running", START, control("extend", minutes=4)),
    ("extend paused", [*START, control("pause")], control("extend", minutes=2)),
    ("next", START, control("next")),
    ("previous", ROUND_ONE, control("previous")),
    ("broadcast", START, control("broadcast", message="Five minutes left")),
    ("finish", ROUND_ONE, control("finish")),
    ("next on the last block", [*ROUND_ONE, control("next"), control("next")], control("next")),
    ("late arrival", ROUND_ONE, late_arrival),
    ("mark absent", ROUND_ONE, absent),
]


async def fetch_state(cafe: LiveCafe, role: str) -> dict[str, Any]:
    answer = await cafe.api.get(
        f"/api/sessions/{cafe.session_id}/state", headers=cafe.headers(role)
    )
    assert answer.status_code == 200, answer.text
    state: dict[str, Any] = answer.json()
    return state


def without_clock(view: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in view.items() if key != "server_time"}


ROLES = ["facilitator", "projector", "participant"]


def last_received(cafe: LiveCafe, role: str, after: int) -> int:
    """The seq of the last event after `after` that a page of `role` receives: check-in
    counts (`presence.changed`) reach the facilitator alone, so a late arrival's or an
    absence's last event is not every role's."""
    with session_factory(cafe.db.engine).begin() as db:
        spec = load_live(db, cafe.session_id).spec
        logged = outbox.since(db, cafe.session_id, after, limit=10_000)
    seqs = [
        event.seq
        for event in logged
        if receives(
            event_from_payload(event.type, event.payload), role=Role(role), table=None, spec=spec
        )
    ]
    return max(seqs, default=after)


async def replayed(
    cafe: LiveCafe, role: str, stale: dict[str, Any], through: int
) -> dict[str, Any]:
    """The stale state with every event its stream delivers, up to seq `through`, applied."""
    headers = [*cafe.headers(role).items(), ("Last-Event-ID", str(stale["last_event_id"]))]
    async with open_stream(cafe.app, f"/api/sessions/{cafe.session_id}/events", headers) as s:
        frames = await s.frames_through(through)
    assert frames, f"{role}: the stream delivered nothing"
    view: dict[str, Any] | str = stale
    for frame in frames:
        data = json.loads(frame.data or "")
        assert isinstance(view, dict)
        view = apply_event(view, data["type"], data["payload"], seq=data["seq"])
        if view == REFETCH:
            # The page re-fetches; only pages with a seat of their own may need to.
            assert "my" in stale, f"{role} was asked to re-fetch after {data['type']}"
            view = await fetch_state(cafe, role)
    assert isinstance(view, dict)
    return view


@pytest.mark.parametrize(("name", "before", "action"), ACTIONS, ids=[a[0] for a in ACTIONS])
async def test_stale_state_plus_replayed_events_equals_a_fresh_state(
    live: LiveCafe, name: str, before: list[Step], action: Step
):
    for step in before:
        await step(live)
    stale = {role: await fetch_state(live, role) for role in ROLES}
    await action(live)
    for role in ROLES:
        fresh = await fetch_state(live, role)
        through = last_received(live, role, stale[role]["last_event_id"])
        view = await replayed(live, role, stale[role], through)
        # Events after `through` are not this role's: its state is the same without them
        # (a page that re-fetched has the fresh position already).
        assert view["last_event_id"] in (through, fresh["last_event_id"])
        view["last_event_id"] = fresh["last_event_id"]
        assert without_clock(view) == without_clock(fresh), f"{name}, seen by the {role}"


async def test_stale_notes_plus_replayed_note_events_equal_fresh_notes(live: LiveCafe):
    await live.control("start")
    await live.control("next")
    kept = await live.note("Kept")
    live.clock.advance(seconds=1)  # notes list in the order taken; give each its own time
    path = f"/api/sessions/{live.session_id}/notes"
    stale_state = await fetch_state(live, "rapporteur")
    stale = (await live.api.get(path, headers=live.headers("rapporteur"))).json()
    added = await live.note("Added later")
    live.clock.advance(seconds=1)
    await live.api.patch(
        f"{path}/{kept['id']}", json={"highlighted": True}, headers=live.headers("host")
    )
    await live.api.delete(f"{path}/{added['id']}", headers=live.headers("host"))
    await live.note("Last one")
    headers = [
        *live.headers("rapporteur").items(),
        ("Last-Event-ID", str(stale_state["last_event_id"])),
    ]
    latest = (await fetch_state(live, "rapporteur"))["last_event_id"]
    async with open_stream(live.app, f"/api/sessions/{live.session_id}/events", headers) as s:
        frames = await s.frames_through(latest)
    notes = stale
    for frame in frames:
        data = json.loads(frame.data or "")
        notes = apply_note_event(notes, data["type"], data["payload"])
    fresh = (await live.api.get(path, headers=live.headers("rapporteur"))).json()
    assert notes == fresh
    assert [n["text"] for n in fresh] == ["Kept", "Last one"]
