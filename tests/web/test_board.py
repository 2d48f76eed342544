"""The rapporteur's board through the API: themes follow the notes, edits stay put.

Three clear topics from three tables; every board read re-clusters when the notes have
changed (the live page's debounced re-clustering calls the same `refresh_board`).
"""

from __future__ import annotations

from typing import Any

import pytest

from pollinate.store import outbox
from pollinate.store.db import session_factory
from tests.web.conftest import Cafe

BROADBAND = [
    "Rural broadband must reach every village",
    "Fund rural broadband networks now",
    "Broadband access in rural areas is too slow",
]
LITERACY = [
    "Teach media literacy in every school",
    "Media literacy courses for teachers",
    "Schools need media literacy lessons",
]
CLIMATE = ["Climate data should be open", "Open climate data for cities"]
HOSTS = [("host", "Table 1"), ("host_t2", "Table 2"), ("room_host", "Room 1")]


def note(cafe: Cafe, text: str, index: int = 0) -> str:
    role, table = HOSTS[index % len(HOSTS)]
    cafe.clock.advance(seconds=1)  # notes cluster in the order they were taken
    answer = cafe.client.post(
        cafe.url("notes"),
        json={"round": 1, "table": table, "text": text},
        headers=cafe.bearer(role),
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


@pytest.fixture
def harvest(cafe: Cafe) -> dict[str, str]:
    """The café in round 1 with the eight notes; their ids by text.

    The board re-clusters when read; the live, debounced re-clustering is held off so
    that each test knows exactly when the board changes (tests/actions/test_board.py
    tests the debounce).
    """
    cafe.client.app.state.runtime.reclustering.delay = 3600  # type: ignore[attr-defined]
    cafe.control("start")
    cafe.control("next")
    return {text: note(cafe, text, i) for i, text in enumerate(BROADBAND + LITERACY + CLIMATE)}


def board(cafe: Cafe, role: str = "rapporteur") -> dict[str, Any]:
    answer = cafe.client.get(cafe.url("board"), headers=cafe.bearer(role))
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def edit(cafe: Cafe, **body: Any) -> dict[str, Any]:
    answer = cafe.client.post(cafe.url("board"), json=body, headers=cafe.bearer("rapporteur"))
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def theme_of(view: dict[str, Any], note_id: str) -> dict[str, Any]:
    return next(t for t in view["themes"] if note_id in [n["id"] for n in t["notes"]])


def members(theme: dict[str, Any]) -> set[str]:
    return {n["id"] for n in theme["notes"]}


def test_the_board_shows_the_notes_themes(cafe: Cafe, harvest: dict[str, str]):
    view = board(cafe)
    labels = sorted(theme["label"] for theme in view["themes"])
    assert labels == ["Climate data, open", "Media literacy", "Rural broadband"]
    broadband = theme_of(view, harvest[BROADBAND[0]])
    assert members(broadband) == {harvest[t] for t in BROADBAND}
    assert broadband["tables"] == ["Room 1", "Table 1", "Table 2"]


def test_reading_an_unchanged_board_does_not_re_cluster(cafe: Cafe, harvest: dict[str, str]):
    first = board(cafe)
    assert board(cafe)["revision"] == first["revision"]
    note(cafe, "Broadband vouchers for rural families")
    assert board(cafe)["revision"] == first["revision"] + 1


def test_a_merge_stays_merged_when_new_notes_re_cluster_the_board(
    cafe: Cafe, harvest: dict[str, str]
):
    view = board(cafe)
    broadband = theme_of(view, harvest[BROADBAND[0]])["id"]
    literacy = theme_of(view, harvest[LITERACY[0]])["id"]
    merged = edit(cafe, action="merge", themes=[broadband, literacy])
    both = {harvest[t] for t in BROADBAND + LITERACY}
    assert members(theme_of(merged, harvest[BROADBAND[0]])) == both
    renamed = edit(cafe, action="rename", theme=theme_of(merged, harvest[BROADBAND[0]])["id"],
                   label="Access and skills")  # fmt: skip
    assert theme_of(renamed, harvest[LITERACY[0]])["label"] == "Access and skills"
    later = [
        note(cafe, "Rural broadband for farmers", 1),
        note(cafe, "Media literacy for parents", 2),
    ]
    after = board(cafe)
    grown = theme_of(after, harvest[BROADBAND[0]])
    assert members(grown) >= both
    assert grown["label"] == "Access and skills"
    assert all(members(theme) & both == set() for theme in after["themes"] if theme is not grown)
    assert set(later) <= {n for t in after["themes"] for n in members(t)}


def test_a_split_note_keeps_its_own_theme_and_a_star_stays(cafe: Cafe, harvest: dict[str, str]):
    moved = harvest[BROADBAND[2]]
    split = edit(cafe, action="split", notes=[moved])
    assert members(theme_of(split, moved)) == {moved}
    starred = edit(cafe, action="star", note=harvest[LITERACY[1]])
    assert [n["starred"] for n in theme_of(starred, harvest[LITERACY[1]])["notes"]].count(True) == 1
    note(cafe, "Broadband in rural schools too", 1)
    after = board(cafe)
    assert members(theme_of(after, moved)) == {moved}
    liked = next(n for n in theme_of(after, harvest[LITERACY[1]])["notes"] if n["starred"])
    assert liked["id"] == harvest[LITERACY[1]]


def test_asking_for_a_number_of_themes_re_clusters_with_it(cafe: Cafe, harvest: dict[str, str]):
    assert len(edit(cafe, action="recount", n_themes=2)["themes"]) == 2
    answer = cafe.client.post(
        cafe.url("board"),
        json={"action": "recount", "n_themes": 0},
        headers=cafe.bearer("rapporteur"),
    )
    assert answer.status_code == 422
    assert len(edit(cafe, action="recount", n_themes=None)["themes"]) == 3


def test_an_edit_naming_a_theme_that_is_gone_says_to_reload(cafe: Cafe, harvest: dict[str, str]):
    board(cafe)
    answer = cafe.client.post(
        cafe.url("board"),
        json={"action": "merge", "themes": ["theme-gone", "theme-also-gone"]},
        headers=cafe.bearer("rapporteur"),
    )
    assert answer.status_code == 422
    assert "reload" in answer.json()["detail"]


def test_a_theme_and_a_note_become_takeaways_that_can_be_edited_and_deleted(
    cafe: Cafe, harvest: dict[str, str]
):
    view = board(cafe)
    theme = theme_of(view, harvest[CLIMATE[0]])
    made = cafe.client.post(
        cafe.url("takeaways"),
        json={"kind": "takeaway", "theme": theme["id"]},
        headers=cafe.bearer("rapporteur"),
    )
    assert made.status_code == 201, made.text
    assert made.json()["text"] == theme["label"]
    action = cafe.client.post(
        cafe.url("takeaways"),
        json={"kind": "call_to_action", "note": harvest[BROADBAND[1]]},
        headers=cafe.bearer("facilitator"),
    ).json()
    assert action["text"] == BROADBAND[1]
    changed = cafe.client.patch(
        cafe.url(f"takeaways/{made.json()['id']}"),
        json={
            "text": "Cities should open their climate data, says Person 6",
            "kind": "call_to_action",
        },
        headers=cafe.bearer("rapporteur"),
    )
    assert changed.json()["text"] == "Cities should open their climate data, says [a participant]"
    assert changed.json()["kind"] == "call_to_action"
    gone = cafe.client.delete(
        cafe.url(f"takeaways/{action['id']}"), headers=cafe.bearer("rapporteur")
    )
    assert gone.status_code == 204
    assert [t["text"] for t in board(cafe)["takeaways"]] == [changed.json()["text"]]


def test_every_board_change_is_announced_without_any_theme_text(
    cafe: Cafe, harvest: dict[str, str]
):
    view = board(cafe)
    edit(cafe, action="rename", theme=view["themes"][0]["id"], label="Secret label")
    with session_factory(cafe.db.engine).begin() as s:
        changes = outbox.latest_of_type(s, cafe.session_id, "themes.changed", 10)
    assert [event.payload for event in changes] == [
        {"revision": 1, "shown": False},
        {"revision": 2, "shown": False},
    ]


def test_the_room_reads_the_board_only_once_the_report_back_is_on(
    cafe: Cafe, harvest: dict[str, str]
):
    board(cafe)
    assert cafe.client.get(cafe.url("board"), headers=cafe.bearer("projector")).status_code == 403
    shown = cafe.client.post(
        cafe.url("report-back"), json={"shown": True}, headers=cafe.bearer("facilitator")
    )
    assert shown.json() == {"shown": True}
    public = board(cafe, "participant")
    assert set(public) == {"revision", "shown", "themes", "takeaways", "calls_to_action", "vote"}
    assert "notes" not in str(public["themes"])
    assert sorted(t["size"] for t in public["themes"]) == [2, 3, 3]


def test_the_workspace_page_has_its_forms_with_csrf_and_labels(cafe: Cafe, harvest: dict[str, str]):
    html = cafe.open_link("rapporteur").get(f"/s/{cafe.session_id}/rapporteur/board").text
    for element_id in (
        "themes",
        "merge-form",
        "merge-submit",
        "takeaways",
        "takeaway-form",
        "n-themes",
    ):
        assert f'id="{element_id}"' in html, element_id
    assert html.count('name="csrf"') >= 10
    assert "Rural broadband" in html


def test_the_workspace_forms_merge_and_promote_without_script(cafe: Cafe, harvest: dict[str, str]):
    view = board(cafe)
    browser = cafe.open_link("rapporteur")
    ids = [theme_of(view, harvest[t])["id"] for t in (BROADBAND[0], LITERACY[0])]
    page = f"/s/{cafe.session_id}/rapporteur/board"
    merged = browser.post(
        page,
        data={"action": "merge", "themes": ids, "csrf": cafe.csrf("rapporteur")},
        follow_redirects=False,
    )
    assert merged.status_code == 303
    assert "Merged" in merged.headers["location"]
    assert len(board(cafe)["themes"]) == 2
    refused = browser.post(
        f"/s/{cafe.session_id}/rapporteur/takeaways",
        data={"theme": ids[0], "kind": "takeaway"},
        follow_redirects=False,
    )
    assert refused.status_code == 403  # no CSRF token
    promoted = browser.post(
        f"/s/{cafe.session_id}/rapporteur/takeaways",
        data={"theme": theme_of(board(cafe), harvest[BROADBAND[0]])["id"], "kind": "takeaway",
              "csrf": cafe.csrf("rapporteur")},
        follow_redirects=False,
    )  # fmt: skip
    assert promoted.status_code == 303
    assert len(board(cafe)["takeaways"]) == 1
