"""A board's re-clustering, read and computed wherever the clusterer runs.

    worker ─▶ Clusterer.recluster(store, session) ─▶ on a thread, in this worker's helper
              process, or in the server's clustering service (actions/board.py):
        read the session's notes and board on a connection of its own
        ─▶ the same digest as the board's themes: nothing to do
        ─▶ otherwise cluster, outside any transaction
        ─▶ `Reclustered(read, fresh)`
    worker ─▶ save `fresh` if the board is still at `read.revision` ─▶ outbox ─▶ publish

The worker only saves. Reading every note of a large session and taking its digest
held the worker's interpreter for 61-74 ms per re-clustering at 2,600-4,000 notes
(bench/live.py, timed in the worker), during the very bursts of notes the worker must
answer quickly, and the notes then crossed to the helper by pickle as well; now only the
session id crosses, and the themes come back.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from pollinate.actions.live import SessionNotFound
from pollinate.core.harvest import remote
from pollinate.core.notes import Note
from pollinate.store import harvest, repositories
from pollinate.store.db import create_engine_for, session_factory
from pollinate.store.harvest import Board

_STORES: dict[str, sessionmaker[Session]] = {}
_STORES_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class Reclustered:
    """The board as read with the notes, and the board with their themes (None when the
    notes have not changed since its themes were made)."""

    read: Board
    fresh: Board | None


def notes_key(notes: Sequence[Note]) -> str:
    """A digest of what clustering reads from the notes: same digest, same themes."""
    parts = [[n.id, n.round, n.table, n.text] for n in notes]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()


def notes_and_board(db: Session, session_id: str) -> tuple[list[Note], Board]:
    """The session's notes and stored board; `SessionNotFound` for an unknown id."""
    if not repositories.session_exists(db, session_id):
        raise SessionNotFound(f"There is no session {session_id!r}.")
    notes = repositories.list_notes(db, session_id)
    return notes, harvest.load_board(db, session_id) or Board()


def recluster(store: sessionmaker[Session], session_id: str, *, force: bool) -> Reclustered:
    """Read the session's notes and board, and cluster them unless nothing changed."""
    with store.begin() as db:
        notes, board = notes_and_board(db, session_id)
    key = notes_key(notes)
    if board.revision and key == board.notes_key and not force:
        return Reclustered(board, None)
    themes = remote.themes(notes, board.n_themes, board.edits, board.themes)
    return Reclustered(board, dataclasses.replace(board, themes=themes, notes_key=key))


def warm_helper() -> None:
    """In a helper process: its priority lowered, the clustering code and (by importing
    this module) the database layer loaded ahead of the first board."""
    remote.lower_priority()
    remote.warm()


def recluster_at(db_url: str, session_id: str, force: bool) -> Reclustered:
    """`recluster` in another process, on an engine of its own for `db_url` (kept)."""
    with _STORES_LOCK:
        store = _STORES.get(db_url)
        if store is None:
            store = _STORES[db_url] = session_factory(create_engine_for(db_url))
    return recluster(store, session_id, force=force)
