"""The rapporteur's theme board: re-cluster as notes arrive, keep the edits, promote.

    notes change ─▶ Reclustering.notes_changed (debounced) ─▶ refresh_board
    refresh_board: where the clusterer runs (actions/board_remote.py): read notes + board
                   ─▶ find_themes(notes, pinned=edits, previous=themes), outside any
                   transaction ─▶ here: save_board if still at its revision
                   ─▶ outbox themes.changed ─▶ commit ─▶ publish
    edit_board(Merge | Split | Rename | Star | Recount) ─▶ edits + re-cluster ─▶ the same
    promote / change_takeaway / remove_takeaway ─▶ takeaways ─▶ themes.changed

Clustering runs on a worker thread between two short transactions, so a few hundred
notes (well under a second, bench/harvest.py) never hold a database lock while notes
are being written. The save compares the board's revision: if another refresh or an
edit landed meanwhile, this one is dropped (an edit retries), and the board stays the
one that was computed from the newer state.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import anyio
import anyio.to_process
import anyio.to_thread
from sqlalchemy.orm import Session

from pollinate.actions import board_remote, clustering_service
from pollinate.actions.board_remote import Reclustered, notes_and_board, notes_key
from pollinate.actions.clustering_address import ServiceAddress
from pollinate.actions.live import Store, append_events, commit_and_publish, load_live, transact
from pollinate.actions.redaction import session_redactor
from pollinate.core.events import ThemesChanged
from pollinate.core.harvest import remote
from pollinate.core.harvest.takeaways import (
    MAX_TAKEAWAY_CHARS,
    Takeaway,
    TakeawayKind,
    promote_note,
    promote_theme,
)
from pollinate.core.harvest.theme import Theme
from pollinate.core.harvest.votes import VoteResult
from pollinate.core.notes import Note, clean_live_text
from pollinate.errors import InputError
from pollinate.live.bus import Bus
from pollinate.store import harvest, repositories
from pollinate.store.harvest import Board, BoardConflict
from pollinate.store.votes import Vote

logger = logging.getLogger("pollinate.board")

DEBOUNCE_SECONDS = 2.0
"""How long the board waits after a note before re-clustering: a table's burst of notes
(a host types one every few seconds) becomes one re-clustering and one event."""

LEASE_SECONDS = 30.0
"""How long a worker may hold a board's re-clustering lease without giving it back: a
re-clustering of 10,000 notes takes about 3 s (bench/harvest.py), and a worker that died
holding the lease delays the board no longer than this."""

BUSY_SHARE = 4
"""While notes keep coming, a re-clustering runs at most once per this many times its own
duration (a 1 s re-clustering waits 3 s before the next)."""
MAX_THEMES_ASKED = 30  # the rapporteur's own count; more cannot be read back in minutes
EDIT_RETRIES = 3


class Clusterer:
    """Where a board's themes are computed: on a worker thread, in a helper process of
    this worker, or in the clustering service that all the server's workers share.

    The helper (one worker's choice) keeps the second or so that numpy and scikit-learn
    spend on a large board off the worker's interpreter, so notes arriving meanwhile are
    not slowed down (bench/live.py: p99 note latency during a burst), and the worker
    itself never loads scikit-learn (about 100 MB less per worker). One helper at a time
    per worker (anyio's process pool, which ends a helper idle for 5 minutes), at a lower
    CPU priority than the worker. Several workers share one service instead
    (actions/clustering_service.py), so scikit-learn is loaded once, not once per worker.
    On a thread (tests, the CLI) it costs no process start.
    """

    def __init__(
        self, *, helper_process: bool = False, service: ServiceAddress | None = None
    ) -> None:
        self.helper_process = helper_process and service is None
        self.service = service
        self._one_at_a_time = anyio.CapacityLimiter(1)

    async def themes(self, notes: Sequence[Note], board: Board) -> tuple[Theme, ...]:
        """The themes of `notes` with the board's count, edits and previous themes."""
        # `remote.themes` imports scikit-learn only when first called, wherever it runs.
        arguments = (list(notes), board.n_themes, board.edits, board.themes)
        if self.service is not None:
            return await anyio.to_thread.run_sync(
                clustering_service.themes,
                self.service,
                *arguments,
                abandon_on_cancel=True,  # a shutdown does not wait for a large board
            )
        if not self.helper_process:
            return await anyio.to_thread.run_sync(remote.themes, *arguments)
        return await anyio.to_process.run_sync(
            remote.themes,
            *arguments,
            cancellable=True,  # a shutdown does not wait for a large board
            limiter=self._one_at_a_time,
        )

    async def recluster(self, store: Store, session_id: str, *, force: bool = False) -> Reclustered:
        """Read the session's notes and board and cluster them unless they are unchanged,
        all where this clusterer runs; the helper and the service read on connections of
        their own (actions/board_remote.py), so the notes never pass through the worker."""
        if self.service is None and not self.helper_process:
            return await anyio.to_thread.run_sync(
                lambda: board_remote.recluster(store, session_id, force=force)
            )
        # The other process opens its own engine on the same database as this store.
        db_url = store.kw["bind"].url.render_as_string(hide_password=False)
        if self.service is not None:
            return await anyio.to_thread.run_sync(
                clustering_service.recluster,
                self.service,
                db_url,
                session_id,
                force,
                abandon_on_cancel=True,
            )
        return await anyio.to_process.run_sync(
            board_remote.recluster_at,
            db_url,
            session_id,
            force,
            cancellable=True,
            limiter=self._one_at_a_time,
        )

    async def warm(self) -> None:
        """Load the clustering code ahead of the first board (web/app.py, at startup).

        Loading scikit-learn takes about a second; paid at the first re-clustering, it
        fell in the middle of the first burst of notes (bench/live.py). The service
        loads it as it starts.
        """
        try:
            if self.service is not None:
                return
            if self.helper_process:
                await anyio.to_process.run_sync(
                    board_remote.warm_helper, cancellable=True, limiter=self._one_at_a_time
                )
            else:
                await anyio.to_thread.run_sync(remote.warm)
        except Exception:  # the first board then pays for it; nothing else is at stake
            logger.exception("loading the clustering code ahead of time failed")


IN_THREAD = Clusterer()


async def _save(
    store: Store, bus: Bus, session_id: str, board: Board, *, expected: int, now: datetime
) -> Board:
    def work(db: Session) -> tuple[Board, int]:
        revision = harvest.save_board(db, session_id, board, expected_revision=expected, now=now)
        stored = harvest.load_board(db, session_id) or board
        event = ThemesChanged(revision=revision, shown=stored.shown)
        return stored, append_events(db, session_id, [event], now=now)

    return await commit_and_publish(store, bus, session_id, work)


async def refresh_board(
    store: Store,
    bus: Bus,
    session_id: str,
    *,
    now: datetime,
    force: bool = False,
    clusterer: Clusterer = IN_THREAD,
) -> Board:
    """The board for the session's current notes, re-clustered if they changed since.

    When another change lands while this one clusters, it reads again and starts over
    (at most `EDIT_RETRIES` times; then the newer board stands as it is).
    """
    board = Board()
    for _ in range(EDIT_RETRIES):
        outcome = await clusterer.recluster(store, session_id, force=force)
        board = outcome.read
        if outcome.fresh is None:
            return board
        try:
            return await _save(
                store, bus, session_id, outcome.fresh, expected=board.revision, now=now
            )
        except BoardConflict:
            continue
    return board


# ── the rapporteur's edits ────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class Merge:
    """Merge these themes (two or more) into one."""

    theme_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Split:
    """Move these notes (all of one theme) out into a theme of their own."""

    note_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Rename:
    """Give a theme the rapporteur's own label."""

    theme_id: str
    label: str


@dataclass(frozen=True, slots=True)
class Star:
    """Star (or unstar) a note on the board."""

    note_id: str
    starred: bool = True


@dataclass(frozen=True, slots=True)
class Recount:
    """Ask for this many themes; None lets the method choose again."""

    n_themes: int | None


BoardEdit = Merge | Split | Rename | Star | Recount


def _edited(board: Board, edit: BoardEdit) -> Board:
    edits = board.edits
    match edit:
        case Merge(theme_ids):
            return dataclasses.replace(board, edits=edits.merge(board.themes, *theme_ids))
        case Split(note_ids):
            return dataclasses.replace(board, edits=edits.split(board.themes, note_ids))
        case Rename(theme_id, label):
            return dataclasses.replace(board, edits=edits.rename(board.themes, theme_id, label))
        case Star(note_id, starred):
            if not any(note_id in theme.note_ids for theme in board.themes):
                raise InputError(
                    f"there is no note {note_id!r} on the board",
                    field="note",
                    advice="The board has changed since the page was loaded; reload it.",
                )
            return dataclasses.replace(board, edits=edits.star(note_id, starred=starred))
        case Recount(n_themes):
            if n_themes is not None and not 1 <= n_themes <= MAX_THEMES_ASKED:
                raise InputError(
                    f"cannot make {n_themes} themes",
                    field="n_themes",
                    advice=f"Ask for 1 to {MAX_THEMES_ASKED} themes, or leave it empty.",
                )
            return dataclasses.replace(board, n_themes=n_themes)


async def edit_board(
    store: Store,
    bus: Bus,
    session_id: str,
    edit: BoardEdit,
    *,
    now: datetime,
    clusterer: Clusterer = IN_THREAD,
) -> Board:
    """Apply one edit to the board as it is now, re-cluster with it, and save.

    An edit names themes and notes of the stored board (`InputError` when they are
    gone); it is kept with the others, so every later re-clustering applies it again.
    """
    await refresh_board(store, bus, session_id, now=now, clusterer=clusterer)
    for attempt in range(EDIT_RETRIES):
        notes, board = await transact(store, lambda db: notes_and_board(db, session_id))
        edited = _edited(board, edit)
        themes = await clusterer.themes(notes, edited)
        fresh = dataclasses.replace(edited, themes=themes, notes_key=notes_key(notes))
        try:
            return await _save(store, bus, session_id, fresh, expected=board.revision, now=now)
        except BoardConflict:
            if attempt == EDIT_RETRIES - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


# ── takeaways ─────────────────────────────────────────────────────────────────────────


def _touched(db: Session, session_id: str, now: datetime) -> int:
    revision = harvest.touch_board(db, session_id, now=now)
    board = harvest.load_board(db, session_id) or Board()
    return append_events(db, session_id, [ThemesChanged(revision, board.shown)], now=now)


def _redacted(db: Session, session_id: str, text: str) -> str:
    """A takeaway's text as the room may read it: redacted like a note, at intake."""
    redactor = session_redactor(db, load_live(db, session_id))
    return redactor.redact(text).text


async def promote(
    store: Store,
    bus: Bus,
    session_id: str,
    kind: TakeawayKind,
    *,
    now: datetime,
    theme_id: str | None = None,
    note_id: str | None = None,
    text: str | None = None,
) -> str:
    """Make a theme or a note of the board (or, with neither, `text` alone) a takeaway."""

    def work(db: Session) -> tuple[str, int]:
        board = harvest.load_board(db, session_id) or Board()
        takeaway = _promoted(db, session_id, board, kind, theme_id, note_id, text)
        takeaway = dataclasses.replace(takeaway, text=_redacted(db, session_id, takeaway.text))
        takeaway_id = harvest.add_takeaway(db, session_id, takeaway, now=now)
        return takeaway_id, _touched(db, session_id, now)

    return await commit_and_publish(store, bus, session_id, work)


def _promoted(
    db: Session,
    session_id: str,
    board: Board,
    kind: TakeawayKind,
    theme_id: str | None,
    note_id: str | None,
    text: str | None,
) -> Takeaway:
    text = text if text and text.strip() else None
    if theme_id:
        theme = next((t for t in board.themes if t.id == theme_id), None)
        if theme is None:
            raise InputError(
                f"there is no theme {theme_id!r} on the board",
                field="theme",
                advice="The board has changed since the page was loaded; reload it.",
            )
        return promote_theme(theme, kind, text)
    if note_id:
        note = repositories.get_note(db, session_id, note_id)
        if note is None:
            raise InputError(
                f"there is no note {note_id!r}",
                field="note",
                advice="The note was withdrawn; reload the board.",
            )
        return promote_note(note, kind, text)
    return Takeaway(kind, _takeaway_text(text or ""))


def _takeaway_text(text: str) -> str:
    return clean_live_text(text, field="text", limit=MAX_TAKEAWAY_CHARS, what="takeaway")


async def change_takeaway(
    store: Store,
    bus: Bus,
    session_id: str,
    takeaway_id: str,
    *,
    now: datetime,
    text: str | None = None,
    kind: TakeawayKind | None = None,
) -> None:
    """Rewrite a takeaway and/or make it the other kind; `LookupError` if it is gone."""

    def work(db: Session) -> tuple[None, int]:
        stored = harvest.get_takeaway(db, session_id, takeaway_id).takeaway
        changed = dataclasses.replace(
            stored,
            kind=kind or stored.kind,
            text=stored.text if text is None else _redacted(db, session_id, _takeaway_text(text)),
        )
        harvest.change_takeaway(db, session_id, takeaway_id, changed, now=now)
        return None, _touched(db, session_id, now)

    await commit_and_publish(store, bus, session_id, work)


async def remove_takeaway(
    store: Store, bus: Bus, session_id: str, takeaway_id: str, *, now: datetime
) -> None:
    """Delete a takeaway; `LookupError` if it is gone already."""

    def work(db: Session) -> tuple[None, int]:
        harvest.delete_takeaway(db, session_id, takeaway_id)
        return None, _touched(db, session_id, now)

    await commit_and_publish(store, bus, session_id, work)


# ── re-clustering as notes arrive ─────────────────────────────────────────────────────


class Reclustering:
    """Re-clusters a session's board a moment after its notes change, once per burst.

    The first change of a quiet session starts a timer of `delay` seconds; changes
    while it runs ride along; a change during the re-clustering itself starts one more
    round after it, which waits `delay` or three times as long as the last re-clustering
    took, whichever is longer (`BUSY_SHARE`). One per app (web/app.py); `close` cancels
    what is pending.

    Across workers, one re-clusters a session's board at a time (a lease in the store,
    `harvest.take_clustering_lease`): the others try again a `delay` later, and by then
    usually find the board already clustered from their notes too.
    """

    def __init__(
        self,
        store: Store,
        bus: Bus,
        clock: Callable[[], datetime],
        delay: float = DEBOUNCE_SECONDS,
        clusterer: Clusterer = IN_THREAD,
    ) -> None:
        self.store = store
        self.clusterer = clusterer
        self.bus = bus
        self.clock = clock
        self.delay = delay
        self._pending: dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()
        self.holder = secrets.token_hex(8)  # this worker, in the clustering lease

    def notes_changed(self, session_id: str) -> None:
        """Note that the session's notes changed; its board follows within `delay`."""
        if session_id in self._pending:
            self._again.add(session_id)
            return
        task = asyncio.get_running_loop().create_task(self._run(session_id))
        self._pending[session_id] = task

    async def _run(self, session_id: str) -> None:
        wait = self.delay
        try:
            while True:
                await asyncio.sleep(wait)
                self._again.discard(session_id)
                began = time.monotonic()
                try:
                    await self._refresh(session_id)
                except Exception:  # a failed refresh must not end later ones
                    logger.exception("re-clustering session %s failed", session_id)
                if session_id not in self._again:
                    return
                # Notes kept coming: wait long enough that re-clustering takes at most
                # 1 / BUSY_SHARE of the time. Without this, a plenary typing 200 notes
                # a second re-clustered thousands of notes every 2 s, and the CPU that
                # took was missing from the note writes (bench/live.py).
                wait = max(self.delay, (time.monotonic() - began) * (BUSY_SHARE - 1))
        finally:
            self._pending.pop(session_id, None)

    async def _refresh(self, session_id: str) -> None:
        now = self.clock()
        taken = await transact(
            self.store,
            lambda db: harvest.take_clustering_lease(
                db, session_id, self.holder, now=now, seconds=LEASE_SECONDS
            ),
        )
        if not taken:
            # Another worker is re-clustering this board. The notes this one took may
            # have come after that worker read them, so look again after a pause; if
            # they made it in, the digests match and nothing is clustered twice.
            self._again.add(session_id)
            return
        try:
            await refresh_board(self.store, self.bus, session_id, now=now, clusterer=self.clusterer)
        finally:
            await transact(
                self.store, lambda db: harvest.end_clustering_lease(db, session_id, self.holder)
            )

    async def idle(self) -> None:
        """Wait until nothing is pending (tests, and a clean shutdown)."""
        while self._pending:
            await asyncio.gather(*self._pending.values(), return_exceptions=True)

    async def close(self) -> None:
        """Cancel pending re-clusterings; the next board read catches up anyway."""
        for task in list(self._pending.values()):
            task.cancel()
        await asyncio.gather(*self._pending.values(), return_exceptions=True)
        self._pending.clear()


# ── reading the board for pages ───────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class BoardState:
    """Everything a harvest page shows, read in one transaction."""

    board: Board
    notes: list[Note]
    takeaways: list[harvest.StoredTakeaway]
    vote: tuple[Vote, VoteResult] | None
    scrub: Callable[[str], str]


def read_board(db: Session, session_id: str) -> BoardState:
    """The stored board, notes, takeaways and newest vote, and the room's redaction."""
    # Imported here: actions/voting.py imports this module.
    from pollinate.actions.voting import latest

    live = load_live(db, session_id)
    redactor = session_redactor(db, live)
    return BoardState(
        board=harvest.load_board(db, session_id) or Board(),
        notes=repositories.list_notes(db, session_id),
        takeaways=harvest.list_takeaways(db, session_id),
        vote=latest(db, session_id),
        scrub=lambda text: redactor.redact(text).text,
    )
