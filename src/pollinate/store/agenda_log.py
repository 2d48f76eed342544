"""The agenda as run, kept for the report: when each block began and the session ended.

    actions/agenda.py ─▶ record(db, session_id, [(seq, AgendaMoment(at, block_index)), …])
    actions/report.py ─▶ moments(db, session_id) ─▶ core.report.agenda_as_run

The outbox carries the same moments as events, but only for `outbox_retention_hours`;
these rows live as long as their session. Like every store function these take the
caller's `Session` and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from pollinate.core.report import AgendaMoment
from pollinate.store.tables import AgendaMomentRow


def record(db: Session, session_id: str, moments: Iterable[tuple[int, AgendaMoment]]) -> None:
    """Keep `moments`, each with the outbox seq of the event that announced it."""
    rows = [
        {"session_id": session_id, "seq": seq, "block_index": m.block_index, "at": m.at}
        for seq, m in moments
    ]
    if rows:
        db.execute(insert(AgendaMomentRow), rows)


def moments(db: Session, session_id: str) -> list[AgendaMoment]:
    """Every moment of the session's agenda, in the order they happened."""
    rows = db.execute(
        select(AgendaMomentRow.block_index, AgendaMomentRow.at)
        .where(AgendaMomentRow.session_id == session_id)
        .order_by(AgendaMomentRow.seq)
    )
    return [AgendaMoment(at, block_index) for block_index, at in rows]
