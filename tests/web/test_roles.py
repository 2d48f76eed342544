"""The role × route matrix: every route, every role (and anonymous, a revoked link and a
link of another session), allowed or 401/403. Only the listed roles get through.

Each route gets a fresh café, and the roles that must be refused go first, so a refused
request that changed anything would break the allowed request that follows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from pollinate.actions.sessions import create_live_session
from pollinate.store.db import session_factory
from tests.web.conftest import PLAN, ROLES, ROSTER, START, Cafe, cafe_spec

STRANGERS = {"anonymous": 401, "revoked": 401, "other_session": 403}


def in_round_one(cafe: Cafe) -> dict[str, str]:
    cafe.control("start")
    cafe.control("next")
    return {}


def with_note(cafe: Cafe) -> dict[str, str]:
    in_round_one(cafe)
    answer = cafe.client.post(
        cafe.url("notes"),
        json={"round": 1, "table": "Table 1", "text": "A note"},
        headers=cafe.bearer("host"),
    )
    return {"note": answer.json()["id"]}


def with_redacted_note(cafe: Cafe) -> dict[str, str]:
    in_round_one(cafe)
    answer = cafe.client.post(
        cafe.url("notes"),
        json={"round": 1, "table": "Table 1", "text": "Person 5 said so"},
        headers=cafe.bearer("host"),
    )
    assert answer.json()["redactions"], answer.text
    return {"note": answer.json()["id"]}


def with_shown_board(cafe: Cafe) -> dict[str, str]:
    names = with_note(cafe)
    cafe.client.post(
        cafe.url("report-back"), json={"shown": True}, headers=cafe.bearer("facilitator")
    )
    return names


def with_takeaway(cafe: Cafe) -> dict[str, str]:
    answer = cafe.client.post(
        cafe.url("takeaways"),
        json={"kind": "takeaway", "text": "A finding"},
        headers=cafe.bearer("rapporteur"),
    )
    return {"takeaway": answer.json()["id"]}


def with_open_vote(cafe: Cafe) -> dict[str, str]:
    names = with_note(cafe)
    answer = cafe.client.post(
        cafe.url("vote"), json={"action": "open"}, headers=cafe.bearer("facilitator")
    )
    assert answer.status_code == 200, answer.text
    return names


def with_link(cafe: Cafe) -> dict[str, str]:
    return {"link": str(cafe.created.links[0].link_id)}


@dataclass
class Route:
    method: str
    path: str
    allowed: dict[str, int]
    setup: Callable[[Cafe], dict[str, str]] = lambda cafe: {}
    json: object = None
    data: dict[str, str] | None = None
    files: dict[str, tuple[str, bytes]] | None = None
    extra: dict[str, int] = field(default_factory=dict)


ALL_PAGES_OK = dict.fromkeys(ROLES, 200)
ROUTES = [
    Route("GET", "/api/sessions/{sid}/state", ALL_PAGES_OK),
    Route("POST", "/api/sessions/{sid}/control", {"facilitator": 200}, json={"action": "start"}),
    Route(
        "POST",
        "/api/sessions/{sid}/notes",
        # A participant link passes the role gate but is refused by the table rule
        # (participant notes are off in this café).
        {"participant": 403, "host": 201},
        setup=in_round_one,
        json={"round": 1, "table": "Table 1", "text": "Hello"},
    ),
    Route(
        "GET",
        "/api/sessions/{sid}/notes",
        {"facilitator": 200, "rapporteur": 200, "host": 200, "online_moderator": 200},
    ),
    Route(
        "PATCH",
        "/api/sessions/{sid}/notes/{note}",
        {"host": 200},
        setup=with_note,
        json={"text": "Edited"},
    ),
    Route("DELETE", "/api/sessions/{sid}/notes/{note}", {"host": 204}, setup=with_note),
    Route("GET", "/s/{sid}/facilitator", {"facilitator": 200}),
    Route("GET", "/s/{sid}/facilitator/fill", {"facilitator": 200}),
    Route("GET", "/s/{sid}/projector", {"projector": 200, "facilitator": 200}),
    Route("GET", "/s/{sid}/participant", {"participant": 200}),
    Route("GET", "/s/{sid}/host", {"host": 200}),
    Route("GET", "/s/{sid}/moderator", {"online_moderator": 200, "facilitator": 200}),
    Route(
        "GET", "/s/{sid}/moderator/zoom-round-1.csv", {"online_moderator": 200, "facilitator": 200}
    ),
    Route(
        "GET",
        "/s/{sid}/moderator/bbb-groups-round-1.json",
        {"online_moderator": 200, "facilitator": 200},
    ),
    Route("GET", "/s/{sid}/rapporteur", {"rapporteur": 200, "facilitator": 200}),
    *(
        Route(
            "GET",
            f"/s/{{sid}}/rapporteur/report.{extension}",
            {"rapporteur": 200, "facilitator": 200},
        )
        for extension in ("md", "html", "pdf", "docx")
    ),
    Route(
        "GET",
        "/api/sessions/{sid}/notes?format=csv",
        {"facilitator": 200, "rapporteur": 200, "host": 200, "online_moderator": 200},
    ),
    Route("POST", "/s/{sid}/facilitator/control", {"facilitator": 303}, data={"action": "start"}),
    Route(
        "POST",
        "/s/{sid}/facilitator/present",
        {"facilitator": 303},
        data={"participant_id": "p05"},
    ),
    Route(
        "POST",
        "/s/{sid}/facilitator/absent",
        {"facilitator": 303},
        data={"participant_id": "p05"},
    ),
    Route(
        "POST",
        "/s/{sid}/facilitator/arrivals",
        {"facilitator": 303},
        data={"name": "Late Person"},
    ),
    Route(
        "POST",
        "/s/{sid}/host/notes",
        {"host": 303},
        setup=in_round_one,
        data={"text": "From the form", "round": "1"},
    ),
    Route(
        "POST",
        "/s/{sid}/host/notes/{note}",
        {"host": 303},
        setup=with_note,
        data={"intent": "highlight"},
    ),
    # ── harvest (issue 4): redaction undo, the board, takeaways, votes, report back ──
    Route(
        "POST",
        "/api/sessions/{sid}/notes/{note}/restore",
        {"host": 200},
        setup=with_redacted_note,
        json={"span": 0},
    ),
    Route(
        "DELETE",
        "/api/sessions/{sid}/notes/{note}/redactions",
        {"host": 204},
        setup=with_redacted_note,
    ),
    Route(
        "POST",
        "/s/{sid}/host/notes/{note}",
        {"host": 303},
        setup=with_redacted_note,
        data={"intent": "restore:0"},
    ),
    Route(
        "GET", "/api/sessions/{sid}/board", {"facilitator": 200, "rapporteur": 200}, setup=with_note
    ),
    Route(
        "GET",
        "/api/sessions/{sid}/board",
        {"facilitator": 200, "rapporteur": 200, "projector": 200, "participant": 200},
        setup=with_shown_board,
    ),
    Route(
        "POST",
        "/api/sessions/{sid}/board",
        {"facilitator": 200, "rapporteur": 200},
        setup=with_note,
        json={"action": "recount", "n_themes": None},
    ),
    Route(
        "POST",
        "/api/sessions/{sid}/takeaways",
        {"facilitator": 201, "rapporteur": 201},
        json={"kind": "call_to_action", "text": "Fund it"},
    ),
    Route(
        "PATCH",
        "/api/sessions/{sid}/takeaways/{takeaway}",
        {"facilitator": 200, "rapporteur": 200},
        setup=with_takeaway,
        json={"text": "Reworded"},
    ),
    # The first allowed role deletes it; the second passes the gate and finds it gone.
    Route(
        "DELETE",
        "/api/sessions/{sid}/takeaways/{takeaway}",
        {"facilitator": 204, "rapporteur": 404},
        setup=with_takeaway,
    ),
    Route(
        "POST",
        "/api/sessions/{sid}/vote",
        {"facilitator": 200},
        setup=with_note,
        json={"action": "open", "dots": 3},
    ),
    Route(
        "GET",
        "/api/sessions/{sid}/vote",
        {"facilitator": 200, "rapporteur": 200, "projector": 200, "participant": 200},
        setup=with_open_vote,
    ),
    Route(
        "PUT",
        "/api/sessions/{sid}/vote/ballot",
        {"participant": 200},
        setup=with_open_vote,
        json={"dots": []},
    ),
    Route("POST", "/api/sessions/{sid}/report-back", {"facilitator": 200}, json={"shown": True}),
    Route("GET", "/s/{sid}/rapporteur/board", {"rapporteur": 200, "facilitator": 200}),
    Route(
        "POST",
        "/s/{sid}/rapporteur/board",
        {"rapporteur": 303, "facilitator": 303},
        setup=with_note,
        data={"action": "recount"},
    ),
    Route(
        "POST",
        "/s/{sid}/rapporteur/takeaways",
        {"rapporteur": 303, "facilitator": 303},
        data={"kind": "takeaway", "text": "From the form"},
    ),
    Route(
        "POST",
        "/s/{sid}/rapporteur/takeaways/{takeaway}",
        {"rapporteur": 303, "facilitator": 303},
        setup=with_takeaway,
        data={"intent": "save", "text": "Reworded"},
    ),
    Route(
        "POST",
        "/s/{sid}/facilitator/vote",
        {"facilitator": 303},
        setup=with_note,
        data={"intent": "open", "dots": "3"},
    ),
    Route("POST", "/s/{sid}/facilitator/report-back", {"facilitator": 303}, data={"shown": "on"}),
    Route("POST", "/s/{sid}/participant/ballot", {"participant": 303}, setup=with_open_vote),
    Route("GET", "/s/{sid}/report-back", {"projector": 200, "facilitator": 200, "rapporteur": 200}),
    Route("GET", "/organize", {"organizer": 200}),
    Route("GET", "/organize/{sid}", {"organizer": 200}),
    Route("POST", "/organize/{sid}/links/{link}/revoke", {"organizer": 303}, setup=with_link),
    Route("POST", "/organize/{sid}/links/{link}/reissue", {"organizer": 200}, setup=with_link),
]


def other_session_token(cafe: Cafe) -> str:
    created = create_live_session(
        session_factory(cafe.db.engine), cafe_spec(), ROSTER, PLAN, None, now=START
    )
    return created.links[0].token  # that session's facilitator


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_only_the_listed_roles_reach_the_route(cafe: Cafe, route: Route):
    names = route.setup(cafe)
    path = route.path.format(sid=cafe.session_id, **names)
    tokens = {**cafe.tokens, "other_session": other_session_token(cafe)}
    expected = {role: route.allowed.get(role, 403) for role in ROLES} | STRANGERS
    order = sorted(expected, key=lambda role: role in route.allowed)  # refused ones first
    seen = {}
    for role in order:
        headers = {} if role == "anonymous" else {"Authorization": f"Bearer {tokens[role]}"}
        answer = cafe.client.request(
            route.method,
            path,
            headers=headers,
            json=route.json,
            data=route.data,
            follow_redirects=False,
        )
        seen[role] = answer.status_code
    assert seen == expected


@pytest.mark.parametrize("role", ROLES)
def test_a_link_of_one_session_never_reads_another_sessions_state(cafe: Cafe, role: str):
    other = create_live_session(
        session_factory(cafe.db.engine), cafe_spec(), ROSTER, PLAN, None, now=START
    )
    answer = cafe.client.get(f"/api/sessions/{other.session_id}/state", headers=cafe.bearer(role))
    assert answer.status_code == (200 if role == "organizer" else 403)


def test_participant_link_cannot_reach_facilitator_actions_by_cookie(cafe: Cafe):
    phone = cafe.open_link("participant")
    answer = phone.post(
        cafe.url("control"),
        json={"action": "start"},
        headers={"X-CSRF-Token": cafe.csrf("participant")},
    )
    assert answer.status_code == 403
    assert cafe.state()["phase"] == "not_started"


def test_participant_state_never_holds_roster_fields(cafe: Cafe):
    state = cafe.state("participant")
    text = str(state)
    for person in ROSTER:
        assert person.name not in text
        assert (person.email or "@") not in text
    assert set(state["my"]) == {"table", "round", "video_link", "next_table"}


def test_participant_page_shows_no_roster_names(cafe: Cafe):
    cafe.control("start")
    cafe.control("next")
    html = cafe.open_link("participant").get(f"/s/{cafe.session_id}/participant").text
    for person in ROSTER:
        assert person.name not in html
        assert (person.email or "@") not in html
    assert "Table 1" in html
