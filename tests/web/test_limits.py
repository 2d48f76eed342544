"""Oversized and hostile uploads get a clear 4xx, without the body being read whole
(web/limits.py), and the organizer's form says why a hostile file was refused.

Bodies are streamed through httpx's ASGI transport, which hands the app one chunk per
`receive()`, so counting the chunks the sender produced shows how much the app read.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable

import pytest

from pollinate.actions.organizing import example_session_path
from pollinate.web.limits import BODY_BYTES, MIB, UPLOAD_BODY_BYTES, RequestLimits
from tests.io.hostile_files import (
    HOSTILE_SESSIONS,
    JUNK,
    long_csv,
    zip_bomb_workbook,
)
from tests.web.conftest import Cafe, LiveCafe

pytestmark = pytest.mark.anyio
HANG = 20.0  # seconds; a refused 100 MB body takes milliseconds
BOUNDARY = "hostile"
UPLOAD_HEAD = (
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="roster"; filename="r.csv"\r\n'
    "Content-Type: text/csv\r\n\r\nname\r\n"
).encode()


class Sender:
    """A 100 MB body in 1 MB chunks, counting how many the app asked for."""

    def __init__(self, head: bytes = b"", megabytes: int = 100) -> None:
        self.head, self.megabytes, self.sent = head, megabytes, 0

    async def chunks(self) -> AsyncIterator[bytes]:
        yield self.head
        for _ in range(self.megabytes):
            self.sent += 1
            yield b"Person\r\n" * (MIB // 8)


async def test_a_streamed_100_mb_upload_is_refused_with_413_once_past_the_limit(live: LiveCafe):
    body = Sender(UPLOAD_HEAD)
    started = time.monotonic()
    answer = await live.api.post(
        "/organize/sessions",
        content=body.chunks(),
        headers={
            **live.headers("organizer"),
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            "Accept": "text/html",
        },
    )
    assert answer.status_code == 413
    assert "larger than 11 MB" in answer.text
    assert "<html" in answer.text  # a page for the browser that posted the form
    # The app stopped reading one chunk past the limit, not 89 chunks later.
    assert body.sent <= UPLOAD_BODY_BYTES // MIB + 1
    assert time.monotonic() - started < HANG


async def test_a_declared_100_mb_body_is_refused_before_a_byte_is_read(live: LiveCafe):
    body = Sender()
    answer = await live.api.post(
        f"/api/sessions/{live.session_id}/notes",
        content=body.chunks(),
        headers={**live.headers("host"), "Content-Length": str(100 * MIB)},
    )
    assert answer.status_code == 413
    assert answer.json()["detail"].startswith("The request is larger than 1 MB")
    assert body.sent == 0


async def test_a_json_body_over_a_megabyte_is_refused_while_it_streams(live: LiveCafe):
    body = Sender(b'{"round": 1, "table": "Table 1", "text": "', megabytes=5)
    answer = await live.api.post(
        f"/api/sessions/{live.session_id}/notes",
        content=body.chunks(),
        headers={**live.headers("host"), "Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert "larger than 1 MB" in answer.json()["detail"]
    assert body.sent <= BODY_BYTES // MIB + 1


async def test_get_and_head_requests_pass_through_untouched():
    seen = []

    async def app(scope, receive, send):
        seen.append(receive)

    async def receive():
        raise AssertionError("the limit must not read a GET")

    async def send(message):
        raise AssertionError("the app answers, not the limit")

    limited = RequestLimits(app)
    for method in ("GET", "HEAD"):
        headers = [(b"content-length", str(100 * MIB).encode()), (b"accept", b"text/event-stream")]
        scope = {"type": "http", "method": method, "path": "/api/sessions/s/events"}
        await limited({**scope, "headers": headers, "query_string": b""}, receive, send)
    # The event stream gets the server's own `receive`, so disconnects reach it directly.
    assert seen == [receive, receive]


# ── hostile files through the organizer's form ────────────────────────────────────────


def upload(cafe: Cafe, session_file: bytes, roster: tuple[str, bytes]):
    started = time.monotonic()
    answer = cafe.client.post(
        "/organize/sessions",
        files={"session_file": ("cafe.yaml", session_file), "roster": roster},
        headers={**cafe.bearer("organizer"), "Accept": "text/html"},
    )
    assert time.monotonic() - started < HANG
    return answer


HOSTILE_ROSTERS: dict[str, tuple[Callable[[], bytes], str]] = {
    "people.csv": (long_csv, "people.csv, row 25001: the roster goes on past row 25,000"),
    "junk.csv": (lambda: JUNK, "junk.csv: this looks like a binary file"),
    "junk.xlsx": (lambda: JUNK, "junk.xlsx: the file is named like an Excel workbook"),
    "bomb.xlsx": (zip_bomb_workbook, "bomb.xlsx: the workbook would unpack to 255 MB"),
}


@pytest.mark.parametrize("name", list(HOSTILE_ROSTERS))
def test_a_hostile_roster_upload_shows_the_reason_on_the_form(cafe: Cafe, name: str):
    make, words = HOSTILE_ROSTERS[name]
    answer = upload(cafe, example_session_path().read_bytes(), (name, make()))
    assert answer.status_code == 422
    assert 'id="create-error"' in answer.text
    assert words in answer.text


@pytest.mark.parametrize("kind", list(HOSTILE_SESSIONS))
def test_a_hostile_session_file_upload_shows_the_reason_on_the_form(cafe: Cafe, kind: str):
    data, words = HOSTILE_SESSIONS[kind]
    answer = upload(cafe, data, ("roster.csv", b"name\nAmina\nBo\n"))
    assert answer.status_code == 422
    assert 'id="create-error"' in answer.text
    assert words in answer.text
