"""Dot voting and the report-back view (web/routes/voting.py, actions/voting.py)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import inspect, select

from pollinate.actions.voting import vote_result
from pollinate.store import outbox, repositories
from pollinate.store.db import session_factory
from pollinate.store.tables import BallotRow, VoteRow
from tests.web.conftest import Cafe

NOTES = [
    ("host", "Table 1", "Rural broadband must reach every village"),
    ("host_t2", "Table 2", "Fund rural broadband networks now"),
    ("room_host", "Room 1", "Teach media literacy in every school"),
    ("host", "Table 1", "Schools need media literacy lessons"),
]


@pytest.fixture
def themed(cafe: Cafe) -> list[str]:
    """Round 1 with two clear themes on the board; their ids, board order."""
    cafe.client.app.state.runtime.reclustering.delay = 3600  # type: ignore[attr-defined]
    cafe.control("start")
    cafe.control("next")
    for role, table, text in NOTES:
        cafe.clock.advance(seconds=1)
        answer = cafe.client.post(
            cafe.url("notes"),
            json={"round": 1, "table": table, "text": text},
            headers=cafe.bearer(role),
        )
        assert answer.status_code == 201
    board = cafe.client.get(cafe.url("board"), headers=cafe.bearer("rapporteur")).json()
    assert len(board["themes"]) == 2
    return [theme["id"] for theme in board["themes"]]


def voters(cafe: Cafe) -> list[str]:
    """The voter hashes of this café's ballots (PostgreSQL holds other tests' too)."""
    with session_factory(cafe.db.engine).begin() as s:
        return list(
            s.scalars(
                select(BallotRow.voter)
                .join(VoteRow, VoteRow.id == BallotRow.vote_id)
                .where(VoteRow.session_id == cafe.session_id)
            )
        )


def open_vote(cafe: Cafe, **rules: Any):
    return cafe.client.post(
        cafe.url("vote"), json={"action": "open", **rules}, headers=cafe.bearer("facilitator")
    )


def cast(cafe: Cafe, dots: list[str], role: str = "participant"):
    return cafe.client.put(cafe.url("vote/ballot"), json={"dots": dots}, headers=cafe.bearer(role))


def tally(cafe: Cafe, role: str = "facilitator") -> dict[str, Any]:
    found: dict[str, Any] = cafe.client.get(cafe.url("vote"), headers=cafe.bearer(role)).json()
    return found


def test_opening_a_vote_shows_the_report_back_and_tells_every_screen(cafe: Cafe, themed: list[str]):
    answer = open_vote(cafe, dots=3)
    assert answer.status_code == 200, answer.text
    assert answer.json()["open"] is True
    with session_factory(cafe.db.engine).begin() as s:
        types = [event.type for event in outbox.since(s, cafe.session_id, 0)][-2:]
    assert types == ["report_back.toggled", "vote.opened"]
    assert cafe.client.get(cafe.url("board"), headers=cafe.bearer("projector")).status_code == 200


def test_a_participant_spends_up_to_the_dots_allowed(cafe: Cafe, themed: list[str]):
    open_vote(cafe, dots=3)
    too_many = cast(cafe, [themed[0]] * 2 + [themed[1]] * 2)
    assert too_many.status_code == 422
    assert "4 dots; each participant has 3" in too_many.json()["detail"]
    assert cast(cafe, ["theme-not-on-the-ballot"]).status_code == 422
    assert cast(cafe, [themed[0], themed[0], themed[1]]).status_code == 200
    assert tally(cafe)["dots_cast"] == 3


def test_the_facilitator_can_cap_the_dots_on_one_theme(cafe: Cafe, themed: list[str]):
    open_vote(cafe, dots=3, per_theme=1)
    assert cast(cafe, [themed[0], themed[0]]).status_code == 422
    assert cast(cafe, [themed[0], themed[1]]).status_code == 200


def test_one_ballot_per_participant_link_which_they_can_change_until_it_closes(
    cafe: Cafe, themed: list[str]
):
    open_vote(cafe, dots=2)
    cast(cafe, [themed[0], themed[0]])
    cast(cafe, [themed[1]])  # changed their mind: replaces, not adds
    cast(cafe, [themed[1], themed[0]], role="participant_p06")
    result = tally(cafe)
    assert result["ballots"] == 2
    assert {row["theme_id"]: row["dots"] for row in result["results"]} == {
        themed[0]: 1,
        themed[1]: 2,
    }
    mine = tally(cafe, "participant")
    assert sorted(mine["mine"]) == [themed[1]]
    closed = cafe.client.post(
        cafe.url("vote"), json={"action": "close"}, headers=cafe.bearer("facilitator")
    )
    assert closed.json()["open"] is False
    assert cast(cafe, [themed[0]]).status_code == 403
    with session_factory(cafe.db.engine).begin() as s:
        result_now = vote_result(s, cafe.session_id)
    assert result_now is not None
    assert [(row.theme_id, row.dots) for row in result_now.ranking] == [
        (themed[1], 2),
        (themed[0], 1),
    ]


def test_ballots_are_anonymous_by_construction(cafe: Cafe, themed: list[str]):
    columns = {column["name"] for column in inspect(cafe.db.engine).get_columns("ballots")}
    assert columns == {"vote_id", "voter", "dots_json"}
    open_vote(cafe)
    cast(cafe, [themed[0]])
    with session_factory(cafe.db.engine).begin() as s:
        links = repositories.list_links(s, cafe.session_id)
    found = voters(cafe)
    assert len(found) == 1
    known = {str(link.id) for link in links} | {link.participant_id or "" for link in links}
    known |= {repositories.token_hash(token) for token in cafe.tokens.values()}
    assert found[0] not in known
    assert len(found[0]) == 64


def test_the_same_link_gets_an_unrelated_voter_hash_in_the_next_vote(cafe: Cafe, themed: list[str]):
    open_vote(cafe)
    cast(cafe, [themed[0]])
    cafe.client.post(cafe.url("vote"), json={"action": "close"}, headers=cafe.bearer("facilitator"))
    open_vote(cafe)
    cast(cafe, [themed[0]])
    assert len(set(voters(cafe))) == 2


def test_only_the_facilitator_opens_a_vote_and_only_with_themes_on_the_board(cafe: Cafe):
    assert open_vote(cafe).status_code == 422  # no notes, no themes
    answer = cafe.client.post(
        cafe.url("vote"), json={"action": "open"}, headers=cafe.bearer("rapporteur")
    )
    assert answer.status_code == 403


def test_a_second_vote_cannot_open_while_one_is_open(cafe: Cafe, themed: list[str]):
    open_vote(cafe)
    assert open_vote(cafe).status_code == 403


def test_the_phone_shows_the_ballot_only_while_a_vote_is_open(cafe: Cafe, themed: list[str]):
    phone = cafe.open_link("participant")
    page = f"/s/{cafe.session_id}/participant"
    assert 'id="ballot-form"' not in phone.get(page).text
    open_vote(cafe, dots=2)
    html = phone.get(page).text
    assert 'id="ballot-form"' in html
    assert f'id="dots-{themed[0]}"' in html
    sent = phone.post(
        f"/s/{cafe.session_id}/participant/ballot",
        data={f"dots-{themed[0]}": "2", "csrf": cafe.csrf("participant")},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert "Your+dots+are+in" in sent.headers["location"]
    assert tally(cafe)["dots_cast"] == 2
    assert 'id="phone-report-back"' in phone.get(page).text  # the vote turned it on
    cafe.client.post(cafe.url("vote"), json={"action": "close"}, headers=cafe.bearer("facilitator"))
    assert 'id="ballot-form"' not in phone.get(page).text


def test_the_report_back_shows_the_dots_and_takeaways_in_the_room(cafe: Cafe, themed: list[str]):
    cafe.client.post(
        cafe.url("takeaways"),
        json={"kind": "call_to_action", "text": "Fund community networks"},
        headers=cafe.bearer("rapporteur"),
    )
    projector = cafe.open_link("projector")
    path = f"/s/{cafe.session_id}/report-back"
    hidden = projector.get(path).text
    assert "will appear here" in hidden
    assert "Fund community networks" not in hidden
    open_vote(cafe, dots=3)
    cast(cafe, [themed[1]] * 3)
    shown = projector.get(path).text
    assert "Fund community networks" in shown
    assert 'class="rb-dots">3<' in shown
    for person in ("Person 1", "person1@example.org"):
        assert person not in shown


def test_the_facilitator_console_switches_the_report_back_by_form(cafe: Cafe, themed: list[str]):
    console = cafe.open_link("facilitator")
    html = console.get(f"/s/{cafe.session_id}/facilitator").text
    assert 'id="vote-open"' in html
    assert 'id="report-back-toggle"' in html
    answer = console.post(
        f"/s/{cafe.session_id}/facilitator/report-back",
        data={"shown": "on", "csrf": cafe.csrf("facilitator")},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert cafe.client.get(cafe.url("board"), headers=cafe.bearer("participant")).status_code == 200
    opened = console.post(
        f"/s/{cafe.session_id}/facilitator/vote",
        data={"intent": "open", "dots": "2", "csrf": cafe.csrf("facilitator")},
        follow_redirects=False,
    )
    assert "Vote+open" in opened.headers["location"]
    assert tally(cafe)["dots"] == 2
