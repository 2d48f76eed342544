"""One outbox reader per session in each worker, shared by all of that worker's streams.

    bus wakes 2,000 streams (seq N) ─▶ each asks feed.after(last, newest=N)
                                        ├─ first one: reads outbox.since(top) once, under
                                        │  the session's lock, frames each event once
                                        └─ the others find (last, N] already cached
    each stream ─▶ keeps the cached entries its viewer may receive ─▶ frames

Without it every stream read the database itself after every wake-up: a round change
seen by 2,000 phones was 2,000 identical queries, and on one worker that alone took
seconds (bench/live.py measures the fan-out). With it a wake-up costs one query per
session per worker, and the per-stream work is a filter over framed events.

What the cache promises
- Entries are a contiguous run of seqs (low, top], exactly as committed: seqs are handed
  out under the session row's lock and each is committed before the next is taken
  (store/outbox.py), so a read never finds a gap that fills in later.
- `after(last, newest=N)` returns every event after `last` up to at least N. A caller
  that has no N (a quiet heartbeat, checking for a lost wake-up) gets an answer read no
  more than `FRESH_SECONDS` before it asked, so a lost wake-up still costs at most a
  heartbeat plus that second. A wake-up without news (the Redis bus reconnected and
  cannot know what it missed) asks for a read begun after it asked: all the streams
  roused together still share one or two reads.
- A stream resuming from before the cached run (an old `Last-Event-ID`) is served by
  its own read, which is not cached: replays are rare and must not evict the live tail.
- `note.deleted` blanks the deleted note's text in cached entries too, as
  `outbox.erase_note_text` does in the database, so a replay from the cache shows the
  words no more than a replay from the database would.
- The first entry after a `seating.changed` carries the session as re-read after it, so
  a participant's table for later events follows the new plan, as before the cache.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import anyio
from sqlalchemy.orm import Session

from pollinate.actions.live import LiveSession, Store, load_live, transact
from pollinate.core.events import Audience, audience, event_from_payload
from pollinate.store import outbox

# How many events each session keeps in memory (about 0.5 KB each, framed): a café logs a
# few hundred events an hour, a plenary typing 200 notes a second 25 s of them. A stream
# that nothing concerned for a while jumps ahead at its heartbeat (web/fanout.py), so a
# stream only falls further behind than this when it resumes from an old Last-Event-ID,
# and then reads the database itself.
KEEP_EVENTS = 5000
# A heartbeat read accepts an answer this recent instead of querying again: with 2,000
# streams whose heartbeats fall at different moments, that is one query a second, not
# 130 (2,000 / 15 s).
FRESH_SECONDS = 1.0
READ_LIMIT = 500  # events per query; a longer gap is read in several


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One committed event as every stream of the worker sends it, framed once.

    Kept as its SSE frame up to the server time rather than as the parsed payload and
    event: 430 bytes a note against 1,600 (tracemalloc, a 286-byte note payload), so
    `KEEP_EVENTS` of them cost each worker about 2 MB instead of 8, and a frame sent to
    a thousand phones is one string joined a thousand times, not a payload serialised a
    thousand times.
    """

    seq: int
    type: str
    head: str  # `frame_head(…)`: the frame up to the value of "server_time"
    live: LiveSession  # the session as known when this event was read (plan for tables)
    audience: Audience  # who receives it, decided once (core.events.audience)
    note_id: str | None = None  # the note an event about a note names, for `note.deleted`

    def frame(self, server_time_json: str) -> str:
        """The whole frame, given the server time as JSON (`json.dumps(now, ensure_ascii=False)`,
        once per batch)."""
        return f"{self.head}{server_time_json}}}\n\n"

    def payload(self) -> dict[str, Any]:
        """The event's payload, parsed back from the frame (tests, and a note's deletion)."""
        start = self.head.index(_PAYLOAD_KEY) + len(_PAYLOAD_KEY)
        parsed: dict[str, Any] = json.loads(self.head[start : -len(_TIME_KEY)])
        return parsed


_PAYLOAD_KEY = ',"payload":'
_TIME_KEY = ',"server_time":'


def frame_head(seq: int, type: str, payload: Mapping[str, Any]) -> str:
    """An event's SSE frame up to its server time: `event:` and `id:` lines, then `data:`
    with the JSON object {"type", "seq", "payload", "server_time"} written as
    web/sse.py's `frame` writes it (compact, not ASCII-escaped)."""
    data = json.dumps(
        {"type": type, "seq": seq, "payload": payload}, separators=(",", ":"), ensure_ascii=False
    )
    return f"event: {type}\nid: {seq}\ndata: {data[:-1]}{_TIME_KEY}"


@dataclass(slots=True)
class _SessionFeed:
    live: LiveSession
    entries: deque[FeedEntry]  # at most `keep` of them, the newest
    low: int = 0  # every event with seq in (low, top] is in `entries`
    top: int = 0
    read_at: float = float("-inf")  # monotonic time the last read began
    lock: anyio.Lock = field(default_factory=anyio.Lock)


class OutboxFeed:
    """The outbox of each watched session, read once per change and shared by streams."""

    def __init__(
        self, store: Store, *, clock: Callable[[], float] = time.monotonic, keep: int = KEEP_EVENTS
    ) -> None:
        self._store = store
        self._clock = clock
        self._keep = keep
        self._sessions: dict[str, _SessionFeed] = {}

    def forget(self, session_id: str) -> None:
        """Drop the session's cache (its last stream on this worker has gone)."""
        self._sessions.pop(session_id, None)

    def cached_sessions(self) -> int:
        """How many sessions hold a cache now (for tests and health pages)."""
        return len(self._sessions)

    async def start(self, session_id: str, last_event_id: int | None) -> tuple[int, bool]:
        """Where a new stream begins: (position, must it resync first?).

        Without `last_event_id` the stream starts at the newest seq; with one it resumes
        there if every later event is still kept, else it starts at the newest and is
        told to resync.
        """

        def read(db: Session) -> tuple[int, bool]:
            latest = outbox.latest_seq(db, session_id)
            if last_event_id is None:
                return latest, False
            if not outbox.replayable(db, session_id, last_event_id):
                return latest, True
            return last_event_id, False

        return await transact(self._store, read)

    async def after(
        self,
        session_id: str,
        last: int,
        *,
        newest: int | None,
        fresh_within: float = FRESH_SECONDS,
    ) -> Sequence[FeedEntry]:
        """Every event after `last`, up to at least `newest`.

        Without `newest`, the answer comes from a read that began at most `fresh_within`
        seconds before this call: 0 for a wake-up that carries no news (the Redis bus
        reconnected, so anything may have been missed), `FRESH_SECONDS` for a heartbeat.
        """
        asked = self._clock()
        feed = self._sessions.get(session_id)
        if feed is None:
            feed = await self._open(session_id, last)
        async with feed.lock:
            if last < feed.low:
                # Older than the cache: read for this stream alone, without caching.
                return await self._read_all(session_id, last, feed.live)
            if not _covers(feed, newest, asked - fresh_within):
                await self._refresh(session_id, feed)
            return _tail(feed, last)

    async def _open(self, session_id: str, last: int) -> _SessionFeed:
        def read(db: Session) -> LiveSession:
            return load_live(db, session_id)

        live = await transact(self._store, read)
        # Another stream may have opened it while this one read.
        feed = self._sessions.get(session_id)
        if feed is None:
            feed = _SessionFeed(live, deque(maxlen=self._keep), low=last, top=last)
            self._sessions[session_id] = feed
        return feed

    async def _refresh(self, session_id: str, feed: _SessionFeed) -> None:
        began = self._clock()
        for entry in await self._read_all(session_id, feed.top, feed.live):
            _append(feed, entry)
        feed.read_at = began  # only a read that finished counts as fresh

    async def _read_all(self, session_id: str, after: int, live: LiveSession) -> list[FeedEntry]:
        """Every event after `after`, read `READ_LIMIT` at a time."""
        entries: list[FeedEntry] = []
        while True:
            start = entries[-1].seq if entries else after
            latest_live = entries[-1].live if entries else live
            read = await transact(
                self._store,
                partial(_read_since, session_id=session_id, after=start, live=latest_live),
            )
            entries.extend(read)
            if len(read) < READ_LIMIT:
                return entries


def _covers(feed: _SessionFeed, newest: int | None, fresh_after: float) -> bool:
    if newest is not None:
        return feed.top >= newest
    return feed.read_at >= fresh_after


def _tail(feed: _SessionFeed, last: int) -> list[FeedEntry]:
    if last >= feed.top:
        return []
    # Entries are contiguous, so the one after `last` sits at a known offset.
    start = len(feed.entries) - (feed.top - last)
    return [feed.entries[i] for i in range(max(start, 0), len(feed.entries))]


def _append(feed: _SessionFeed, entry: FeedEntry) -> None:
    if entry.type == "note.deleted" and entry.note_id:
        _blank_note(feed, entry.note_id)
    if len(feed.entries) == feed.entries.maxlen:
        feed.low = feed.entries[0].seq  # the oldest is about to fall out
    feed.entries.append(entry)
    feed.top = entry.seq
    feed.live = entry.live


def _blank_note(feed: _SessionFeed, note_id: str) -> None:
    for index, entry in enumerate(feed.entries):
        if entry.note_id != note_id:
            continue
        payload = entry.payload()
        if outbox.shows_note_text(entry.type, payload, note_id):
            head = frame_head(entry.seq, entry.type, {**payload, "text": ""})
            feed.entries[index] = replace(entry, head=head)


def _read_since(db: Session, session_id: str, after: int, live: LiveSession) -> list[FeedEntry]:
    entries = []
    for logged in outbox.since(db, session_id, after, limit=READ_LIMIT):
        if logged.type == "seating.changed":
            live = load_live(db, session_id)  # a participant's table may move
        event = event_from_payload(logged.type, logged.payload)
        note_id = logged.payload.get("note_id")
        entries.append(
            FeedEntry(
                logged.seq,
                logged.type,
                frame_head(logged.seq, logged.type, logged.payload),
                live,
                _shared(audience(event, spec=live.spec)),
                note_id if isinstance(note_id, str) else None,
            )
        )
    return entries


_AUDIENCES: dict[Audience, Audience] = {}


def _shared(who: Audience) -> Audience:
    """One object per distinct audience (a handful per session: roles, tables, rounds),
    so that thousands of kept events do not each hold their own copy."""
    if len(_AUDIENCES) > 10_000:  # many sessions over a long life: start afresh
        _AUDIENCES.clear()
    return _AUDIENCES.setdefault(who, who)
