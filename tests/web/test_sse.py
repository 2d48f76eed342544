from __future__ import annotations

import gc
import json
import types
from datetime import timedelta

import anyio
import pytest

from pollinate.store import outbox
from pollinate.store.db import session_factory
from pollinate.web.sse import MAX_HEARTBEAT_SECONDS, heartbeat_wait
from tests.web.conftest import LiveCafe
from tests.web.sse_client import open_stream

pytestmark = pytest.mark.anyio


def headers_for(cafe: LiveCafe, role: str, last: int | None = None) -> list[tuple[str, str]]:
    pairs = list(cafe.headers(role).items())
    if last is not None:
        pairs.append(("Last-Event-ID", str(last)))
    return pairs


async def test_stream_replays_what_came_after_last_event_id(live: LiveCafe):
    await live.control("start")
    await live.control("pause")
    await live.control("resume")
    async with open_stream(live.app, live.events_path(), headers_for(live, "projector", 1)) as s:
        assert s.status == 200
        assert s.headers["content-type"].startswith("text/event-stream")
        first, second = await s.next_event(), await s.next_event()
    assert [(first.event, first.id), (second.event, second.id)] == [
        ("timer.paused", "2"),
        ("timer.resumed", "3"),
    ]
    data = json.loads(second.data or "")
    assert data["seq"] == 3
    assert data["server_time"] == live.clock.now.isoformat()
    assert set(data["payload"]) == {"block_index", "ends_at"}


async def test_first_connect_can_name_its_position_in_the_query(live: LiveCafe):
    await live.control("start")
    await live.control("broadcast", message="Hello")
    path = live.events_path("?last_event_id=1")
    async with open_stream(live.app, path, headers_for(live, "participant")) as s:
        frame = await s.next_event()
    assert (frame.event, frame.id) == ("broadcast.sent", "2")


async def test_events_committed_after_connect_arrive_live(live: LiveCafe):
    async with open_stream(live.app, live.events_path(), headers_for(live, "participant")) as s:
        await live.control("start")
        frame = await s.next_event()
    assert (frame.event, frame.id) == ("block.started", "1")


async def test_quiet_stream_sends_heartbeat_comments(quick: LiveCafe):
    async with open_stream(quick.app, quick.events_path(), headers_for(quick, "host")) as s:
        frames = [await s.next_frame() for _ in range(3)]
    comments = [frame.comment for frame in frames if frame.comment is not None]
    assert comments, frames
    assert all(comment.startswith("heartbeat") for comment in comments)


async def test_too_old_last_event_id_gets_a_resync_event(live: LiveCafe):
    for _ in range(3):
        await live.control("broadcast", message="Again")
    store = session_factory(live.db.engine)
    with store.begin() as s:
        outbox.prune(s, before=live.clock.now + timedelta(seconds=1), session_id=live.session_id)
    async with open_stream(live.app, live.events_path(), headers_for(live, "facilitator", 1)) as s:
        frame = await s.next_event()
    assert (frame.event, frame.id) == ("resync", "3")
    assert json.loads(frame.data or "")["last_event_id"] == 3


async def test_an_id_the_server_never_gave_gets_a_resync_event(live: LiveCafe):
    async with open_stream(live.app, live.events_path(), headers_for(live, "projector", 99)) as s:
        frame = await s.next_event()
    assert frame.event == "resync"


async def test_participant_stream_never_carries_note_text_when_participant_notes_are_off(
    live: LiveCafe,
):
    await live.control("start")
    await live.control("next")  # round 1: p04 sits at Table 1 with host p01
    async with (
        open_stream(live.app, live.events_path(), headers_for(live, "participant")) as phone,
        open_stream(live.app, live.events_path(), headers_for(live, "facilitator")) as console,
    ):
        await live.note("Secret words from Table 1")
        await live.control("broadcast", message="After the note")
        latest = await live.latest_seq()
        seen_by_phone = await phone.frames_through(latest)
        seen_by_console = await console.frames_through(latest)
    assert [f.event for f in seen_by_phone] == ["broadcast.sent"]
    assert all("Secret words" not in (f.data or "") for f in phone.seen)
    assert [f.event for f in seen_by_console] == ["note.added", "broadcast.sent"]


async def test_host_of_another_table_does_not_receive_the_note(live: LiveCafe):
    await live.control("start")
    await live.control("next")
    async with open_stream(live.app, live.events_path(), headers_for(live, "host_t2")) as other:
        await live.note("Only for Table 1")
        await live.control("broadcast", message="For everyone")
        seen = await other.frames_through(await live.latest_seq())
    assert [frame.event for frame in seen] == ["broadcast.sent"]


async def test_stream_ends_and_unsubscribes_when_the_client_disconnects(live: LiveCafe):
    async with open_stream(live.app, live.events_path(), headers_for(live, "projector")):
        await anyio.sleep(0.05)
        assert live.bus.subscriber_count(live.session_id) == 1  # type: ignore[attr-defined]
    # open_stream waited for the app to return after the disconnect.
    assert live.bus.subscriber_count(live.session_id) == 0  # type: ignore[attr-defined]


def routing_coroutines() -> list[str]:
    """The coroutines of FastAPI's and Starlette's routing that are alive now."""
    return [
        found.cr_code.co_qualname
        for found in gc.get_objects()
        if isinstance(found, types.CoroutineType)
        and found.cr_code.co_filename.endswith(("fastapi/routing.py", "starlette/routing.py"))
    ]


async def test_an_open_stream_holds_nothing_of_the_routing(live: LiveCafe):
    # A phone's stream stays open for the whole café: it runs below the middleware only
    # (web/sse.py, EventStreams), not inside the route's frames, dependencies and exit
    # stacks, which cost each open stream about 20 coroutines more.
    assert routing_coroutines() == []
    path = live.events_path()
    async with open_stream(live.app, path, headers_for(live, "participant")) as stream:
        assert "content-length" not in stream.headers  # an endless body has no length
        await live.control("start")
        assert (await stream.next_event()).event == "block.started"
        assert routing_coroutines() == []
        assert live.bus.subscriber_count(live.session_id) == 1  # type: ignore[attr-defined]


async def test_stream_ends_when_the_server_shuts_down(live: LiveCafe):
    async with open_stream(live.app, live.events_path(), headers_for(live, "projector")) as s:
        await live.bus.close()  # type: ignore[attr-defined]
        with pytest.raises(EOFError):
            await s.next_frame()
        assert s.ended


async def test_stream_refuses_anonymous_and_revoked_tokens(live: LiveCafe):
    async with open_stream(live.app, live.events_path()) as anonymous:
        assert anonymous.status == 401
    async with open_stream(live.app, live.events_path(), headers_for(live, "revoked")) as revoked:
        assert revoked.status == 401


def test_heartbeats_spread_over_the_last_fifth_of_the_interval_and_never_pass_15_s():
    assert heartbeat_wait(10.0, draw=lambda: 0.0) == 10.0
    assert heartbeat_wait(10.0, draw=lambda: 0.999) == pytest.approx(8.002)
    assert heartbeat_wait(60.0, draw=lambda: 0.0) == MAX_HEARTBEAT_SECONDS
    # Streams woken together (a round change) do not fall due together again.
    waits = {round(heartbeat_wait(15.0), 3) for _ in range(2000)}
    assert len(waits) > 500
    assert min(waits) >= 12.0
    assert max(waits) <= 15.0
