"""Redaction at intake and the host's undo (web/routes/redactions.py, actions/redaction.py).

The café's roster names people "Person 1" … "Person 9" with emails person1@example.org …;
"Person" is a roster first name, so the redactor takes "Person 4" for a name.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from pollinate.actions.redaction import CACHE
from pollinate.store import outbox
from pollinate.store.db import session_factory
from pollinate.store.tables import IdempotencyRow, NoteRedactionRow, NoteRow
from tests.web.conftest import Cafe


def in_round_one(cafe: Cafe) -> None:
    cafe.control("start")
    cafe.control("next")


def add(cafe: Cafe, text: str, role: str = "host", table: str = "Table 1", key: str = ""):
    headers = cafe.bearer(role) | ({"Idempotency-Key": key} if key else {})
    answer = cafe.client.post(
        cafe.url("notes"), json={"round": 1, "table": table, "text": text}, headers=headers
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def restore(cafe: Cafe, note_id: str, span: int, role: str = "host"):
    return cafe.client.post(
        cafe.url(f"notes/{note_id}/restore"), json={"span": span}, headers=cafe.bearer(role)
    )


def kept_spans(cafe: Cafe) -> dict[str, list[str]]:
    with session_factory(cafe.db.engine).begin() as s:
        rows = s.scalars(
            select(NoteRedactionRow).where(NoteRedactionRow.session_id == cafe.session_id)
        )
        return {row.note_id: [span["original"] for span in row.spans_json] for row in rows}


def stored_text(cafe: Cafe, note_id: str) -> str:
    with session_factory(cafe.db.engine).begin() as s:
        row = s.get(NoteRow, note_id)
        assert row is not None
        return row.text


def test_the_originals_are_kept_apart_from_the_note_and_out_of_events_and_retries(cafe: Cafe):
    in_round_one(cafe)
    note = add(cafe, "Ask Person 4 about hope", key="k-1")
    assert note["text"] == "Ask [a participant] about hope"
    assert stored_text(cafe, note["id"]) == note["text"]
    assert kept_spans(cafe) == {note["id"]: ["Person 4"]}
    with session_factory(cafe.db.engine).begin() as s:
        events = str([event.payload for event in outbox.since(s, cafe.session_id, 0)])
        answers = str(list(s.scalars(select(IdempotencyRow.response_json))))
    assert "Person 4" not in events
    assert "Person 4" not in answers


def test_the_host_restores_a_false_positive_in_their_own_note(cafe: Cafe):
    in_round_one(cafe)
    note = add(cafe, "Person 4 and person8@example.org agreed")
    answer = restore(cafe, note["id"], 0)
    assert answer.status_code == 200, answer.text
    assert answer.json()["text"] == "Person 4 and [an email] agreed"
    assert [r["kind"] for r in answer.json()["redactions"]] == ["email"]
    assert stored_text(cafe, note["id"]) == "Person 4 and [an email] agreed"
    assert kept_spans(cafe) == {note["id"]: ["person8@example.org"]}
    # Restoring the last span leaves nothing to undo: the row holding originals goes.
    assert restore(cafe, note["id"], 0).json()["text"] == "Person 4 and person8@example.org agreed"
    assert kept_spans(cafe) == {}


def test_the_restored_text_reaches_the_rapporteur_as_an_edit(cafe: Cafe):
    in_round_one(cafe)
    note = add(cafe, "Person 4 matters")
    restore(cafe, note["id"], 0)
    with session_factory(cafe.db.engine).begin() as s:
        edited = outbox.latest_of_type(s, cafe.session_id, "note.edited")
    assert [event.payload["text"] for event in edited] == ["Person 4 matters"]


def test_another_tables_host_cannot_undo_a_redaction(cafe: Cafe):
    in_round_one(cafe)
    note = add(cafe, "Person 4 said so")
    answer = restore(cafe, note["id"], 0, role="host_t2")
    assert answer.status_code == 403
    assert stored_text(cafe, note["id"]) == "[a participant] said so"
    assert kept_spans(cafe) == {note["id"]: ["Person 4"]}


def test_a_span_the_note_has_not_is_a_clear_422(cafe: Cafe):
    in_round_one(cafe)
    note = add(cafe, "Person 4 said so")
    answer = restore(cafe, note["id"], 3)
    assert answer.status_code == 422
    assert "no redaction number 4" in answer.json()["detail"]
    plain = add(cafe, "Nothing to hide here")
    assert restore(cafe, plain["id"], 0).status_code == 422


def test_keeping_the_placeholders_forgets_the_originals(cafe: Cafe):
    in_round_one(cafe)
    note = add(cafe, "Person 4 said so")
    kept = cafe.client.delete(
        cafe.url(f"notes/{note['id']}/redactions"), headers=cafe.bearer("host")
    )
    assert kept.status_code == 204
    assert kept_spans(cafe) == {}
    assert restore(cafe, note["id"], 0).status_code == 422


def test_the_originals_go_when_the_round_closes(cafe: Cafe):
    in_round_one(cafe)
    add(cafe, "Person 4 said so")
    cafe.control("pause")
    assert len(kept_spans(cafe)) == 1  # still round 1
    cafe.control("resume")
    cafe.control("next")  # round 2 starts: round 1's notes can no longer be undone
    assert kept_spans(cafe) == {}


def test_the_originals_go_with_a_withdrawn_note(cafe: Cafe):
    in_round_one(cafe)
    note = add(cafe, "Person 4 said so")
    cafe.client.delete(cafe.url(f"notes/{note['id']}"), headers=cafe.bearer("host"))
    assert kept_spans(cafe) == {}


def test_an_edit_is_redacted_and_its_spans_replace_the_old_ones(cafe: Cafe):
    in_round_one(cafe)
    note = add(cafe, "Person 4 said so")
    edited = cafe.client.patch(
        cafe.url(f"notes/{note['id']}"),
        json={"text": "[a participant] and Person 6 said so"},
        headers=cafe.bearer("host"),
    )
    assert edited.json()["text"] == "[a participant] and [a participant] said so"
    assert kept_spans(cafe) == {note["id"]: ["Person 6"]}
    highlighted = cafe.client.patch(
        cafe.url(f"notes/{note['id']}"), json={"highlighted": True}, headers=cafe.bearer("host")
    )
    assert len(highlighted.json()["redactions"]) == 1
    assert kept_spans(cafe) == {note["id"]: ["Person 6"]}


def test_a_late_arrival_is_redacted_from_the_next_note_on(cafe: Cafe):
    in_round_one(cafe)
    assert add(cafe, "Zanele Okonkwo-Baptiste spoke")["text"] == "Zanele Okonkwo-Baptiste spoke"
    builds = CACHE.builds
    add(cafe, "A second note, same roster")
    assert CACHE.builds == builds  # the session's redactor is reused
    answer = cafe.client.post(
        f"/s/{cafe.session_id}/facilitator/arrivals",
        data={"name": "Zanele Okonkwo-Baptiste"},
        headers=cafe.bearer("facilitator"),
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    assert "Checked+in" in answer.headers["location"]
    assert add(cafe, "Zanele Okonkwo-Baptiste spoke")["text"] == "[a participant] spoke"
    assert CACHE.builds == builds + 1


def test_the_host_page_lists_the_originals_with_a_restore_button_each(cafe: Cafe):
    in_round_one(cafe)
    note = add(cafe, "Person 4 met Person 6")
    host = cafe.open_link("host")
    html = host.get(f"/s/{cafe.session_id}/host").text
    assert "Restore “Person 4”" in html
    assert f'id="note-{note["id"]}-restore-1"' in html
    answer = host.post(
        f"/s/{cafe.session_id}/host/notes/{note['id']}",
        data={"intent": "restore:1", "csrf": cafe.csrf("host")},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert stored_text(cafe, note["id"]) == "[a participant] met Person 6"
    # No other page shows an original: the rapporteur sees placeholders only.
    rapporteur = cafe.client.get(
        f"/s/{cafe.session_id}/rapporteur", headers=cafe.bearer("rapporteur")
    )
    assert not re.search(r"Person 4", rapporteur.text)


def test_a_note_that_placeholders_push_past_the_limit_says_so(cafe: Cafe):
    in_round_one(cafe)
    text = "Person 4 " + "x" * 1991  # 2,000 characters, then 7 more with the placeholder
    answer = cafe.client.post(
        cafe.url("notes"),
        json={"round": 1, "table": "Table 1", "text": text},
        headers=cafe.bearer("host"),
    )
    assert answer.status_code == 422
    assert "with names replaced by placeholders" in answer.json()["detail"]
