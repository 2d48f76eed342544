"""The rapporteur page's report downloads, and the notes API as an export (issue 4)."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
from datetime import timedelta
from typing import Any

import pytest

from pollinate.actions.sessions import create_live_session
from pollinate.core.notes import Note
from pollinate.store import repositories
from pollinate.store.db import session_factory
from tests.web.conftest import PLAN, ROSTER, START, Cafe, cafe_spec


def in_round_one(cafe: Cafe) -> None:
    cafe.control("start")
    cafe.control("next")


def post(cafe: Cafe, text: str, role: str = "host", table: str = "Table 1") -> None:
    answer = cafe.client.post(
        cafe.url("notes"),
        json={"round": 1, "table": table, "text": text},
        headers=cafe.bearer(role),
    )
    assert answer.status_code == 201, answer.text
    cafe.clock.advance(seconds=1)


def slip_in(cafe: Cafe, text: str) -> None:
    """A note stored as it is, as if redaction had missed it."""
    at = cafe.clock.now + timedelta(seconds=1)
    with session_factory(cafe.db.engine).begin() as db:
        note = Note(repositories.new_note_id(), 1, "Table 2", text, at)
        repositories.add_note(db, cafe.session_id, note, now=at)


def test_rapporteur_downloads_the_markdown_report(cafe: Cafe):
    in_round_one(cafe)
    post(cafe, "Local networks build trust.")
    answer = cafe.client.get(
        f"/s/{cafe.session_id}/rapporteur/report.md", headers=cafe.bearer("rapporteur")
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/markdown; charset=utf-8"
    disposition = f'attachment; filename="report-{cafe.session_id}.md"'
    assert answer.headers["content-disposition"] == disposition
    assert answer.text.startswith("# Test café\n")
    assert "1 note was taken." in answer.text


def test_the_rapporteur_page_links_every_download(cafe: Cafe):
    page = cafe.client.get(f"/s/{cafe.session_id}/rapporteur", headers=cafe.bearer("rapporteur"))
    for extension in ("md", "html", "pdf", "docx"):
        assert f"/s/{cafe.session_id}/rapporteur/report.{extension}?as=rapporteur" in page.text
    assert f"/api/sessions/{cafe.session_id}/notes?format=csv&amp;as=rapporteur" in page.text


def test_an_unknown_report_format_is_not_found(cafe: Cafe):
    answer = cafe.client.get(
        f"/s/{cafe.session_id}/rapporteur/report.txt", headers=cafe.bearer("rapporteur")
    )
    assert answer.status_code == 422


def test_a_report_naming_a_participant_is_refused_with_the_place_not_the_name(cafe: Cafe):
    spec = cafe_spec()
    agenda = (dataclasses.replace(spec.agenda[0], title="Welcome by Person 8"), *spec.agenda[1:])
    store = session_factory(cafe.db.engine)
    leaky = dataclasses.replace(spec, agenda=agenda)
    created = create_live_session(store, leaky, ROSTER, PLAN, None, now=START)
    token = created.example_links()["rapporteur"].token
    answer = cafe.client.get(
        f"/s/{created.session_id}/rapporteur/report.pdf",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert "agenda block 1 title: the name of participant p08" in detail
    assert "Person 8" not in detail


def test_notes_api_redacts_a_name_that_slipped_into_the_store(cafe: Cafe):
    in_round_one(cafe)
    slip_in(cafe, "Trust matters, said Person 7.")
    answer = cafe.client.get(cafe.url("notes?format=csv"), headers=cafe.bearer("rapporteur"))
    assert answer.status_code == 200
    assert "Person 7" not in answer.text
    assert "Trust matters, said [a participant]." in answer.text


def test_notes_api_gives_exactly_five_fields_as_json(cafe: Cafe):
    in_round_one(cafe)
    post(cafe, "Local networks build trust.")
    notes = cafe.client.get(cafe.url("notes"), headers=cafe.bearer("facilitator")).json()
    assert [list(note) for note in notes] == [["id", "round", "table", "text", "created_at"]]
    assert notes[0]["created_at"] == "2025-06-24T09:00:00+00:00"


def test_notes_api_gives_excel_safe_csv(cafe: Cafe):
    in_round_one(cafe)
    post(cafe, "=1+1 is not a formula here")
    answer = cafe.client.get(cafe.url("notes?format=csv"), headers=cafe.bearer("rapporteur"))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert [row["text"] for row in rows] == ["'=1+1 is not a formula here"]


@pytest.mark.parametrize(
    ("format", "checking"), [("json", "json_parts_checked"), ("csv", "notes_file")]
)
def test_the_notes_export_is_rendered_and_checked_off_the_event_loop(
    cafe: Cafe, monkeypatch, format: str, checking: str
):
    # Thousands of notes take most of a second to check; on the loop, every stream of the
    # worker would wait meanwhile.
    from pollinate.web.routes import api

    on_loop: list[bool] = []
    checks = getattr(api, checking)

    def spying(*args: Any) -> Any:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            on_loop.append(False)
        else:
            on_loop.append(True)
        return checks(*args)

    monkeypatch.setattr(api, checking, spying)
    in_round_one(cafe)
    post(cafe, "Local networks build trust.")
    answer = cafe.client.get(
        cafe.url("notes"), params={"format": format}, headers=cafe.bearer("rapporteur")
    )
    assert answer.status_code == 200
    assert "Local networks build trust." in answer.text
    assert on_loop == [False]
