from __future__ import annotations

import hashlib
import threading
from datetime import timedelta

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import IntegrityError

from pollinate.core.notes import NoteState, edit_note, take_note
from pollinate.core.planner.model import Place, Plan, PlanMetrics
from pollinate.core.roles import Role
from pollinate.core.roster import Attendance, Participant, Roster
from pollinate.store import repositories as repo
from pollinate.store.tables import LinkRow, ParticipantRow, Presence
from tests.conftest import Database
from tests.store.conftest import NOW

AMINA = Participant(
    id="p1",
    name="Amina Yusuf",
    email="amina@example.org",
    organization="Open Mesh",
    stakeholder_group="civil society",
    region="Africa",
    attendance=Attendance.ONLINE,
    languages=("en", "fr"),
    is_host=True,
)
BEN = Participant(id="p2", name="Ben Ortiz")
CHEN = Participant(id="p3", name="Chen Li", region="Asia-Pacific")


# ── sessions ──────────────────────────────────────────────────────────────────────────


def test_session_keeps_its_spec_and_gets_a_short_url_safe_id(db: Database):
    spec = {"title": "IGF Café", "agenda": [{"kind": "round", "minutes": 20}]}
    with db.session.begin() as s:
        session_id = repo.create_session(s, title="IGF Café", spec=spec, now=NOW)
    with db.session() as s:
        stored = repo.get_session(s, session_id)
        assert repo.get_session(s, "unknown") is None
    assert stored is not None
    assert (stored.title, stored.spec, stored.created_at) == ("IGF Café", spec, NOW)
    assert (stored.run_state, stored.run_version) == (None, 0)
    assert len(session_id) == 11
    assert set(session_id) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    )


def test_run_state_is_saved_only_against_the_version_it_was_based_on(db: Database, make_session):
    session_id = make_session()
    with db.session.begin() as s:
        assert repo.save_run_state(s, session_id, {"phase": "running"}, expected_version=0) == 1
    with db.session() as s, pytest.raises(repo.VersionConflict):
        repo.save_run_state(s, session_id, {"phase": "paused"}, expected_version=0)
    with db.session() as s:
        stored = repo.get_session(s, session_id)
    assert stored is not None
    assert (stored.run_state, stored.run_version) == ({"phase": "running"}, 1)


# ── participants ──────────────────────────────────────────────────────────────────────


def test_roster_round_trips_every_field_in_order(db: Database, make_session):
    session_id = make_session()
    roster = Roster((CHEN, AMINA, BEN))
    with db.session.begin() as s:
        repo.save_roster(s, session_id, roster)
    with db.session() as s:
        assert repo.load_roster(s, session_id) == roster
        assert repo.load_roster(s, make_session()) == Roster()


def test_reimporting_a_roster_keeps_presence_and_drops_who_left(db: Database, make_session):
    session_id = make_session()
    with db.session.begin() as s:
        repo.save_roster(s, session_id, Roster((AMINA, BEN)))
        repo.set_presence(s, session_id, "p1", Presence.PRESENT, now=NOW)
    renamed = Participant(id="p1", name="Amina Y.", attendance=Attendance.ONSITE)
    with db.session.begin() as s:
        repo.save_roster(s, session_id, Roster((CHEN, renamed)))
    with db.session() as s:
        assert repo.load_roster(s, session_id) == Roster((CHEN, renamed))
        assert repo.presences(s, session_id) == {"p1": Presence.PRESENT, "p3": Presence.EXPECTED}


def test_walk_in_joins_the_end_of_the_roster_as_present(db: Database, make_session):
    session_id = make_session()
    with db.session.begin() as s:
        repo.save_roster(s, session_id, Roster((AMINA, BEN)))
        repo.add_participant(s, session_id, CHEN)
    with db.session() as s:
        assert [p.id for p in repo.load_roster(s, session_id)] == ["p1", "p2", "p3"]
        assert repo.presences(s, session_id)["p3"] is Presence.PRESENT


def test_arrival_time_is_the_first_arrival(db: Database, make_session):
    session_id = make_session()
    later = NOW + timedelta(minutes=30)
    with db.session.begin() as s:
        repo.save_roster(s, session_id, Roster((AMINA,)))
        repo.set_presence(s, session_id, "p1", Presence.PRESENT, now=NOW)
        repo.set_presence(s, session_id, "p1", Presence.ABSENT, now=later)
        repo.set_presence(s, session_id, "p1", Presence.PRESENT, now=later)
    with db.session() as s:
        arrived = s.scalars(
            select(ParticipantRow.arrived_at).where(ParticipantRow.session_id == session_id)
        ).one()
        with pytest.raises(LookupError):
            repo.set_presence(s, session_id, "nobody", Presence.PRESENT, now=NOW)
    assert arrived == NOW


# ── plans ─────────────────────────────────────────────────────────────────────────────

PLAN = Plan(
    places=(Place("Table 1", 6, language="en"), Place("Room A", 4, online=True, video_link="v")),
    seating=({"p1": "Room A", "p2": "Table 1"}, {"p2": "Table 1", "p1": "Room A"}),
    hosts={"Table 1": "p2"},
    auto_hosts=frozenset({"Table 1"}),
)
METRICS = PlanMetrics(0, 0, 0.75, 2, 3, 1, 2, 0, 2, 2)


def test_plan_and_metrics_round_trip_and_each_save_bumps_the_version(db: Database, make_session):
    session_id = make_session()
    with db.session() as s:
        assert repo.load_plan(s, session_id) is None
    with db.session.begin() as s:
        assert repo.save_plan(s, session_id, PLAN, METRICS) == 1
    with db.session.begin() as s:
        assert repo.save_plan(s, session_id, PLAN) == 2
    with db.session() as s:
        stored = repo.load_plan(s, session_id)
    assert stored == repo.StoredPlan(PLAN, None, 2)
    with db.session.begin() as s:
        repo.save_plan(s, session_id, PLAN, METRICS)
    with db.session() as s:
        assert repo.load_plan(s, session_id) == repo.StoredPlan(PLAN, METRICS, 3)


def test_a_session_comes_with_its_plan_version_in_one_query(db: Database, make_session):
    """The live actions read a session and its plan for every batch of notes: one
    statement, and none for a plan already read at that version."""
    session_id = make_session()
    with db.session() as s:
        assert repo.get_session(s, session_id).plan_version is None  # type: ignore[union-attr]
    with db.session.begin() as s:
        repo.save_plan(s, session_id, PLAN, METRICS)
    with db.session() as s:
        repo.load_plan(s, session_id)  # read once: cached at version 1
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with db.session() as s:
            stored = repo.get_session(s, session_id)
            assert stored is not None
            plan = repo.load_plan_at(s, session_id, stored.plan_version)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert stored.plan_version == 1
    assert plan == repo.StoredPlan(PLAN, METRICS, 1)
    assert len(statements) == 1


# ── notes ─────────────────────────────────────────────────────────────────────────────


def test_notes_round_trip_and_list_in_the_order_taken(db: Database, make_session):
    session_id = make_session()
    late = take_note(repo.new_note_id(), round=2, table="T1", text="Later", taken_at=NOW)
    early = take_note(
        repo.new_note_id(), round=1, table="T2", text="Earlier", taken_at=NOW - timedelta(hours=1)
    )
    with db.session.begin() as s:
        repo.add_note(s, session_id, late, now=NOW)
        repo.add_note(s, session_id, early, now=NOW)
    with db.session() as s:
        assert repo.list_notes(s, session_id) == [early, late]
        assert repo.list_notes(s, session_id, round=2) == [late]
        assert repo.list_notes(s, session_id, table="T2") == [early]
        assert repo.get_note(s, session_id, late.id) == late
        assert repo.get_note(s, make_session(), late.id) is None  # not another session's


def test_notes_in_batches_are_the_listed_notes_in_the_same_order(db: Database, make_session):
    session_id = make_session()
    taken = [
        take_note(
            repo.new_note_id(), round=1 + i % 2, table="T1", text=f"Note {i}",
            taken_at=NOW + timedelta(seconds=i),
        )
        for i in range(7)
    ]  # fmt: skip
    with db.session.begin() as s:
        for note in reversed(taken):
            repo.add_note(s, session_id, note, now=NOW)
    with db.session.begin() as s:  # a server-side cursor on PostgreSQL needs a transaction
        batches = list(repo.note_batches(s, session_id, size=3))
        assert [len(batch) for batch in batches] == [3, 3, 1]
        assert [note for batch in batches for note in batch] == repo.list_notes(s, session_id)
        assert [n for b in repo.note_batches(s, session_id, round=2, size=3) for n in b] == (
            taken[1::2]
        )


def test_edited_note_keeps_its_place_and_highlight_is_stored(db: Database, make_session):
    session_id = make_session()
    note = take_note(repo.new_note_id(), round=1, table="T1", text="Draft", taken_at=NOW)
    with db.session.begin() as s:
        repo.add_note(s, session_id, note, now=NOW)
    edited = edit_note(note, text="Final", highlighted=True)
    with db.session.begin() as s:
        repo.save_note(s, session_id, edited, now=NOW + timedelta(minutes=1))
    with db.session() as s:
        assert repo.get_note(s, session_id, note.id) == edited


def test_deleted_note_disappears_and_its_text_is_erased(db: Database, make_session):
    session_id = make_session()
    note = take_note(repo.new_note_id(), round=1, table="T1", text="Names Amina", taken_at=NOW)
    with db.session.begin() as s:
        repo.add_note(s, session_id, note, now=NOW)
    with db.session.begin() as s:
        assert repo.delete_note(s, session_id, note.id, now=NOW) is True
        assert repo.delete_note(s, session_id, note.id, now=NOW) is False
    with db.session() as s:
        assert repo.list_notes(s, session_id) == []
        assert repo.get_note(s, session_id, note.id) is None
        assert repo.note_state(s, session_id, note.id) is NoteState.DELETED
        assert repo.note_state(s, session_id, "never") is None
        stored_text = s.execute(
            text("SELECT text FROM notes WHERE id = :id"), {"id": note.id}
        ).scalar_one()
        with pytest.raises(LookupError):
            repo.save_note(s, session_id, note, now=NOW)
    assert stored_text == ""


# ── links ─────────────────────────────────────────────────────────────────────────────


def test_link_token_is_stored_only_as_its_sha256(db: Database, make_session):
    session_id = make_session()
    with db.session.begin() as s:
        token, link = repo.create_link(s, session_id, Role.HOST, table="Table 1", now=NOW)
    with db.session() as s:
        stored = s.scalars(select(LinkRow.token_hash).where(LinkRow.id == link.id)).one()
        dump = " ".join(
            str(value) for row in s.execute(text("SELECT * FROM links")) for value in row
        )
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert token not in dump
    assert len(token) >= 32  # 24 random bytes, URL-safe base64


def test_a_token_resolves_to_its_grant_until_revoked(db: Database, make_session):
    session_id = make_session()
    with db.session.begin() as s:
        token, link = repo.create_link(
            s, session_id, Role.PARTICIPANT, participant_id="p1", now=NOW
        )
    with db.session() as s:
        assert repo.resolve_link(s, token) == link
        assert (link.role, link.participant_id, link.table) == (Role.PARTICIPANT, "p1", None)
        assert repo.resolve_link(s, token + "x") is None
    with db.session.begin() as s:
        assert repo.revoke_link(s, link.id, now=NOW) is True
        assert repo.revoke_link(s, link.id, now=NOW) is False
    with db.session() as s:
        assert repo.resolve_link(s, token) is None
        assert repo.list_links(s, session_id) == []
        assert [x.id for x in repo.list_links(s, session_id, include_revoked=True)] == [link.id]


def test_reissued_link_grants_the_same_and_the_old_token_dies(db: Database, make_session):
    session_id = make_session()
    with db.session.begin() as s:
        old_token, old = repo.create_link(s, session_id, Role.HOST, table="Room A", now=NOW)
    with db.session.begin() as s:
        new_token, new = repo.reissue_link(s, old.id, now=NOW)
    with db.session() as s:
        assert repo.resolve_link(s, old_token) is None
        assert repo.resolve_link(s, new_token) == new
    assert new_token != old_token
    assert (new.session_id, new.role, new.table) == (session_id, Role.HOST, "Room A")


@pytest.mark.parametrize(
    ("role", "scope"),
    [(Role.HOST, {}), (Role.PARTICIPANT, {"table": "T1"}), (Role.ORGANIZER, {})],
)
def test_links_without_their_scope_or_for_organizers_are_refused(
    db: Database, make_session, role, scope
):
    session_id = make_session()
    with db.session() as s, pytest.raises(ValueError, match="link"):
        repo.create_link(s, session_id, role, now=NOW, **scope)


# ── idempotency ───────────────────────────────────────────────────────────────────────


def test_a_remembered_response_is_recalled_by_key_and_session(db: Database, make_session):
    session_id, other = make_session(), make_session()
    with db.session.begin() as s:
        repo.remember_response(s, session_id, "k1", {"status": 201, "id": "n1"}, now=NOW)
    with db.session() as s:
        assert repo.recall_response(s, session_id, "k1") == {"status": 201, "id": "n1"}
        assert repo.recall_response(s, session_id, "k2") is None
        assert repo.recall_response(s, other, "k1") is None


def test_a_repeated_key_rolls_back_the_whole_second_change(db: Database, make_session):
    session_id = make_session()
    with db.session.begin() as s:
        repo.remember_response(s, session_id, "k1", {"n": 1}, now=NOW)
    with db.session() as s:
        note = take_note(repo.new_note_id(), round=1, table="T1", text="Twice?", taken_at=NOW)
        repo.add_note(s, session_id, note, now=NOW)
        with pytest.raises(IntegrityError):
            repo.remember_response(s, session_id, "k1", {"n": 2}, now=NOW)
        s.rollback()
    with db.session() as s:
        assert repo.list_notes(s, session_id) == []
        assert repo.recall_response(s, session_id, "k1") == {"n": 1}


def test_old_responses_are_forgotten(db: Database, make_session):
    session_id = make_session()
    with db.session.begin() as s:
        repo.remember_response(s, session_id, "old", {}, now=NOW - timedelta(days=2))
        repo.remember_response(s, session_id, "new", {}, now=NOW)
    with db.session.begin() as s:
        repo.forget_responses(s, before=NOW - timedelta(days=1))
    with db.session() as s:
        assert repo.recall_response(s, session_id, "old") is None
        assert repo.recall_response(s, session_id, "new") == {}


def test_concurrent_plan_saves_get_distinct_versions(db: Database, make_session):
    session_id = make_session()
    with db.session.begin() as s:
        repo.save_plan(s, session_id, PLAN)
    versions: list[int] = []

    def save_five() -> None:
        for _ in range(5):
            with db.session.begin() as s:
                versions.append(repo.save_plan(s, session_id, PLAN))

    workers = [threading.Thread(target=save_five) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(versions) == list(range(2, 17))


def test_session_ids_never_begin_with_a_dash_that_the_cli_would_read_as_an_option():
    from pollinate.store.repositories import new_session_id

    # One random URL-safe id in 64 begins with "-"; 2,000 would hold about 31 of them.
    assert not [i for i in (new_session_id() for _ in range(2000)) if i.startswith("-")]
