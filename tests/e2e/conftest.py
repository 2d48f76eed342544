"""End-to-end fixtures: the real `pollinate` command as a server process, and real Chromium.

    launch_server(["demo", …], folder)    a subprocess `python -m pollinate demo --port P`
        │                                 in its own tmp folder, its output in a log file
        ├─ waits for GET /healthz (30 s)  and fails with the server's output if it died
        ▼
    Demo(server, session_id, links, tokens)     read from the demo-links.json it wrote
        │
        ├─ demo.state(), demo.control()   JSON API over HTTP with Bearer tokens
        ├─ open_screen(name, url)         one browser context per person (own cookies)
        └─ seconds_until_shown(...)       click-to-DOM delays, measured in the browsers
    teardown: SIGTERM to the server's process group, SIGKILL after 5 s

Browser tests (`@pytest.mark.browser`) need Debian's Chromium and npm's axe-core. Outside CI
they skip with a hint when either is missing; with CI=true they fail (`require_service`).
Playwright's own browser download cannot reach its host here, so Chromium is Debian's.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import require_service

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("POLLINATE_TEST_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
BROWSER_HOW_TO_ENABLE = (
    "apt-get install chromium, then npm ci in the project folder (scripts/test does both)"
)
# Headless without a GPU, sandbox (we run as root in CI) or any call home: the tests
# must reach nothing but the server on 127.0.0.1.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A demo plans its session before it listens; 30 s covers that on the 2-core CI machine.
STARTUP_SECONDS = 30.0
STOP_SECONDS = 5.0


# ── the gate ──────────────────────────────────────────────────────────────────────────


def browser_missing() -> list[str]:
    """What the browser tests lack on this machine; empty when they can run."""
    missing = []
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"Chromium at {CHROMIUM}")
    if not AXE.is_file():
        missing.append(f"axe-core at {AXE.relative_to(ROOT)}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright Python package (pip install -e '.[dev]')")
    return missing


def require_browser() -> None:
    """Go on when Chromium and axe-core are here; else skip with a hint (fail when CI=true)."""
    missing = browser_missing()
    require_service(
        "the browser (" + ", ".join(missing) + ")" if missing else "the browser",
        not missing,
        BROWSER_HOW_TO_ENABLE,
    )


@pytest.fixture(autouse=True)
def _browser_gate(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("browser") is not None:
        require_browser()


# ── the server process ────────────────────────────────────────────────────────────────


def free_port() -> int:
    """A port nothing listens on now; another process may still take it before we do."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Reply:
    """One HTTP answer: status, headers and the body (parsed when it is JSON)."""

    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


# Loopback only: never route the test traffic through a proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def send(
    method: str,
    url: str,
    *,
    token: str | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> Reply:
    """Send one request and return the reply, 4xx and 5xx included (they do not raise)."""
    sent = dict(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        sent.setdefault("Content-Type", "application/json")
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=sent)  # noqa: S310
    try:
        with _OPENER.open(request, timeout=timeout) as answer:
            return Reply(answer.status, dict(answer.headers), answer.read().decode())
    except urllib.error.HTTPError as error:
        return Reply(error.code, dict(error.headers), error.read().decode())


@dataclass
class ServerProcess:
    """A `python -m pollinate …` process listening on 127.0.0.1:`port`."""

    args: list[str]
    workdir: Path
    port: int
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.popen.pid

    def printed(self) -> str:
        """Everything the server printed so far, stdout and stderr interleaved."""
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def output(self) -> str:
        """The command and the end of what it printed, for failure messages."""
        return f"$ {' '.join(self.args)}  (in {self.workdir})\n{self.printed()[-8000:]}"

    def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        return send(method, self.base_url + path, token=token, body=body, headers=headers)

    def wait_until_healthy(self, seconds: float = STARTUP_SECONDS) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                pytest.fail(
                    f"the server exited with status {self.popen.returncode} before it "
                    f"answered /healthz:\n{self.output()}"
                )
            try:
                if send("GET", self.base_url + "/healthz", timeout=2).status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass  # not listening yet
            time.sleep(0.1)
        pytest.fail(f"the server did not answer /healthz within {seconds:.0f} s:\n{self.output()}")

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL what is left after a grace period."""
        if self.popen.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.popen.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.popen.wait(STOP_SECONDS)

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, exactly like a crash or an OOM kill."""
        os.kill(self.pid, signal.SIGKILL)
        self.popen.wait(STOP_SECONDS)
        # A server that forked workers would leave them holding the port and the database.
        self._signal_group(signal.SIGKILL)

    def _signal_group(self, sig: signal.Signals) -> None:
        # The server runs in its own session (start_new_session), so its group id is its pid.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, sig)


def start_server(
    command: list[str], workdir: Path, env: dict[str, str] | None = None
) -> ServerProcess:
    """Start `python -m pollinate COMMAND --host 127.0.0.1 --port P` and wait until healthy.

    Retries on another port when the first one was taken between choosing and binding.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    for attempt in range(3):
        port = free_port()
        args = [sys.executable, "-m", "pollinate", *command]
        args += ["--host", "127.0.0.1", "--port", str(port)]
        log = workdir / f"server-{port}-{attempt}.log"
        environment = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1", **(env or {})}
        with log.open("wb") as sink:
            popen = subprocess.Popen(
                args,
                cwd=workdir,
                stdout=sink,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=environment,
                start_new_session=True,
            )
        server = ServerProcess(args, workdir, port, popen, log)
        try:
            server.wait_until_healthy()
            return server
        except pytest.fail.Exception:
            server.stop()
            if "address already in use" not in server.output().casefold() or attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


@pytest.fixture
def launch_server() -> Iterator[Callable[..., ServerProcess]]:
    """A factory of server processes; every one it started is stopped at teardown."""
    started: list[ServerProcess] = []

    def launch(
        command: list[str], workdir: Path, env: dict[str, str] | None = None
    ) -> ServerProcess:
        server = start_server(command, workdir, env)
        started.append(server)
        return server

    yield launch
    for server in started:
        server.stop()


@dataclass
class Demo:
    """A running `pollinate demo` and what its demo-links.json says."""

    server: ServerProcess
    session_id: str
    links: dict[str, str]
    tokens: dict[str, str]
    raw: dict[str, Any] = field(repr=False)

    def state(self, role: str | None = None) -> dict[str, Any]:
        token = self.tokens[role] if role else self.tokens["facilitator"]
        reply = self.server.call("GET", f"/api/sessions/{self.session_id}/state", token=token)
        assert reply.status == 200, f"state: {reply.status} {reply.text}\n{self.server.output()}"
        state: dict[str, Any] = reply.json()
        return state

    def control(self, action: str, **fields: Any) -> Reply:
        """Send a facilitator command through the API and insist that it is accepted."""
        reply = self.server.call(
            "POST",
            f"/api/sessions/{self.session_id}/control",
            token=self.tokens["facilitator"],
            body={"action": action, **fields},
        )
        assert reply.status < 300, f"{action}: {reply.status} {reply.text}"
        return reply


# The PDF slips and cards are the planner's outputs, not the live session's: skip them.
DEMO_COMMAND = ["demo", "--no-pdf"]
DEMO_ROLES = (
    "facilitator",
    "projector",
    "rapporteur",
    "online_moderator",
    "host",
    "participant",
    "online_participant",
)


def read_demo_links(server: ServerProcess) -> Demo:
    path = server.workdir / "demo-links.json"
    assert path.is_file(), f"demo wrote no demo-links.json:\n{server.output()}"
    raw = json.loads(path.read_text(encoding="utf-8"))
    missing = [role for role in DEMO_ROLES if role not in raw.get("links", {})]
    assert not missing, f"demo-links.json lacks links for {missing}: {raw}"
    return Demo(server, str(raw["session_id"]), raw["links"], raw.get("tokens", {}), raw)


@pytest.fixture
def demo(launch_server: Callable[..., ServerProcess], tmp_path: Path) -> Demo:
    """A fresh `pollinate demo` in its own folder and port, for this test alone."""
    return read_demo_links(launch_server(DEMO_COMMAND, tmp_path / "demo"))


# ── the browser ───────────────────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, one per test module; each test opens its own contexts.

    Per module, not per session: Playwright's sync API keeps an asyncio loop running in
    the main thread while it is started, and every async test that a worker runs after
    a browser test would fail with "Cannot run the event loop while another loop is
    running". pytest ends a module's fixtures before the next module's tests.
    """
    # Session fixtures are set up before the autouse gate above, so gate here as well.
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Screen:
    """One person's page in its own browser context, with the script errors it raised."""

    name: str
    page: Page
    errors: list[str]


@pytest.fixture
def open_screen(chromium: Browser) -> Iterator[Callable[..., Screen]]:
    """Open a URL in a new browser context: a separate person, with own cookies."""
    contexts: list[BrowserContext] = []

    def open_in_new_context(name: str, url: str, **context_options: Any) -> Screen:
        context = chromium.new_context(**context_options)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        response = page.goto(url, wait_until="load")
        assert response is not None, f"{name}: no response for {url}"
        assert response.status < 400, f"{name}: {url} answered {response.status}"
        return Screen(name, page, errors)

    yield open_in_new_context
    for context in contexts:
        context.close()


def save_screenshot(screen: Screen, request: pytest.FixtureRequest) -> Path:
    """Keep a full-page PNG in test-artifacts/ (gitignored), named after test and screen."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{request.node.name}-{screen.name}.png"
    screen.page.screenshot(path=str(path), full_page=True)
    return path


# ── timing what several screens show ──────────────────────────────────────────────────
#
# "Within a second of the click" is measured inside the browsers, from the click event to
# the DOM change, on the machine's one wall clock (Date.now() in every page):
#
#   clicking page:  capture-phase listener ─▶ sessionStorage[e2e-acted-N] = Date.now()
#   watched pages:  poll every 10 ms ─▶ first time the expectation holds,
#                   sessionStorage[e2e-seen-N] = Date.now()
#
# sessionStorage survives the facilitator console's own reload (its forms post, then
# redirect back), and the watcher is also added as an init script so that it runs in the
# new document too. The DevTools protocol installs both, so the pages' CSP does not apply.

WATCH_JS = """([key, selector, text, exact]) => {
  if (window["__" + key]) return;  // once per document
  window["__" + key] = true;
  const met = () => {
    const node = document.querySelector(selector);
    if (!node) return false;
    const shown = node.textContent.replace(/\\s+/g, " ").trim();
    return exact ? shown === text : shown.includes(text);
  };
  const timer = setInterval(() => {
    if (sessionStorage.getItem(key) !== null) { clearInterval(timer); return; }
    if (met()) { sessionStorage.setItem(key, String(Date.now())); clearInterval(timer); }
  }, 10);
}"""

ACTED_JS = """([key, selector, type]) => {
  document.addEventListener(type, (event) => {
    if (sessionStorage.getItem(key) === null && event.target.closest(selector)) {
      sessionStorage.setItem(key, String(Date.now()));
    }
  }, {capture: true});
}"""

READ_TEXT_JS = """(selector) => {
  const node = document.querySelector(selector);
  return node ? node.textContent.replace(/\\s+/g, " ").trim() : null;
}"""


def _in_page(page: Page, script: str, argument: Any = None) -> Any:
    """Evaluate, or None while the page is between two documents."""
    from playwright.sync_api import Error

    try:
        return page.evaluate(script, argument)
    except Error:
        return None


def shown_text(screen: Screen, selector: str) -> str | None:
    """What a screen shows in `selector` now (whitespace collapsed); None if nothing."""
    text: str | None = _in_page(screen.page, READ_TEXT_JS, selector)
    return text


@dataclass(frozen=True)
class Expect:
    """What one screen must come to show: `selector`'s text equals (or contains) `text`."""

    screen: Screen
    selector: str
    text: str
    exact: bool = False

    def met(self) -> bool:
        shown = shown_text(self.screen, self.selector)
        if shown is None:
            return False
        return shown == self.text if self.exact else self.text in shown

    def describe(self) -> str:
        relation = "==" if self.exact else "contains"
        return f"{self.screen.name} {self.selector} {relation} {self.text!r}"


_keys = iter(range(1_000_000))


def seconds_until_shown(
    actor: Screen,
    target: str,
    action: Callable[[], object],
    expectations: list[Expect],
    *,
    event: str = "click",
    limit: float = 5.0,
) -> dict[str, float]:
    """Run `action` on `actor` and return, per expectation, seconds from the `event` on
    the `target` element to the moment the screen first showed it (see the note above).

    Fails at once if an expectation is met before the action (it would time nothing) or if
    the event never reached the target, and fails saying what each screen showed instead
    when one is not met within `limit` seconds.
    """
    number = next(_keys)
    acted, seen = (
        f"e2e-acted-{number}",
        [f"e2e-seen-{number}-{i}" for i in range(len(expectations))],
    )
    already = [e.describe() for e in expectations if e.met()]
    assert not already, f"shown before the action, so nothing would be timed: {already}"
    for key, expectation in zip(seen, expectations, strict=True):
        argument = [key, expectation.selector, expectation.text, expectation.exact]
        expectation.screen.page.add_init_script(script=f"({WATCH_JS})({json.dumps(argument)})")
        expectation.screen.page.evaluate(WATCH_JS, argument)
    actor.page.evaluate(ACTED_JS, [acted, target, event])

    started = time.monotonic()
    action()
    stamps: dict[str, float] = {}
    acted_at = None
    while time.monotonic() - started < limit:
        if acted_at is None:
            acted_at = _in_page(actor.page, "(key) => sessionStorage.getItem(key)", acted)
        for key, expectation in zip(seen, expectations, strict=True):
            if key not in stamps:
                stamp = _in_page(expectation.screen.page, "(k) => sessionStorage.getItem(k)", key)
                if stamp is not None:
                    stamps[key] = float(stamp)
        if acted_at is not None and len(stamps) == len(expectations):
            break
        time.sleep(0.05)
    assert acted_at is not None, f"no {event} reached {target} on {actor.name}"
    missing = {
        e.describe(): shown_text(e.screen, e.selector)
        for key, e in zip(seen, expectations, strict=True)
        if key not in stamps
    }
    assert not missing, f"not shown within {limit} s (what each showed instead): {missing}"
    return {
        e.describe(): (stamps[key] - float(acted_at)) / 1000
        for key, e in zip(seen, expectations, strict=True)
    }
