"""The per-session event log that live pages replay (`Last-Event-ID`).

    action:  change rows ─▶ append(type, payload) ─▶ commit ─▶ bus.publish(session, seq)
    stream:  bus wakes it ─▶ since(session, last seen seq) ─▶ send each event with id: seq

`append` takes its seq inside the caller's transaction, so an event exists exactly when
the change it reports was committed. Seqs come from a counter on the session row
(`sessions.event_seq`), incremented with one `UPDATE … RETURNING`: on PostgreSQL the row
lock makes concurrent appends to one session wait for each other's commit, so no seq is
handed out twice; on SQLite there is only one writer at a time anyway. Because the counter
outlives pruned events, a seq is never reused, and a client holding an old seq is told to
resync (`replayable`) rather than being sent someone else's events under its id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from pollinate.store.tables import OutboxRow, SessionRow


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    """One committed event: its per-session seq, its type and its JSON payload."""

    seq: int
    type: str
    payload: Mapping[str, Any]
    created_at: datetime


def append(
    db: Session, session_id: str, type: str, payload: Mapping[str, Any], *, now: datetime
) -> int:
    """Log an event in the current transaction and return its seq (1, 2, 3 … per session).

    Raises `LookupError` when the session does not exist.
    """
    return append_many(db, session_id, [(type, payload)], now=now)


def append_many(
    db: Session,
    session_id: str,
    events: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    now: datetime | Sequence[datetime],
) -> int:
    """Log `(type, payload)` events in order, in the current transaction; return the last
    seq (0 when there are none). `now` is one time for all, or one per event.

    The session's counter moves by all of them in one statement, so a batch of notes
    (actions/notes.py) takes consecutive seqs and holds the session row once.
    Raises `LookupError` when the session does not exist.
    """
    if not events:
        return 0
    times = [now] * len(events) if isinstance(now, datetime) else list(now)
    if len(times) != len(events):
        raise ValueError(f"{len(events)} events but {len(times)} times")
    last = db.execute(
        update(SessionRow)
        .where(SessionRow.id == session_id)
        .values(event_seq=SessionRow.event_seq + len(events))
        .returning(SessionRow.event_seq),
        execution_options={"synchronize_session": False},
    ).scalar_one_or_none()
    if last is None:
        raise LookupError(f"no session {session_id!r}")
    first = last - len(events) + 1
    db.execute(
        insert(OutboxRow),
        [
            {
                "session_id": session_id,
                "seq": first + offset,
                "type": type,
                "payload_json": dict(payload),
                "created_at": at,
            }
            for offset, ((type, payload), at) in enumerate(zip(events, times, strict=True))
        ],
    )
    return last


def since(db: Session, session_id: str, after_seq: int, limit: int = 500) -> list[OutboxEvent]:
    """Events with seq greater than `after_seq`, oldest first, at most `limit` of them."""
    # Columns, not ORM objects: live streams read this after every change, and building
    # an instance per row cost more than the query itself (bench/live.py, py-spy).
    rows = db.execute(_SINCE, {"session_id": session_id, "after_seq": after_seq, "limit": limit})
    return [OutboxEvent(seq, type, payload, created_at) for seq, type, payload, created_at in rows]


# Read after every change by each worker's fan-out: built once, in Core, it skips building
# and cache-keying the statement each time (store/repositories.py `_LIVE_LINKS`).
_outbox = OutboxRow.__table__
_SINCE = (
    select(_outbox.c.seq, _outbox.c.type, _outbox.c.payload_json, _outbox.c.created_at)
    .where(_outbox.c.session_id == bindparam("session_id"))
    .where(_outbox.c.seq > bindparam("after_seq"))
    .order_by(_outbox.c.seq)
    .limit(bindparam("limit"))
)


def latest_seq(db: Session, session_id: str) -> int:
    """The last seq handed out for the session (0 before the first event)."""
    seq = db.scalar(select(SessionRow.event_seq).where(SessionRow.id == session_id))
    return seq or 0


def oldest_seq(db: Session, session_id: str) -> int | None:
    """The oldest seq still kept for replay; None when the log is empty (or pruned away)."""
    return db.scalar(select(func.min(OutboxRow.seq)).where(OutboxRow.session_id == session_id))


def replayable(db: Session, session_id: str, after_seq: int) -> bool:
    """True when every event after `after_seq` is still in the log.

    False means the client must resync (re-fetch its page): it missed pruned events, or
    it holds a seq this database never handed out (say, from before a reset).
    """
    latest = latest_seq(db, session_id)
    if after_seq == latest:
        return True
    if after_seq > latest or after_seq < 0:
        return False
    oldest = oldest_seq(db, session_id)
    return oldest is not None and oldest <= after_seq + 1


def prune(db: Session, *, before: datetime, session_id: str | None = None) -> int:
    """Delete events created before `before` (in one session, or all); return how many."""
    statement = delete(OutboxRow).where(OutboxRow.created_at < before)
    if session_id is not None:
        statement = statement.where(OutboxRow.session_id == session_id)
    result = db.execute(statement, execution_options={"synchronize_session": False})
    return cast(CursorResult[Any], result).rowcount


# ── reads and erasures for the live app (added for issue 3) ───────────────────────────


def latest_of_type(db: Session, session_id: str, type: str, limit: int = 5) -> list[OutboxEvent]:
    """The newest events of one type, oldest first (a page's recent broadcasts)."""
    rows = db.scalars(
        select(OutboxRow)
        .where(OutboxRow.session_id == session_id, OutboxRow.type == type)
        .order_by(OutboxRow.seq.desc())
        .limit(limit)
    )
    return [OutboxEvent(r.seq, r.type, r.payload_json, r.created_at) for r in rows][::-1]


def erase_note_text(db: Session, session_id: str, note_id: str) -> int:
    """Blank the text of a withdrawn note in its logged events; return how many changed.

    A host withdraws a note most often because it names someone (docs/live-protocol.md,
    `note.deleted`), so its words must not stay replayable for a day either.
    """
    rows = db.scalars(
        select(OutboxRow).where(
            OutboxRow.session_id == session_id,
            OutboxRow.type.in_(("note.added", "note.edited")),
        )
    )
    changed = 0
    for row in rows:
        if shows_note_text(row.type, row.payload_json, note_id):
            # A new dict, so the ORM sees the JSON column change.
            row.payload_json = {**row.payload_json, "text": ""}
            changed += 1
    db.flush()
    return changed


def shows_note_text(type: str, payload: Mapping[str, Any], note_id: str) -> bool:
    """True when an event of `type` carries the words of note `note_id` (still unblanked).

    What `erase_note_text` blanks in the log, and the live feed in its memory (web/feed.py).
    """
    return (
        type in ("note.added", "note.edited")
        and payload.get("note_id") == note_id
        and bool(payload.get("text"))
    )
