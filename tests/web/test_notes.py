from __future__ import annotations

import pytest

from pollinate.store import outbox
from pollinate.store.db import session_factory
from pollinate.store.tables import NoteRow
from tests.web.conftest import Cafe


def in_round_one(cafe: Cafe) -> None:
    cafe.control("start")
    cafe.control("next")


def post(
    cafe: Cafe,
    text: str,
    role: str = "host",
    table: str = "Table 1",
    round: int = 1,
    key: str | None = None,
):
    headers = cafe.bearer(role) | ({"Idempotency-Key": key} if key else {})
    return cafe.client.post(
        cafe.url("notes"), json={"round": round, "table": table, "text": text}, headers=headers
    )


def test_host_adds_a_note_to_their_table_and_gets_201_with_it(cafe: Cafe):
    in_round_one(cafe)
    answer = post(cafe, "  Trust is local.\r\n")
    assert answer.status_code == 201, answer.text
    note = answer.json()
    assert (note["text"], note["table"], note["round"]) == ("Trust is local.", "Table 1", 1)
    assert set(note) == {"id", "round", "table", "text", "taken_at", "highlighted", "redactions"}
    assert note["redactions"] == []


def test_a_note_naming_someone_on_the_roster_is_stored_and_shown_redacted(cafe: Cafe):
    in_round_one(cafe)
    answer = post(cafe, "Person 5 said trust is local; write to person7@example.org")
    assert answer.status_code == 201, answer.text
    note = answer.json()
    assert note["text"] == "[a participant] said trust is local; write to [an email]"
    assert [(r["span"], r["kind"]) for r in note["redactions"]] == [(0, "person"), (1, "email")]
    with session_factory(cafe.db.engine).begin() as s:
        row = s.get(NoteRow, note["id"])
        assert row is not None
        assert row.text == note["text"]
        logged = str([e.payload for e in outbox.since(s, cafe.session_id, 0)])
    assert "Person 5" not in logged
    assert "person7@" not in logged
    read = cafe.client.get(cafe.url("notes"), headers=cafe.bearer("rapporteur")).json()
    assert [n["text"] for n in read] == [note["text"]]


def test_host_cannot_write_at_another_table(cafe: Cafe):
    in_round_one(cafe)
    answer = post(cafe, "Sneaky", table="Table 2")
    assert answer.status_code == 403
    assert "Table 2" in answer.json()["detail"]


def test_notes_are_refused_before_the_first_round(cafe: Cafe):
    cafe.control("start")  # the intro block
    answer = post(cafe, "Too early")
    assert answer.status_code == 403


def test_a_past_round_takes_no_new_notes(cafe: Cafe):
    in_round_one(cafe)
    cafe.control("next")  # round 2
    assert post(cafe, "Late", round=1).status_code == 403
    assert post(cafe, "On time", round=2).status_code == 201


def test_notes_stay_open_between_the_last_round_and_the_next_block(cafe: Cafe):
    in_round_one(cafe)
    cafe.control("next")  # round 2
    cafe.control("next")  # report back: round 2 is still the open round
    assert post(cafe, "Finishing my sentence", round=2).status_code == 201


def test_a_2001_character_note_gets_a_clear_422(cafe: Cafe):
    in_round_one(cafe)
    answer = post(cafe, "x" * 2001)
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert "2,001 characters" in detail
    assert "limit is 2,000" in detail
    assert post(cafe, "x" * 2000).status_code == 201


def test_same_idempotency_key_lands_once_with_the_same_answer(cafe: Cafe):
    in_round_one(cafe)
    first = post(cafe, "Once only", key="k-1")
    second = post(cafe, "Once only", key="k-1")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    notes = cafe.client.get(cafe.url("notes"), headers=cafe.bearer("rapporteur")).json()
    assert [n["text"] for n in notes] == ["Once only"]
    with session_factory(cafe.db.engine).begin() as s:
        seqs = [e.type for e in outbox.since(s, cafe.session_id, 0)]
    assert seqs.count("note.added") == 1


def test_a_different_key_makes_a_second_note(cafe: Cafe):
    in_round_one(cafe)
    post(cafe, "Same words", key="a")
    post(cafe, "Same words", key="b")
    notes = cafe.client.get(cafe.url("notes"), headers=cafe.bearer("rapporteur")).json()
    assert len(notes) == 2


def test_one_links_key_cannot_collect_another_links_answer(cafe: Cafe):
    in_round_one(cafe)
    post(cafe, "Table one words", key="shared")
    cafe.control("broadcast", message="x")
    other = post(cafe, "Table two words", role="host_t2", table="Table 2", key="shared")
    assert other.status_code == 201
    assert other.json()["text"] == "Table two words"


def test_host_edits_highlights_and_deletes_their_note_during_the_round(cafe: Cafe):
    in_round_one(cafe)
    note = post(cafe, "Draft").json()
    path = cafe.url(f"notes/{note['id']}")
    edited = cafe.client.patch(
        path, json={"text": "Final", "highlighted": True}, headers=cafe.bearer("host")
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["text"], edited.json()["highlighted"]) == ("Final", True)
    assert cafe.client.delete(path, headers=cafe.bearer("host")).status_code == 204
    assert cafe.client.get(cafe.url("notes"), headers=cafe.bearer("host")).json() == []


def test_another_host_cannot_edit_or_delete_the_note(cafe: Cafe):
    in_round_one(cafe)
    note = post(cafe, "Mine").json()
    path = cafe.url(f"notes/{note['id']}")
    assert (
        cafe.client.patch(path, json={"text": "Yours"}, headers=cafe.bearer("host_t2")).status_code
        == 403
    )
    assert cafe.client.delete(path, headers=cafe.bearer("host_t2")).status_code == 403


def test_a_note_of_a_past_round_cannot_be_edited(cafe: Cafe):
    in_round_one(cafe)
    note = post(cafe, "Round one").json()
    cafe.control("next")
    path = cafe.url(f"notes/{note['id']}")
    assert (
        cafe.client.patch(path, json={"text": "Changed"}, headers=cafe.bearer("host")).status_code
        == 403
    )


def test_deleting_a_note_erases_its_text_from_the_replay_log(cafe: Cafe):
    in_round_one(cafe)
    note = post(cafe, "Names someone by mistake").json()
    cafe.client.delete(cafe.url(f"notes/{note['id']}"), headers=cafe.bearer("host"))
    with session_factory(cafe.db.engine).begin() as s:
        payloads = [e.payload for e in outbox.since(s, cafe.session_id, 0)]
        row = s.get(NoteRow, note["id"])
        assert row is not None
        assert row.text == ""
    assert all("Names someone" not in str(payload) for payload in payloads)


def test_stored_notes_have_no_author_column(cafe: Cafe):
    columns = {column.name for column in NoteRow.__table__.columns}
    assert not columns & {"author", "participant_id", "link_id", "token_hash"}


def test_participant_cannot_write_notes_when_the_session_does_not_allow_it(cafe: Cafe):
    in_round_one(cafe)
    assert post(cafe, "My idea", role="participant").status_code == 403


def test_participant_adds_an_idea_at_their_own_table_when_allowed(open_cafe: Cafe):
    in_round_one(open_cafe)
    assert post(open_cafe, "My idea", role="participant").status_code == 201
    assert post(open_cafe, "Elsewhere", role="participant", table="Table 2").status_code == 403


def test_host_reads_only_their_own_tables_notes(cafe: Cafe):
    in_round_one(cafe)
    post(cafe, "Table one")
    post(cafe, "Table two", role="host_t2", table="Table 2")
    mine = cafe.client.get(cafe.url("notes?table=Table 2"), headers=cafe.bearer("host")).json()
    assert [n["text"] for n in mine] == ["Table one"]


def test_online_moderator_reads_the_online_rooms_notes_only(cafe: Cafe):
    in_round_one(cafe)
    post(cafe, "Onsite")
    post(cafe, "Online", role="room_host", table="Room 1")
    seen = cafe.client.get(cafe.url("notes"), headers=cafe.bearer("online_moderator")).json()
    assert [n["text"] for n in seen] == ["Online"]


@pytest.mark.parametrize("page", ["facilitator", "rapporteur", "host", "moderator"])
def test_script_in_a_note_is_escaped_on_every_page_that_shows_notes(cafe: Cafe, page: str):
    in_round_one(cafe)
    evil = "<script>alert('x')</script>"
    post(cafe, evil)
    post(cafe, evil, role="room_host", table="Room 1")
    role = {"moderator": "online_moderator"}.get(page, page)
    html = cafe.client.get(f"/s/{cafe.session_id}/{page}", headers=cafe.bearer(role)).text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(" in html or "\\u003cscript\\u003e" in html
