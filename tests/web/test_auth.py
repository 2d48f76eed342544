from __future__ import annotations

from pollinate.store import repositories
from pollinate.store.db import session_factory
from pollinate.store.tables import Presence
from tests.web.conftest import Cafe


def test_opening_a_link_sets_an_httponly_lax_cookie_and_redirects_to_the_role_page(cafe: Cafe):
    answer = cafe.client.get(f"/l/{cafe.tokens['host']}", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/s/{cafe.session_id}/host"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"pollinate-{cafe.session_id}-host=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http in this test


def test_the_cookie_is_secure_over_https(cafe: Cafe):
    answer = cafe.client.get(f"https://testserver/l/{cafe.tokens['host']}", follow_redirects=False)
    assert "Secure" in answer.headers["set-cookie"]


def test_a_revoked_link_opens_nothing(cafe: Cafe):
    answer = cafe.client.get(f"/l/{cafe.tokens['revoked']}", follow_redirects=False)
    assert answer.status_code == 404
    assert "set-cookie" not in answer.headers


def test_opening_a_participant_link_checks_them_in(cafe: Cafe):
    cafe.open_link("participant")
    with session_factory(cafe.db.engine).begin() as s:
        assert repositories.presences(s, cafe.session_id)["p04"] is Presence.PRESENT


def test_one_browser_holds_the_console_and_a_participant_page_side_by_side(cafe: Cafe):
    browser = cafe.open_link("facilitator")
    browser.get(f"/l/{cafe.tokens['participant']}", follow_redirects=False)
    assert browser.get(f"/s/{cafe.session_id}/facilitator").status_code == 200
    assert browser.get(f"/s/{cafe.session_id}/participant").status_code == 200
    mine = browser.get(cafe.url("state?as=participant")).json()
    assert mine["my"]["table"] == "Table 1"


def test_cookie_post_without_csrf_token_is_refused(cafe: Cafe):
    browser = cafe.open_link("facilitator")
    answer = browser.post(
        f"/s/{cafe.session_id}/facilitator/control",
        data={"action": "start"},
        follow_redirects=False,
    )
    assert answer.status_code == 403
    assert cafe.state()["phase"] == "not_started"


def test_cookie_post_with_a_wrong_csrf_token_is_refused(cafe: Cafe):
    browser = cafe.open_link("facilitator")
    answer = browser.post(
        f"/s/{cafe.session_id}/facilitator/control",
        data={"action": "start", "csrf": cafe.csrf("participant")},
        follow_redirects=False,
    )
    assert answer.status_code == 403


def test_cookie_post_with_the_pages_csrf_token_goes_through(cafe: Cafe):
    browser = cafe.open_link("facilitator")
    page = browser.get(f"/s/{cafe.session_id}/facilitator").text
    token = cafe.csrf("facilitator")
    assert f'name="csrf" value="{token}"' in page
    answer = browser.post(
        f"/s/{cafe.session_id}/facilitator/control",
        data={"action": "start", "csrf": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert cafe.state()["phase"] == "running"


def test_cookie_api_call_needs_the_csrf_header(cafe: Cafe):
    browser = cafe.open_link("facilitator")
    refused = browser.post(cafe.url("control"), json={"action": "start"})
    assert refused.status_code == 403
    accepted = browser.post(
        cafe.url("control"),
        json={"action": "start"},
        headers={"X-CSRF-Token": cafe.csrf("facilitator")},
    )
    assert accepted.status_code == 200


def test_bearer_api_calls_need_no_csrf_token(cafe: Cafe):
    assert cafe.control("start").status_code == 200


def test_pages_send_a_content_security_policy_without_inline_scripts(cafe: Cafe):
    answer = cafe.client.get(f"/s/{cafe.session_id}/projector", headers=cafe.bearer("projector"))
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_a_page_without_a_link_says_so_in_html(cafe: Cafe):
    answer = cafe.client.get(f"/s/{cafe.session_id}/host", headers={"Accept": "text/html"})
    assert answer.status_code == 401
    assert "This page needs your link" in answer.text


def test_the_organizer_link_opens_the_organizer_pages(cafe: Cafe):
    answer = cafe.client.get(f"/l/{cafe.tokens['organizer']}", follow_redirects=False)
    assert answer.headers["location"] == "/organize"
    assert cafe.client.get("/organize").status_code == 200
    assert cafe.client.get(f"/organize/{cafe.session_id}").status_code == 200
