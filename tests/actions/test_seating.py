from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from pollinate.actions.agenda import command_agenda
from pollinate.actions.live import load_live
from pollinate.actions.seating import (
    JoinLimits,
    TooManyAttempts,
    WalkIn,
    check_in_arrival,
    join_with_code,
    mark_absent,
    mark_present,
)
from pollinate.actions.sessions import create_live_session
from pollinate.core.agenda import Next, Start
from pollinate.core.roster import Attendance
from pollinate.errors import InputError
from pollinate.live.memory import MemoryBus
from pollinate.store import outbox, repositories
from pollinate.store.db import session_factory
from pollinate.store.tables import Presence
from tests.conftest import Database
from tests.web.conftest import PLAN, ROSTER, START, cafe_spec

pytestmark = pytest.mark.anyio


@pytest.fixture
def store(db: Database):
    return session_factory(db.engine)


@pytest.fixture
async def bus(anyio_backend: str):
    live = MemoryBus()
    yield live
    await live.close()


async def in_round_one(store, bus, session_id: str) -> None:
    await command_agenda(store, bus, session_id, Start(), now=START)
    await command_agenda(store, bus, session_id, Next(), now=START)


def seating(store, session_id: str):
    with store.begin() as s:
        plan = load_live(s, session_id).plan
        assert plan is not None
        return plan


async def test_late_arrival_is_seated_from_the_next_round_and_nobody_moves_now(store, bus):
    created = create_live_session(store, cafe_spec(), ROSTER, PLAN, None, now=START)
    await in_round_one(store, bus, created.session_id)
    link = await check_in_arrival(
        store, bus, created.session_id, WalkIn("Late Lena", "academia", "Africa"), now=START
    )
    plan = seating(store, created.session_id)
    assert plan.seating[0] == PLAN.seating[0]  # round 1, the one running, is untouched
    assert link.participant_id is not None
    assert plan.place_of(link.participant_id, 1) is None
    assert plan.place_of(link.participant_id, 2) in {"Table 1", "Table 2"}
    with store.begin() as s:
        assert repositories.resolve_link(s, link.token) is not None
        assert (
            repositories.presences(s, created.session_id)[link.participant_id] is Presence.PRESENT
        )
        kinds = [e.type for e in outbox.since(s, created.session_id, 0)]
    assert kinds[-2:] == ["seating.changed", "presence.changed"]


async def test_check_ins_and_absences_give_the_facilitator_the_counts(store, bus):
    created = create_live_session(store, cafe_spec(), ROSTER, PLAN, None, now=START)
    session_id = created.session_id
    await mark_present(store, bus, session_id, "p04", now=START)
    await mark_present(store, bus, session_id, "p04", now=START)  # nothing changes: no event
    await mark_present(store, bus, session_id, "p06", now=START, if_expected=True)
    await in_round_one(store, bus, session_id)
    await command_agenda(store, bus, session_id, Next(), now=START)  # round 2, the last
    await mark_absent(store, bus, session_id, "p05", now=START)  # no round left to re-plan
    await mark_present(store, bus, session_id, "p05", now=START, if_expected=True)  # kept absent
    with store.begin() as s:
        logged = outbox.since(s, session_id, 0)
    counts = [
        (e.payload["present"], e.payload["expected"], e.payload["absent"])
        for e in logged
        if e.type == "presence.changed"
    ]
    assert counts == [(1, 8, 0), (2, 7, 0), (2, 6, 1)]
    assert "seating.changed" not in [e.type for e in logged]


async def test_marking_someone_absent_takes_them_out_of_later_rounds_only(store, bus):
    created = create_live_session(store, cafe_spec(), ROSTER, PLAN, None, now=START)
    await in_round_one(store, bus, created.session_id)
    await mark_absent(store, bus, created.session_id, "p05", now=START)
    plan = seating(store, created.session_id)
    assert plan.seating[0] == PLAN.seating[0]
    assert plan.place_of("p05", 2) is None
    with store.begin() as s:
        assert repositories.presences(s, created.session_id)["p05"] is Presence.ABSENT


async def test_an_online_walk_in_is_seated_in_an_online_room(store, bus):
    created = create_live_session(store, cafe_spec(), ROSTER, PLAN, None, now=START)
    await in_round_one(store, bus, created.session_id)
    link = await check_in_arrival(
        store,
        bus,
        created.session_id,
        WalkIn("Remote Rui", attendance=Attendance.ONLINE),
        now=START,
    )
    assert link.participant_id is not None
    assert seating(store, created.session_id).place_of(link.participant_id, 2) == "Room 1"


async def test_before_the_start_an_arrival_is_seated_in_every_round(store, bus):
    created = create_live_session(store, cafe_spec(), ROSTER, PLAN, None, now=START)
    link = await check_in_arrival(store, bus, created.session_id, WalkIn("Early Eve"), now=START)
    plan = seating(store, created.session_id)
    assert link.participant_id is not None
    assert plan.place_of(link.participant_id, 1) is not None


def test_a_walk_in_needs_a_name():
    with pytest.raises(InputError, match="name"):
        WalkIn("   ")


async def test_join_code_checks_a_walk_in_in(store, bus):
    created = create_live_session(store, cafe_spec(), ROSTER, PLAN, None, now=START)
    session_id, link = await join_with_code(
        store, bus, created.join_code.lower(), WalkIn("Walk In"), client="c1", now=START
    )
    assert session_id == created.session_id
    assert link.role.value == "participant"


async def test_a_wrong_join_code_is_a_clear_input_error(store, bus):
    create_live_session(store, cafe_spec(), ROSTER, PLAN, None, now=START)
    with pytest.raises(InputError, match="Check the code"):
        await join_with_code(store, bus, "ZZZZZZ", WalkIn("Guess"), client="c1", now=START)


async def test_join_attempts_are_limited_per_client_in_the_database(store, bus):
    create_live_session(store, cafe_spec(), ROSTER, PLAN, None, now=START)
    limits = JoinLimits(per_client=3)
    # Client keys of this test only: the PostgreSQL database is shared by the whole run.
    c1, c2 = f"c1-{secrets.token_hex(4)}", f"c2-{secrets.token_hex(4)}"
    for _ in range(3):
        with pytest.raises(InputError):
            await join_with_code(
                store, bus, "WRONG1", WalkIn("G"), client=c1, now=START, limits=limits
            )
    with pytest.raises(TooManyAttempts):
        await join_with_code(store, bus, "WRONG1", WalkIn("G"), client=c1, now=START, limits=limits)
    # Another device is not held up, and the window passes.
    with pytest.raises(InputError):
        await join_with_code(store, bus, "WRONG1", WalkIn("G"), client=c2, now=START, limits=limits)
    later = START + limits.window + timedelta(seconds=1)
    with pytest.raises(InputError):
        await join_with_code(store, bus, "WRONG1", WalkIn("G"), client=c1, now=later, limits=limits)


async def test_join_attempts_are_limited_per_session(store, bus):
    created = create_live_session(store, cafe_spec(), ROSTER, PLAN, None, now=START)
    limits = JoinLimits(per_session=2)
    for n in range(2):
        await join_with_code(
            store, bus, created.join_code, WalkIn(f"W{n}"), client=f"c{n}", now=START, limits=limits
        )
    with pytest.raises(TooManyAttempts):
        await join_with_code(
            store, bus, created.join_code, WalkIn("W9"), client="c9", now=START, limits=limits
        )
