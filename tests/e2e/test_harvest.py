"""The harvest in real Chromium: the rapporteur's board, a dot vote, the report back.

One `pollinate demo`, one browser context per person: a host adds notes (one with an
email, which is stored redacted and which the host restores), the board shows
their themes, the rapporteur merges two themes and promotes one to a key takeaway, the
facilitator opens a vote from the console, two participants vote from their phones, and
the projector, which follows the facilitator's switch to the report-back view by
itself, shows the dots as they come. Every step is driven by clicks and key presses.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.e2e.conftest import Demo, Screen, save_screenshot

pytestmark = pytest.mark.browser

TOPICS = [
    "Rural broadband must reach every village",
    "Fund rural broadband networks now",
    "Broadband access in rural areas is too slow",
    "Teach media literacy in every school",
    "Media literacy courses for teachers",
    "Schools need media literacy lessons",
    "Climate data should be open",
    "Open climate data for cities",
]
WAIT_MS = 10_000  # a re-clustering waits 2 s for the burst to end, then takes < 1 s


def in_round_one(demo: Demo) -> None:
    demo.control("start")
    demo.control("next")


def add_notes(demo: Demo, host: Screen, texts: list[str]) -> None:
    """The host types each note and presses Enter, as at the table."""
    for text in texts:
        host.page.fill("#note-text", text)
        host.page.press("#note-text", "Enter")
        host.page.wait_for_function(
            "(text) => document.querySelector('#notes').textContent.includes(text)", arg=text
        )


def test_board_merge_takeaway_vote_and_report_back_in_chromium(
    demo: Demo, open_screen: Callable[..., Screen], request: pytest.FixtureRequest
):
    in_round_one(demo)
    base = f"{demo.server.base_url}/s/{demo.session_id}"
    host = open_screen("host", demo.links["host"])
    rapporteur = open_screen("rapporteur", demo.links["rapporteur"])
    rapporteur.page.goto(f"{base}/rapporteur/board")
    projector = open_screen("projector", demo.links["projector"])
    phones = [open_screen(name, demo.links[name]) for name in ("participant", "online_participant")]
    screens = [host, rapporteur, projector, *phones]

    # The board follows the notes by itself: no reload on the rapporteur's side.
    add_notes(demo, host, TOPICS)
    rapporteur.page.wait_for_function(
        "() => document.querySelectorAll('#themes > li').length === 3", timeout=WAIT_MS
    )
    labels = rapporteur.page.locator("#themes .theme-label label").all_inner_texts()
    assert sorted(labels) == ["Climate data, open", "Media literacy", "Rural broadband"]

    # A note naming a contact is stored redacted; its host sees what and may restore it.
    host.page.fill("#note-text", "Ask at broadband@example.org")
    host.page.press("#note-text", "Enter")
    host.page.wait_for_selector("[id$=-redactions]", timeout=WAIT_MS)
    assert "Ask at [an email]" in host.page.inner_text("#notes")
    assert "only you see" in host.page.inner_text("[id$=-redactions]")
    host.page.locator("[id$=-restore-0]").click()
    host.page.wait_for_selector("#message")
    assert "Ask at broadband@example.org" in host.page.inner_text("#notes")
    assert host.page.locator("[id$=-redactions]").count() == 0

    # Merge two themes: tick them (keyboard: Space), then the merge button.
    page = rapporteur.page
    boxes = page.locator("#themes input[form=merge-form]")
    boxes.nth(0).focus()
    page.keyboard.press("Space")
    boxes.nth(1).focus()
    page.keyboard.press("Space")
    page.click("#merge-submit")
    page.wait_for_selector("#message")
    assert "Merged" in page.inner_text("#message")
    assert page.locator("#themes > li").count() == 2

    # Promote the merged (largest, first) theme to a key takeaway.
    merged_label = page.locator("#themes .theme-label label").first.inner_text()
    page.locator("#themes > li").first.locator("button[value=takeaway]").first.click()
    page.wait_for_selector("#takeaways > li")
    assert page.input_value("#takeaways textarea") == merged_label

    # The facilitator opens a vote from the console; the projector switches by itself.
    facilitator = open_screen("facilitator", demo.links["facilitator"])
    screens.append(facilitator)
    facilitator.page.fill("#vote-dots", "3")
    facilitator.page.click("#vote-open")
    projector.page.wait_for_url("**/report-back", timeout=WAIT_MS)
    projector.page.wait_for_selector("#rb-themes", timeout=WAIT_MS)

    # Two participants spend their dots on their phones.
    for phone, dots in zip(phones, ([3, 0], [1, 2]), strict=True):
        phone.page.wait_for_selector("#ballot-form", timeout=WAIT_MS)
        fields = phone.page.locator("#ballot-form input[type=number]")
        for index, count in enumerate(dots):
            fields.nth(index).fill(str(count))
        phone.page.click("#ballot-submit")
        phone.page.wait_for_selector("#message")
        assert "Your dots are in" in phone.page.inner_text("#message")

    # The projector shows the results live: 2 ballots, 6 dots, 4 on the first theme.
    projector.page.wait_for_function(
        "() => (document.querySelector('#vote-summary') || {}).textContent"
        " && document.querySelector('#vote-summary').textContent.includes('2 ballots')",
        timeout=WAIT_MS,
    )
    dots = [int(d.split()[0]) for d in projector.page.locator(".rb-dots").all_inner_texts()]
    assert sorted(dots, reverse=True)[:2] == [4, 2]
    assert sum(dots) == 6
    assert "Key takeaways" in projector.page.inner_text("#report-back")
    assert merged_label in projector.page.inner_text("#rb-takeaways")
    for text in TOPICS:  # the room sees themes, never the notes themselves
        assert text not in projector.page.inner_text("body")

    for screen in screens:
        save_screenshot(screen, request)
    errors = {screen.name: screen.errors for screen in screens if screen.errors}
    assert not errors, f"uncaught script errors: {errors}"


@pytest.fixture
def harvested(demo: Demo) -> Demo:
    """The demo in round 1 with notes on the board, a takeaway, a host's redacted note and
    an open vote (so the ballot and the report back are on the phones)."""
    in_round_one(demo)
    mine = demo.state("host")["my"]
    path = f"/api/sessions/{demo.session_id}"
    for text in [*TOPICS, "Write to someone@example.org about it"]:
        body = {"round": mine["round"], "table": mine["table"], "text": text}
        answer = demo.server.call("POST", f"{path}/notes", token=demo.tokens["host"], body=body)
        assert answer.status == 201, answer.text
    rapporteur = demo.tokens["rapporteur"]
    board = demo.server.call("GET", f"{path}/board", token=rapporteur).json()
    body = {"kind": "call_to_action", "theme": board["themes"][0]["id"]}
    assert demo.server.call("POST", f"{path}/takeaways", token=rapporteur, body=body).status == 201
    opened = demo.server.call(
        "POST", f"{path}/vote", token=demo.tokens["facilitator"], body={"action": "open"}
    )
    assert opened.status == 200, opened.text
    return demo


# (screen, link it opens, page it then shows; None: the link's own page)
HARVEST_PAGES = [
    ("board", "rapporteur", "rapporteur/board"),
    ("board_facilitator", "facilitator", "rapporteur/board"),
    ("report_back", "projector", "report-back"),
    ("console", "facilitator", None),
    ("ballot", "participant", None),
    ("host_undo", "host", None),
]


@pytest.mark.parametrize(("name", "link", "path"), HARVEST_PAGES, ids=[p[0] for p in HARVEST_PAGES])
def test_harvest_pages_have_no_serious_accessibility_violations(
    harvested: Demo,
    open_screen: Callable[..., Screen],
    request: pytest.FixtureRequest,
    name: str,
    link: str,
    path: str | None,
):
    from tests.e2e.test_accessibility import BLOCKING_IMPACTS, describe, run_axe

    screen = open_screen(name, harvested.links[link])
    if path is not None:
        screen.page.goto(f"{harvested.server.base_url}/s/{harvested.session_id}/{path}")
    shown = {
        "board": "#themes > li",
        "board_facilitator": "#vote-close",
        "report_back": "#rb-themes > li",
        "console": "#vote-close",
        "ballot": "#ballot-form",
        "host_undo": "[id$=-redactions]",
    }[name]
    assert screen.page.locator(shown).count() >= 1, f"{name} does not show {shown}"
    save_screenshot(screen, request)
    blocking = [v for v in run_axe(screen) if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{name} ({screen.page.url}):\n{describe(blocking)}"
    assert not screen.errors
