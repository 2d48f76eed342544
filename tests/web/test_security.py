"""Security of every page: headers, no inline script, cookie flags, link guessing, logs.

every GET route × every role's browser (and none) ─▶ CSP, frame-ancestors, referrer
    policy and nosniff on each answer, error pages included; no inline script in HTML
cookies ─▶ HttpOnly, SameSite=Lax, Secure over https (or behind an https proxy)
/l/GUESS, Bearer GUESS or a guessed cookie × 20 from one address ─▶ 429 with Retry-After,
    on every worker, even for a real link; other addresses go on; the window passes
a real uvicorn with the real log config ─▶ no token in the access log
a process with an OpenTelemetry tracer ─▶ no request traced (FastAPI's spans carry paths)
"""

from __future__ import annotations

import importlib
import io
import itertools
import logging
import pkgutil
import re
import secrets
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
import uvicorn
from fastapi.testclient import TestClient
from opentelemetry import trace
from pydantic import SecretStr

import pollinate.web.routes
from pollinate.actions.access import LinkLimits
from pollinate.config import Settings
from pollinate.core.roles import Role
from pollinate.web.app import create_app
from pollinate.web.auth import ORGANIZER_COOKIE, cookie_name
from pollinate.web.supervisor import log_config
from tests.web.conftest import ROLES, SECRET, Cafe

# Headers, cookies and logs do not depend on the database: SQLite only, to save time.
SQLITE_ONLY = pytest.mark.parametrize("db", ["sqlite"], indirect=True)
EVENTS = "/api/sessions/{session_id}/events"  # never ends; tests/web/test_sse.py has it
# Scripts only from our files: a <script> without src holds data (type application/json)
# or nothing. Inline handlers and javascript: URLs would be blocked by the policy anyway,
# and silently, so a page using one would be broken without anyone noticing.
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
# style-src 'self' blocks style attributes and elements just as silently. A downloaded
# report (an attachment, opened from disk without the policy) may carry its charts' own.
INLINE_STYLE = re.compile(r"<style\b|<[^>]*\sstyle\s*=", re.IGNORECASE)


def client_at(app: Any, address: str | None = None) -> TestClient:
    """A browser at its own address (a new one unless given).

    The wrong links it opens then count against nobody else: the attempts table outlives
    a test on the shared PostgreSQL database, and every café's clock starts at one minute.
    """
    return TestClient(app, client=(address or f"client-{secrets.token_hex(6)}", 50000))


def get_routes() -> list[str]:
    """Every GET path the app serves, read from the route modules themselves."""
    paths = []
    for module in pkgutil.iter_modules(pollinate.web.routes.__path__):
        routes = importlib.import_module(f"pollinate.web.routes.{module.name}").router.routes
        paths += [route.path for route in routes if "GET" in route.methods]
    return sorted(set(paths) - {EVENTS})


def concrete(path: str, cafe: Cafe) -> list[str]:
    """`path` with each of its parameters filled in every way worth a look."""
    values = {
        "session_id": [cafe.session_id],
        "token": [cafe.tokens["host"], "not-a-link"],
        "code": [cafe.created.join_code],
        "number": ["1"],
        "extension": ["md", "html", "pdf", "docx"],
    }
    names = re.findall(r"{(\w+)}", path)
    missing = set(names) - values.keys()
    assert not missing, f"say how to fill {missing} of {path} here"
    return [
        path.format(**dict(zip(names, chosen, strict=True)))
        for chosen in itertools.product(*(values[name] for name in names))
    ]


def browser_of(cafe: Cafe, role: str, address: str) -> TestClient:
    """A browser holding the role's cookie, as if it had opened the link.

    Set directly, because opening a participant's link checks them in, and then the
    test café's names ("Person 4") trip the report's leak check on "1 person took part".
    """
    browser = client_at(cafe.client.app, address)
    name = ORGANIZER_COOKIE if role == "organizer" else cookie_name(cafe.session_id, Role(role))
    browser.cookies.set(name, cafe.tokens[role])
    return browser


def assert_secure_page(answer: Any, where: str) -> None:
    policy = answer.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy, where
    assert "frame-ancestors 'none'" in policy, where
    assert "unsafe-inline" not in policy, where
    assert "unsafe-eval" not in policy, where
    assert answer.headers.get("referrer-policy") == "no-referrer", where
    assert answer.headers.get("x-content-type-options") == "nosniff", where
    if answer.headers.get("content-type", "").startswith("text/html"):
        assert not INLINE_SCRIPT.search(answer.text), where
        assert not INLINE_HANDLER.search(answer.text), where
        assert "javascript:" not in answer.text.lower(), where
        if "attachment" not in answer.headers.get("content-disposition", ""):
            assert not INLINE_STYLE.search(answer.text), where


@pytest.mark.slow
@SQLITE_ONLY
def test_every_get_route_of_every_role_sends_the_security_headers(cafe: Cafe):
    assert cafe.control("start").status_code == 200  # pages in a running session
    address = f"browsers-{secrets.token_hex(6)}"  # 8 wrong links from here, under the limit
    browsers = {role: browser_of(cafe, role, address) for role in ROLES}
    browsers["anonymous"] = client_at(cafe.client.app, address)
    opened: dict[str, set[int]] = {}
    for route in get_routes():
        for path, (who, browser) in itertools.product(concrete(route, cafe), browsers.items()):
            answer = browser.get(path, headers={"Accept": "text/html"}, follow_redirects=False)
            assert_secure_page(answer, f"{who}: GET {path} answered {answer.status_code}")
            opened.setdefault(route, set()).add(answer.status_code)
    # Each route was seen working (or redirecting, for /l/), not only refusing.
    assert {route: bool(codes & {200, 303}) for route, codes in opened.items()} == dict.fromkeys(
        opened, True
    )
    assert {401, 403, 404} <= set().union(*opened.values())  # and its error pages


@SQLITE_ONLY
def test_error_pages_send_the_security_headers_too(cafe: Cafe, monkeypatch: pytest.MonkeyPatch):
    html = {"Accept": "text/html"}
    organizer = {**cafe.bearer("organizer"), **html}
    browser = client_at(cafe.client.app)
    answers = {
        "404 no route": browser.get("/nowhere", headers=html),
        "405 wrong method": browser.delete("/organize", headers=html),
        "400 NUL in the address": browser.get("/join%00", headers=html),
        "413 body too large": browser.post(
            "/join", content=b"x", headers={**html, "Content-Length": str(2**30)}
        ),
        "422 upload refused": browser.post(
            "/organize/sessions",
            files={"session_file": ("s.yaml", b"\xff"), "roster": ("r.csv", b"name\nA\n")},
            headers=organizer,
        ),
    }
    for _ in range(LinkLimits().per_client + 1):
        answers["429 link guessing"] = browser.get("/l/guess", headers=html)
    answers["500 a bug"] = a_bug(cafe, html, monkeypatch)
    for name, answer in answers.items():
        assert answer.status_code == int(name[:3]), (name, answer.text)
        assert_secure_page(answer, name)
        # A browser gets a page, not JSON, whatever went wrong.
        assert answer.headers["content-type"].startswith("text/html"), name
        assert "<h1>" in answer.text, name


def a_bug(cafe: Cafe, headers: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """The answer to a page whose link lookup fails with an error nobody handles."""

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug")

    app: Any = cafe.client.app
    monkeypatch.setattr(app.state.runtime.links, "resolve", broken)
    browser = TestClient(app, raise_server_exceptions=False, client=("a-bug", 50000))
    browser.cookies.set(cookie_name(cafe.session_id, Role.HOST), cafe.tokens["host"])
    return browser.get(f"/s/{cafe.session_id}/host", headers=headers)


# ── cookies ───────────────────────────────────────────────────────────────────────────


def set_cookies(client: TestClient, cafe: Cafe, url: str) -> list[str]:
    """The Set-Cookie headers of the links and forms that set cookies, opened at `url`."""
    headers = []
    for path in (f"/l/{cafe.tokens['host']}", f"/l/{cafe.tokens['organizer']}", "/join"):
        answer = client.get(url + path, follow_redirects=False)
        assert answer.status_code in (200, 303), answer.text
        headers += answer.headers.get_list("set-cookie")
    assert len(headers) == 3
    return headers


def behind_an_https_proxy(cafe: Cafe) -> TestClient:
    """The café's app as served at https://… by a proxy that speaks http to it."""
    settings = Settings(secret_key=SecretStr(SECRET), base_url="https://cafe.example.org")
    app = create_app(
        settings, engine=cafe.db.engine, bus=cafe.bus, clock=cafe.clock, cluster_in_helper=False
    )
    return client_at(app)


@SQLITE_ONLY
@pytest.mark.parametrize("served", ["https", "behind an https proxy"])
def test_every_cookie_is_httponly_lax_and_secure_when_served_over_https(cafe: Cafe, served: str):
    if served == "https":
        cookies = set_cookies(client_at(cafe.client.app), cafe, "https://testserver")
    else:
        cookies = set_cookies(behind_an_https_proxy(cafe), cafe, "http://testserver")
    for cookie in cookies:
        flags = {flag.strip().split("=")[0].casefold() for flag in cookie.split(";")[1:]}
        assert {"httponly", "samesite", "secure", "path"} <= flags, cookie
        assert "samesite=lax" in cookie.casefold(), cookie


@SQLITE_ONLY
def test_cookies_over_plain_http_on_loopback_are_not_marked_secure(cafe: Cafe):
    # A browser drops Secure cookies sent over http, which would break `pollinate demo`.
    for cookie in set_cookies(client_at(cafe.client.app), cafe, "http://testserver"):
        assert "secure" not in cookie.casefold(), cookie
        assert "httponly" in cookie.casefold(), cookie


# ── link guessing ─────────────────────────────────────────────────────────────────────


def two_workers(cafe: Cafe, address: str) -> tuple[TestClient, TestClient]:
    """One browser at `address` on the café's app and on a second worker: its own app on
    the same database, as `serve --workers 2` runs."""
    settings = Settings(secret_key=SecretStr(SECRET))
    other = create_app(
        settings, engine=cafe.db.engine, bus=cafe.bus, clock=cafe.clock, cluster_in_helper=False
    )
    return client_at(cafe.client.app, address), client_at(other, address)


def test_guessing_links_is_refused_with_429_after_20_wrong_ones_on_every_worker(cafe: Cafe):
    limit = LinkLimits().per_client
    one_worker, other_worker = two_workers(cafe, f"guesser-{secrets.token_hex(6)}")
    for n in range(limit):
        worker = one_worker if n % 2 else other_worker
        assert worker.get(f"/l/guess-{n}", follow_redirects=False).status_code == 404
    for worker in (one_worker, other_worker):
        refused = worker.get("/l/one-more-guess", follow_redirects=False)
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "60"
        assert "wait a few minutes" in refused.json()["detail"]
        # Even a real link: a guesser must not learn which of its guesses was right.
        real = worker.get(f"/l/{cafe.tokens['host']}", follow_redirects=False)
        assert real.status_code == 429
        assert "set-cookie" not in real.headers


def test_link_guessing_holds_up_only_the_guessing_address_and_only_for_a_while(cafe: Cafe):
    guesser = client_at(cafe.client.app)
    for n in range(LinkLimits().per_client):
        guesser.get(f"/l/guess-{n}", follow_redirects=False)
    assert guesser.get("/l/guess", follow_redirects=False).status_code == 429
    elsewhere = client_at(cafe.client.app)
    assert elsewhere.get(f"/l/{cafe.tokens['host']}", follow_redirects=False).status_code == 303
    cafe.clock.advance(minutes=LinkLimits().window.total_seconds() / 60 + 1)
    assert guesser.get(f"/l/{cafe.tokens['host']}", follow_redirects=False).status_code == 303


def test_real_links_opened_many_times_never_count_as_guesses(cafe: Cafe):
    browser = client_at(cafe.client.app)
    for _ in range(LinkLimits().per_client + 5):
        answer = browser.get(f"/l/{cafe.tokens['participant']}", follow_redirects=False)
        assert answer.status_code == 303


def test_guessing_bearer_tokens_is_refused_with_429_after_20_wrong_ones_on_every_worker(
    cafe: Cafe,
):
    limit = LinkLimits().per_client
    one_worker, other_worker = two_workers(cafe, f"guesser-{secrets.token_hex(6)}")
    state = cafe.url("state")
    for n in range(limit):
        worker = one_worker if n % 2 else other_worker
        guess = worker.get(state, headers={"Authorization": f"Bearer guess-{n}"})
        assert guess.status_code == 401
    for worker in (one_worker, other_worker):
        refused = worker.get(state, headers=cafe.bearer("facilitator"))
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "60"
    assert client_at(cafe.client.app).get(state, headers=cafe.bearer("facilitator")).is_success


def test_guessing_by_cookie_counts_and_a_stale_cookie_is_deleted_after_one_count(cafe: Cafe):
    page = f"/s/{cafe.session_id}/host"
    guesser = client_at(cafe.client.app)
    cookie = cookie_name(cafe.session_id, Role.HOST)
    for n in range(LinkLimits().per_client):
        guesser.cookies.set(cookie, f"guess-{n}")
        answer = guesser.get(page, follow_redirects=False)
        assert answer.status_code == 401
        assert f'{cookie}=""' in answer.headers["set-cookie"]  # deleted: sent once only
        assert "Max-Age=0" in answer.headers["set-cookie"]
    guesser.cookies.set(cookie, cafe.tokens["host"])
    assert guesser.get(page, follow_redirects=False).status_code == 429


def test_a_current_link_beside_an_old_one_is_never_counted(cafe: Cafe):
    browser = client_at(cafe.client.app)
    assert browser.get(f"/l/{cafe.tokens['facilitator']}", follow_redirects=False).is_redirect
    browser.cookies.set(cookie_name(cafe.session_id, Role.HOST), cafe.tokens["revoked"])
    for _ in range(LinkLimits().per_client + 5):
        assert browser.get(cafe.url("state")).status_code == 200


# ── logs ──────────────────────────────────────────────────────────────────────────────


LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "pollinate")


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """Put the loggers `log_config()` changes back as they were, for the other tests."""
    saved = {
        name: (logger.handlers[:], logger.filters[:], logger.level, logger.propagate)
        for name in LOGGERS
        for logger in [logging.getLogger(name)]
    }
    yield
    for name, (handlers, filters, level, propagate) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:], logger.filters[:] = handlers, filters
        logger.setLevel(level)
        logger.propagate = propagate


@SQLITE_ONLY
@pytest.mark.usefixtures("restored_logging")
def test_link_tokens_never_reach_the_server_log(cafe: Cafe):
    written = io.StringIO()
    config = log_config()
    for handler in config["handlers"].values():
        handler["stream"] = written  # the same handlers, filters and format, into a buffer
    # Served as `pollinate serve` serves it (web/server.py), the lifespan left to the café.
    server = uvicorn.Server(
        uvicorn.Config(cafe.client.app, port=0, log_config=config, lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, written.getvalue()
    port = server.servers[0].sockets[0].getsockname()[1]
    tokens = [cafe.tokens["participant"], cafe.tokens["organizer"], "a-guessed-token-x7Qe"]
    try:
        with httpx2.Client(base_url=f"http://127.0.0.1:{port}", trust_env=False) as client:
            for token in tokens:
                client.get(f"/l/{token}?from=email", headers={"Referer": f"/l/{token}"})
            client.get("/api/sessions/x/state", headers={"Authorization": f"Bearer {tokens[0]}"})
    finally:
        server.should_exit = True
        thread.join(10)
    log = written.getvalue()
    assert log.count('"GET /l/…') == len(tokens), log  # each request logged, token cut out
    for token in tokens:
        assert token not in log


class _RecordingTracer(trace.Tracer):
    """A tracer an operator's OpenTelemetry set-up could have installed: it keeps the
    name and attributes of every span started, as an exporter would send them."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, dict[str, Any]]] = []

    def start_span(self, name: str, *args: Any, **kwargs: Any) -> trace.Span:
        self.spans.append((name, dict(kwargs.get("attributes") or {})))
        return trace.INVALID_SPAN

    def start_as_current_span(self, name: str, *args: Any, **kwargs: Any) -> Any:
        self.spans.append((name, dict(kwargs.get("attributes") or {})))
        return trace.use_span(trace.INVALID_SPAN)


class _RecordingProvider(trace.TracerProvider):
    def __init__(self, tracer: _RecordingTracer) -> None:
        self.tracer = tracer

    def get_tracer(self, *args: Any, **kwargs: Any) -> trace.Tracer:
        return self.tracer


@SQLITE_ONLY
def test_no_request_reaches_a_tracing_set_up(cafe: Cafe, monkeypatch: pytest.MonkeyPatch):
    # FastAPI traces every request to whatever global OpenTelemetry provider the process
    # has, with its path: a participant's /l/TOKEN would leave for a tracing backend.
    tracer = _RecordingTracer()
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: _RecordingProvider(tracer))
    token = cafe.tokens["participant"]
    assert cafe.client.get(f"/l/{token}", follow_redirects=False).status_code == 303
    assert cafe.client.get(cafe.url("state"), headers=cafe.bearer("facilitator")).is_success
    assert tracer.spans == []
