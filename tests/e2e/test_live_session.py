"""The day itself, in real Chromium: every screen follows the facilitator within 1 s.

Each test starts its own `pollinate demo` and opens one browser context per person (own
cookies, as on separate devices) through the links in demo-links.json: the facilitator,
the projector, the rapporteur, the online moderator, a table host, and two participants,
one in the room and one online. Issue 3 asks that every device show the same round,
question and time left "within a second of the facilitator's click"; each delay is
measured in the browsers, from the click (or the host's Enter) to the change in each
page's DOM (`seconds_until_shown`), kept in test-artifacts/ and asserted.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterator

import pytest

from pollinate.web.pages import clock_text
from tests.e2e.conftest import (
    ARTIFACTS,
    Demo,
    Expect,
    Screen,
    save_screenshot,
    seconds_until_shown,
    shown_text,
)

pytestmark = pytest.mark.browser

WITHIN_SECONDS = 1.0  # issue 3: "within a second of the facilitator's click"
SCREENS = (
    "facilitator",
    "projector",
    "rapporteur",
    "online_moderator",
    "host",
    "participant",
    "online_participant",
)
EXTEND_MINUTES = 5  # the console's default in its Extend field
# Block titles of the packaged example session (src/pollinate/examples/igf-world-cafe.yaml).
INTRODUCTION = "Level-setting introduction"
ROUND_TWO = "Holding companies to account"


@pytest.fixture
def screens(
    demo: Demo, open_screen: Callable[..., Screen], request: pytest.FixtureRequest
) -> Iterator[dict[str, Screen]]:
    """Opens every role's link in its own context; screenshots and script errors at the end.

    A test that needs the session in a given state puts it there through the API before
    asking for this fixture, so every page starts from a fresh render of that state.
    """
    opened = {name: open_screen(name, demo.links[name]) for name in SCREENS}
    yield opened
    for screen in opened.values():
        save_screenshot(screen, request)
    errors = {name: screen.errors for name, screen in opened.items() if screen.errors}
    assert not errors, f"uncaught script errors: {errors}"


def assert_prompt(delays: dict[str, float], request: pytest.FixtureRequest, step: str) -> None:
    """Keep the delays beside the screenshots (to watch the margin), then insist on 1 s."""
    ARTIFACTS.mkdir(exist_ok=True)
    record = ARTIFACTS / f"{request.node.name}-{step}-delays.json"
    record.write_text(json.dumps(delays, indent=1), encoding="utf-8")
    late = {what: round(seconds, 3) for what, seconds in delays.items() if seconds > WITHIN_SECONDS}
    assert not late, f"later than {WITHIN_SECONDS} s after the click: {late}"


def in_round_one(demo: Demo) -> None:
    demo.control("start")  # the introduction
    demo.control("next")  # round 1
    assert demo.state()["round"] == 1


def test_start_shows_the_first_block_on_every_screen(
    demo: Demo, screens: dict[str, Screen], request: pytest.FixtureRequest
):
    facilitator = screens["facilitator"]
    delays = seconds_until_shown(
        facilitator,
        "#control-start",
        lambda: facilitator.page.click("#control-start", no_wait_after=True),
        [Expect(screen, "#block-title", INTRODUCTION) for screen in screens.values()],
    )
    assert_prompt(delays, request, "start")
    assert demo.state()["phase"] == "running"


@pytest.fixture
def round_one(demo: Demo) -> Demo:
    in_round_one(demo)
    return demo


def test_host_note_reaches_rapporteur_and_facilitator_within_a_second(
    round_one: Demo, screens: dict[str, Screen], request: pytest.FixtureRequest
):
    host = screens["host"].page
    text = f"Investors ask for board-level AI risk reports ({secrets.token_hex(3)})"
    host.fill("#note-text", text)
    delays = seconds_until_shown(
        screens["host"],
        "#note-text",
        lambda: host.press("#note-text", "Enter"),
        [
            Expect(screens["rapporteur"], "#notes-feed", text),
            Expect(screens["facilitator"], "#notes-feed", text),
            Expect(screens["host"], "#notes", text),
        ],
        event="keydown",
    )
    assert_prompt(delays, request, "note")
    assert host.input_value("#note-text") == "", "Enter should add the note and clear the box"
    stored = round_one.server.call(
        "GET", f"/api/sessions/{round_one.session_id}/notes", token=round_one.tokens["rapporteur"]
    ).json()
    assert [note["text"] for note in stored] == [text]
    # The projector never shows notes: a projected screen is seen by the whole room.
    assert text not in screens["projector"].page.inner_text("body")


def test_next_round_moves_both_participants_within_a_second(
    round_one: Demo, screens: dict[str, Screen], request: pytest.FixtureRequest
):
    moves = {}
    for name in ("participant", "online_participant"):
        my = round_one.state(name)["my"]
        assert my["round"] == 1, my
        assert my["next_table"], my
        assert my["next_table"] != my["table"], (
            f"the demo plan keeps {name} at {my['table']}: this test would time nothing"
        )
        assert screens[name].page.inner_text("#my-table") == my["table"]
        moves[name] = my["next_table"]
    expectations = [
        *(Expect(screens[name], "#my-table", table, exact=True) for name, table in moves.items()),
        *(Expect(screens[name], "#my-round-label", "Round 2:", exact=True) for name in moves),
        *(Expect(screen, "#block-title", ROUND_TWO) for screen in screens.values()),
        # The projector's table map shows the running round's tables.
        Expect(screens["projector"], "#map-heading", "round 2"),
    ]
    facilitator = screens["facilitator"]
    delays = seconds_until_shown(
        facilitator,
        "#control-next",
        lambda: facilitator.page.click("#control-next", no_wait_after=True),
        expectations,
    )
    assert_prompt(delays, request, "next")
    for name, table in moves.items():
        assert round_one.state(name)["my"]["table"] == table


def test_pause_and_extend_show_on_every_screen(
    round_one: Demo, screens: dict[str, Screen], request: pytest.FixtureRequest
):
    facilitator = screens["facilitator"].page
    delays = seconds_until_shown(
        screens["facilitator"],
        "#control-pause",
        lambda: facilitator.click("#control-pause", no_wait_after=True),
        [Expect(screen, "#run-status", "Paused", exact=True) for screen in screens.values()],
    )
    assert_prompt(delays, request, "pause")

    # While paused the clock is frozen, so the figure after Extend is known to the second.
    paused = round_one.state()
    assert paused["paused"] is True
    extended = clock_text(paused["remaining_seconds"] + EXTEND_MINUTES * 60)
    assert facilitator.input_value("#extend-minutes") == str(EXTEND_MINUTES)
    delays = seconds_until_shown(
        screens["facilitator"],
        "#control-extend",
        lambda: facilitator.click("#control-extend", no_wait_after=True),
        [Expect(screen, "#timer", extended, exact=True) for screen in screens.values()],
    )
    assert_prompt(delays, request, "extend")
    # Extending does not resume: every screen still says the timer is paused.
    status = {name: shown_text(screen, "#run-status") for name, screen in screens.items()}
    assert all("Paused" in (text or "") for text in status.values()), status
    assert round_one.state()["remaining_seconds"] == pytest.approx(
        paused["remaining_seconds"] + EXTEND_MINUTES * 60
    )


def test_broadcast_reaches_every_screen_within_a_second(
    round_one: Demo, screens: dict[str, Screen], request: pytest.FixtureRequest
):
    facilitator = screens["facilitator"].page
    message = f"Coffee is served at the back ({secrets.token_hex(3)})"
    facilitator.fill("#broadcast-message", message)
    delays = seconds_until_shown(
        screens["facilitator"],
        "#control-broadcast",
        lambda: facilitator.click("#control-broadcast", no_wait_after=True),
        [Expect(screen, "#broadcasts", message) for screen in screens.values()],
    )
    assert_prompt(delays, request, "broadcast")


def test_the_console_follows_rounds_and_check_ins_made_on_other_devices(
    round_one: Demo, open_screen: Callable[..., Screen]
):
    # The console's own buttons reload it (post/redirect/get); a round moved on from
    # another device (a second facilitator, the API) must redraw it without a reload,
    # which would lose what is typed in its forms.
    console = open_screen("facilitator", round_one.links["facilitator"])
    page = console.page
    assert (shown_text(console, "#fill-heading") or "").endswith("round 1")
    page.fill("#arrival-name", "Typed but not sent")
    round_one.control("next")
    deadline = time.monotonic() + 5 * WITHIN_SECONDS
    while not (shown_text(console, "#fill-heading") or "").endswith("round 2"):
        assert time.monotonic() < deadline, shown_text(console, "#fill-heading")
        page.wait_for_timeout(50)
    assert page.input_value("#arrival-name") == "Typed but not sent"  # no reload
    rows = page.inner_text("#table-fill-rows")
    assert rows.count("\n") >= 1, rows
    # Opening one's own link checks one in: the console's counts follow.
    before = shown_text(console, "#checkins") or ""
    present = int(before.split(" checked in")[0])
    open_screen("participant", round_one.links["participant"])
    deadline = time.monotonic() + 5 * WITHIN_SECONDS
    while not (shown_text(console, "#checkins") or "").startswith(f"{present + 1} checked in"):
        assert time.monotonic() < deadline, shown_text(console, "#checkins")
        page.wait_for_timeout(50)
    assert page.input_value("#arrival-name") == "Typed but not sent"
    assert not console.errors, console.errors
