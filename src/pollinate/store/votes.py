"""Dot votes and their ballots as stored: a vote's themes and rules, dots per voter hash.

    votes    open_vote · latest_vote · close_vote
    ballots  put_ballot (insert or replace) · ballot_of · ballots_of · count_ballots

A ballot row holds a voter hash and the theme ids it dots, nothing else (tables.BallotRow
says why). The hash is made by the action, which alone knows the server's secret; this
module never sees a link or a participant. Like every store function these take the
caller's `Session` and never commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pollinate.core.harvest.theme import Theme
from pollinate.core.harvest.votes import Ballot
from pollinate.store.harvest import theme_from, theme_json
from pollinate.store.tables import BallotRow, VoteRow


@dataclass(frozen=True, slots=True)
class Vote:
    """A dot vote: `themes` are the board's themes when it opened, the ballot's choices."""

    id: str
    dots: int
    per_theme: int | None
    themes: tuple[Theme, ...]
    salt: str
    opened_at: datetime
    closed_at: datetime | None

    @property
    def is_open(self) -> bool:
        """True until the facilitator closes it."""
        return self.closed_at is None


def _vote(row: VoteRow) -> Vote:
    return Vote(
        row.id,
        row.dots,
        row.per_theme,
        tuple(theme_from(document) for document in row.themes_json),
        row.salt,
        row.opened_at,
        row.closed_at,
    )


def open_vote(
    db: Session,
    session_id: str,
    *,
    themes: Sequence[Theme],
    dots: int,
    per_theme: int | None,
    now: datetime,
) -> Vote:
    """Store a new open vote on `themes` with a fresh random id and salt."""
    last = db.scalar(select(func.max(VoteRow.number)).where(VoteRow.session_id == session_id))
    row = VoteRow(
        id=secrets.token_urlsafe(9),
        session_id=session_id,
        number=(last or 0) + 1,
        dots=dots,
        per_theme=per_theme,
        themes_json=[theme_json(theme) for theme in themes],
        salt=secrets.token_hex(32),
        opened_at=now,
    )
    db.add(row)
    db.flush()
    return _vote(row)


def latest_vote(db: Session, session_id: str, *, closed_only: bool = False) -> Vote | None:
    """The session's newest vote (open or closed, or closed only); None if none was held."""
    query = select(VoteRow).where(VoteRow.session_id == session_id)
    if closed_only:
        query = query.where(VoteRow.closed_at.is_not(None))
    row = db.scalars(query.order_by(VoteRow.number.desc()).limit(1)).first()
    return None if row is None else _vote(row)


def close_vote(db: Session, vote_id: str, *, now: datetime) -> None:
    """Close the vote (its ballots are final); `LookupError` for an unknown id."""
    row = db.get(VoteRow, vote_id)
    if row is None:
        raise LookupError(f"There is no vote {vote_id!r}.")
    row.closed_at = now
    db.flush()


def put_ballot(db: Session, vote_id: str, voter: str, dots: Sequence[str]) -> None:
    """Store the voter's dots, replacing the ballot they cast before in this vote."""
    row = db.get(BallotRow, (vote_id, voter))
    if row is None:
        db.add(BallotRow(vote_id=vote_id, voter=voter, dots_json=list(dots)))
    else:
        row.dots_json = list(dots)
    db.flush()


def ballot_of(db: Session, vote_id: str, voter: str) -> tuple[str, ...] | None:
    """The dots this voter cast in this vote; None if they have not voted."""
    row = db.get(BallotRow, (vote_id, voter), populate_existing=True)
    return None if row is None else tuple(row.dots_json)


def ballots_of(db: Session, vote_id: str) -> list[Ballot]:
    """Every ballot of the vote; the voter hash serves as the ballot id for the tally."""
    rows = db.scalars(select(BallotRow).where(BallotRow.vote_id == vote_id))
    return [Ballot(row.voter, tuple(row.dots_json)) for row in rows]


def count_ballots(db: Session, vote_id: str) -> int:
    """How many voters have a ballot in the vote."""
    return (
        db.scalar(select(func.count()).select_from(BallotRow).where(BallotRow.vote_id == vote_id))
        or 0
    )
