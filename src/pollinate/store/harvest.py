"""The rapporteur's board and takeaways as stored: row ↔ core translation for the harvest.

    theme_boards  load_board · save_board (compare-and-set on revision) · set_shown
    clustering_leases  take_clustering_lease · end_clustering_lease
    takeaways     list_takeaways · add_takeaway · change_takeaway · delete_takeaway

Themes and the rapporteur's edits (`core/harvest`) are frozen values with tuples and
frozensets; here they become JSON lists, sorted where the order means nothing, so that
the same board is always stored the same way. Like every store function these take the
caller's `Session` and never commit.

The report reads the board through `load_board(db, session_id).themes` and the takeaways
through `takeaways(db, session_id)` (actions/report.py).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pollinate.core.harvest.edits import Move, Rename, ThemeEdits
from pollinate.core.harvest.takeaways import Takeaway, TakeawayKind
from pollinate.core.harvest.theme import Theme
from pollinate.store.repositories import VersionConflict
from pollinate.store.tables import BoardRow, ClusteringLeaseRow, TakeawayRow


class BoardConflict(VersionConflict):
    """The board changed while this change was being made (the web answers 409)."""


@dataclass(frozen=True, slots=True)
class Board:
    """A session's board as stored: the themes last shown and the edits that made them.

    `revision` is 0 for a board never saved. `notes_key` identifies the notes the themes
    were clustered from (actions/board.py).
    """

    themes: tuple[Theme, ...] = ()
    edits: ThemeEdits = field(default_factory=ThemeEdits)
    n_themes: int | None = None
    notes_key: str = ""
    shown: bool = False
    revision: int = 0


# ── who re-clusters now ───────────────────────────────────────────────────────────────


def take_clustering_lease(
    db: Session, session_id: str, holder: str, *, now: datetime, seconds: float
) -> bool:
    """Take (or extend) the session's re-clustering lease for `holder`, unless another
    holder's lease is still running; True when `holder` has it now.

    An update takes an expired or own lease; when there is no lease row yet, an insert
    takes it, which a racing holder's insert makes fail (the primary key). Correct on
    both databases.
    """
    until = now + timedelta(seconds=seconds)
    taken = db.execute(
        update(ClusteringLeaseRow)
        .where(
            ClusteringLeaseRow.session_id == session_id,
            or_(ClusteringLeaseRow.holder == holder, ClusteringLeaseRow.until <= now),
        )
        .values(holder=holder, until=until)
        .returning(ClusteringLeaseRow.holder),
        execution_options={"synchronize_session": False},
    ).scalar_one_or_none()
    if taken is not None:
        return True
    if db.get(ClusteringLeaseRow, session_id) is not None:
        return False  # someone else's, still running
    try:
        with db.begin_nested():
            db.add(ClusteringLeaseRow(session_id=session_id, holder=holder, until=until))
    except IntegrityError:
        return False  # another holder inserted it first
    return True


def end_clustering_lease(db: Session, session_id: str, holder: str) -> None:
    """Give the lease back (only `holder`'s own), so the next worker need not wait."""
    db.execute(
        delete(ClusteringLeaseRow).where(
            ClusteringLeaseRow.session_id == session_id, ClusteringLeaseRow.holder == holder
        ),
        execution_options={"synchronize_session": False},
    )


# ── themes and edits as JSON ──────────────────────────────────────────────────────────


def theme_json(theme: Theme) -> dict[str, Any]:
    return {
        "id": theme.id,
        "label": theme.label,
        "note_ids": list(theme.note_ids),
        "tables": list(theme.tables),
        "rounds": list(theme.rounds),
        "representatives": list(theme.representatives),
        "duplicates": [list(group) for group in theme.duplicates],
        "starred": list(theme.starred),
    }


def theme_from(document: Mapping[str, Any]) -> Theme:
    note_ids = tuple(str(n) for n in document["note_ids"])
    return Theme(
        id=str(document["id"]),
        label=str(document["label"]),
        note_ids=note_ids,
        size=len(note_ids),
        tables=tuple(str(t) for t in document["tables"]),
        rounds=tuple(int(r) for r in document["rounds"]),
        representatives=tuple(str(n) for n in document["representatives"]),
        duplicates=tuple(tuple(str(n) for n in group) for group in document["duplicates"]),
        starred=tuple(str(n) for n in document.get("starred", ())),
    )


def edits_json(edits: ThemeEdits) -> dict[str, Any]:
    return {
        "moves": [
            {
                "together": sorted(move.together),
                "apart": sorted(move.apart),
                "seen": sorted(move.seen),
            }
            for move in edits.moves
        ],
        "renames": [
            {
                "note_ids": sorted(rename.note_ids),
                "label": rename.label,
                "seen": sorted(rename.seen),
            }
            for rename in edits.renames
        ],
        "stars": sorted(edits.stars),
    }


def edits_from(document: Mapping[str, Any]) -> ThemeEdits:
    return ThemeEdits(
        moves=tuple(
            Move(frozenset(m["together"]), frozenset(m["apart"]), frozenset(m["seen"]))
            for m in document.get("moves", ())
        ),
        renames=tuple(
            Rename(frozenset(r["note_ids"]), str(r["label"]), frozenset(r["seen"]))
            for r in document.get("renames", ())
        ),
        stars=frozenset(document.get("stars", ())),
    )


# ── the board ─────────────────────────────────────────────────────────────────────────


def load_board(db: Session, session_id: str) -> Board | None:
    """The session's stored board; None before anything was clustered or switched on."""
    row = db.get(BoardRow, session_id, populate_existing=True)
    if row is None:
        return None
    return Board(
        themes=tuple(theme_from(document) for document in row.themes_json),
        edits=edits_from(row.edits_json),
        n_themes=row.n_themes,
        notes_key=row.notes_key,
        shown=row.shown,
        revision=row.revision,
    )


def save_board(
    db: Session, session_id: str, board: Board, *, expected_revision: int, now: datetime
) -> int:
    """Store `board` (its `shown` and `revision` aside) if the stored one is still at
    `expected_revision`; return the new revision. `BoardConflict` otherwise."""
    values = {
        "themes_json": [theme_json(theme) for theme in board.themes],
        "edits_json": edits_json(board.edits),
        "n_themes": board.n_themes,
        "notes_key": board.notes_key,
        "updated_at": now,
    }
    if expected_revision == 0 and db.get(BoardRow, session_id) is None:
        return _first(db, BoardRow(session_id=session_id, shown=False, revision=1, **values))
    return _bump(db, session_id, expected_revision, values)


def _first(db: Session, row: BoardRow) -> int:
    """Insert a session's first board row; `BoardConflict` if another writer just did."""
    try:
        with db.begin_nested():
            db.add(row)
    except IntegrityError:
        raise BoardConflict("The board changed meanwhile; reload it and try again.") from None
    return 1


def set_shown(db: Session, session_id: str, shown: bool, *, now: datetime) -> int:
    """Turn the report-back view on or off; return the board's new revision."""
    row = db.get(BoardRow, session_id, populate_existing=True)
    if row is None:
        empty = Board()
        return _first(
            db,
            BoardRow(
                session_id=session_id,
                themes_json=[],
                edits_json=edits_json(empty.edits),
                n_themes=None,
                notes_key="",
                shown=shown,
                revision=1,
                updated_at=now,
            ),
        )
    return _bump(db, session_id, None, {"shown": shown, "updated_at": now})


def touch_board(db: Session, session_id: str, *, now: datetime) -> int:
    """Raise the board's revision without changing it (its takeaways or dots changed)."""
    row = db.get(BoardRow, session_id, populate_existing=True)
    if row is None:
        return set_shown(db, session_id, False, now=now)
    return _bump(db, session_id, None, {"updated_at": now})


def _bump(db: Session, session_id: str, expected: int | None, values: dict[str, Any]) -> int:
    """Raise the revision (only from `expected`, when given) and set `values`."""
    where = [BoardRow.session_id == session_id]
    if expected is not None:
        where.append(BoardRow.revision == expected)
    revision = db.execute(
        update(BoardRow)
        .where(*where)
        .values(revision=BoardRow.revision + 1, **values)
        .returning(BoardRow.revision),
        execution_options={"synchronize_session": False},
    ).scalar_one_or_none()
    if revision is None:
        raise BoardConflict("The board changed meanwhile; reload it and try again.")
    return int(revision)


# ── takeaways ─────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class StoredTakeaway:
    """A takeaway with the id the board's forms name it by."""

    id: str
    takeaway: Takeaway


def _takeaway(row: TakeawayRow) -> StoredTakeaway:
    return StoredTakeaway(
        row.id,
        Takeaway(TakeawayKind(row.kind), row.text, tuple(row.theme_ids), tuple(row.note_ids)),
    )


def list_takeaways(db: Session, session_id: str) -> list[StoredTakeaway]:
    """The session's takeaways and calls to action in the order they were promoted."""
    rows = db.scalars(
        select(TakeawayRow)
        .where(TakeawayRow.session_id == session_id)
        .order_by(TakeawayRow.position, TakeawayRow.id)
    )
    return [_takeaway(row) for row in rows]


def takeaways(db: Session, session_id: str) -> list[Takeaway]:
    """The session's takeaways, board order, without their ids (what the report needs)."""
    return [stored.takeaway for stored in list_takeaways(db, session_id)]


def add_takeaway(db: Session, session_id: str, takeaway: Takeaway, *, now: datetime) -> str:
    """Store a new takeaway at the end of the list; return its id."""
    last = db.scalar(
        select(func.max(TakeawayRow.position)).where(TakeawayRow.session_id == session_id)
    )
    takeaway_id = secrets.token_urlsafe(9)
    db.add(
        TakeawayRow(
            id=takeaway_id,
            session_id=session_id,
            position=0 if last is None else last + 1,
            kind=takeaway.kind.value,
            text=takeaway.text,
            theme_ids=list(takeaway.theme_ids),
            note_ids=list(takeaway.note_ids),
            created_at=now,
            updated_at=now,
        )
    )
    db.flush()
    return takeaway_id


def _takeaway_row(db: Session, session_id: str, takeaway_id: str) -> TakeawayRow:
    row = db.get(TakeawayRow, takeaway_id)
    if row is None or row.session_id != session_id:
        raise LookupError(f"There is no takeaway {takeaway_id!r}.")
    return row


def get_takeaway(db: Session, session_id: str, takeaway_id: str) -> StoredTakeaway:
    """One takeaway; `LookupError` for an id this session does not have."""
    return _takeaway(_takeaway_row(db, session_id, takeaway_id))


def change_takeaway(
    db: Session, session_id: str, takeaway_id: str, takeaway: Takeaway, *, now: datetime
) -> None:
    """Store a takeaway's new text and kind; `LookupError` if it is gone."""
    row = _takeaway_row(db, session_id, takeaway_id)
    row.kind = takeaway.kind.value
    row.text = takeaway.text
    row.updated_at = now
    db.flush()


def delete_takeaway(db: Session, session_id: str, takeaway_id: str) -> None:
    """Delete a takeaway; `LookupError` if it is gone already."""
    db.delete(_takeaway_row(db, session_id, takeaway_id))
    db.flush()
