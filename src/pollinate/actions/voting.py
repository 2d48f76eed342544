"""Dot voting: the facilitator opens a vote on the board's themes, phones spend dots.

    open_vote(dots) ─▶ board's themes frozen into the vote ─▶ report-back view on
                    ─▶ vote.opened (+ report_back.toggled) ─▶ phones show the ballot
    cast_ballot(voter, dots) ─▶ core tally checks the one ballot ─▶ put_ballot(hash)
                    ─▶ vote.counted ─▶ the projector re-reads the dots
    close_vote ─▶ vote.closed ─▶ results final; the report reads `vote_result`

One ballot per link: the ballot is stored under `voter_hash`, an HMAC of the link's id
keyed by the server's secret and the vote's own salt. Casting again from the same link
finds the same row and replaces it until the vote closes; the ballot table never holds
a participant, a link or a time (store/tables.py, `BallotRow`, says why).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from pollinate.actions.board import IN_THREAD, Clusterer, refresh_board
from pollinate.actions.live import Store, append_events, commit_and_publish, load_live
from pollinate.core.events import ReportBackToggled, VoteClosed, VoteCounted, VoteOpened
from pollinate.core.harvest.votes import DOTS, Ballot, VoteResult, tally
from pollinate.errors import InputError, NotAllowed
from pollinate.live.bus import Bus
from pollinate.store import harvest, votes
from pollinate.store.harvest import Board
from pollinate.store.votes import Vote

MAX_DOTS = 10  # more dots than this stops meaning "what matters most"


@dataclass(frozen=True, slots=True)
class Voter:
    """Whoever casts a ballot, as far as the rule "one per link" needs: never stored."""

    link_id: int
    secret: str = field(repr=False)


def voter_hash(voter: Voter, vote: Vote) -> str:
    """The ballot's key: HMAC-SHA256 of the vote's salt and the link id, keyed by the secret."""
    message = f"ballot:{vote.salt}:{voter.link_id}".encode()
    return hmac.new(voter.secret.encode(), message, hashlib.sha256).hexdigest()


def _current(db: Session, session_id: str) -> Vote:
    vote = votes.latest_vote(db, session_id)
    if vote is None or not vote.is_open:
        raise NotAllowed("No dot vote is open now.")
    return vote


async def open_vote(
    store: Store,
    bus: Bus,
    session_id: str,
    *,
    now: datetime,
    dots: int = DOTS,
    per_theme: int | None = None,
    clusterer: Clusterer = IN_THREAD,
) -> Vote:
    """Open a vote on the board's current themes; turn the report-back view on with it,
    because people vote on themes they can see. `InputError` when the rules do not fit
    or no theme is on the board yet, `NotAllowed` while another vote is open."""
    if not 1 <= dots <= MAX_DOTS or (per_theme is not None and not 1 <= per_theme <= dots):
        raise InputError(
            f"{dots} dots per person, {per_theme or 'any'} per theme does not fit",
            field="dots",
            advice=f"Give each person 1 to {MAX_DOTS} dots, at most that many on one theme.",
        )
    board = await refresh_board(store, bus, session_id, now=now, clusterer=clusterer)

    def work(db: Session) -> tuple[Vote, int]:
        latest = votes.latest_vote(db, session_id)
        if latest is not None and latest.is_open:
            raise NotAllowed("A dot vote is open already; close it before opening another.")
        stored = harvest.load_board(db, session_id) or board
        if not stored.themes:
            raise InputError(
                "there are no themes to vote on yet",
                field="dots",
                advice="Wait until the board shows themes from the notes, then open the vote.",
            )
        vote = votes.open_vote(
            db, session_id, themes=stored.themes, dots=dots, per_theme=per_theme, now=now
        )
        events: list[Any] = [VoteOpened(vote.id, dots)]
        if not stored.shown:
            harvest.set_shown(db, session_id, True, now=now)
            events.insert(0, ReportBackToggled(True))
        return vote, append_events(db, session_id, events, now=now)

    return await commit_and_publish(store, bus, session_id, work)


async def close_vote(store: Store, bus: Bus, session_id: str, *, now: datetime) -> Vote:
    """Close the open vote: its ballots are final. `NotAllowed` when none is open."""

    def work(db: Session) -> tuple[Vote, int]:
        vote = _current(db, session_id)
        votes.close_vote(db, vote.id, now=now)
        counted = votes.count_ballots(db, vote.id)
        closed = votes.latest_vote(db, session_id) or vote
        return closed, append_events(db, session_id, [VoteClosed(vote.id, counted)], now=now)

    return await commit_and_publish(store, bus, session_id, work)


async def cast_ballot(
    store: Store, bus: Bus, session_id: str, voter: Voter, dots: list[str], *, now: datetime
) -> tuple[str, ...]:
    """Store this link's dots in the open vote, replacing its earlier ballot.

    `InputError` when the ballot breaks the vote's rules (too many dots, too many on one
    theme, a theme not on the ballot); `NotAllowed` when no vote is open.
    """

    def work(db: Session) -> tuple[tuple[str, ...], int]:
        load_live(db, session_id)
        vote = _current(db, session_id)
        ballot = Ballot("this ballot", tuple(dots))
        tally([ballot], vote.themes, dots=vote.dots, per_theme=vote.per_theme)  # the rules
        votes.put_ballot(db, vote.id, voter_hash(voter, vote), ballot.dots)
        counted = votes.count_ballots(db, vote.id)
        return ballot.dots, append_events(db, session_id, [VoteCounted(vote.id, counted)], now=now)

    return await commit_and_publish(store, bus, session_id, work)


def result_of(db: Session, vote: Vote) -> VoteResult:
    """The vote's tally over its own themes (labels as they were when it opened)."""
    return tally(
        votes.ballots_of(db, vote.id), vote.themes, dots=vote.dots, per_theme=vote.per_theme
    )


def vote_result(db: Session, session_id: str) -> VoteResult | None:
    """The tally of the session's latest closed vote; None if no vote was closed.

    The report's seam (actions/report.py): a vote still open is not a result yet.
    """
    vote = votes.latest_vote(db, session_id, closed_only=True)
    return None if vote is None else result_of(db, vote)


def my_ballot(db: Session, vote: Vote, voter: Voter) -> tuple[str, ...] | None:
    """The dots this link cast in `vote`; None when it has not voted."""
    return votes.ballot_of(db, vote.id, voter_hash(voter, vote))


def latest(db: Session, session_id: str) -> tuple[Vote, VoteResult] | None:
    """The newest vote of the session and its tally so far; None before any vote."""
    vote = votes.latest_vote(db, session_id)
    return None if vote is None else (vote, result_of(db, vote))


async def show_report_back(
    store: Store, bus: Bus, session_id: str, shown: bool, *, now: datetime
) -> Board:
    """Turn the report-back view on or off for the projector and the phones."""

    def work(db: Session) -> tuple[Board, int]:
        load_live(db, session_id)
        harvest.set_shown(db, session_id, shown, now=now)
        board = harvest.load_board(db, session_id) or Board(shown=shown)
        return board, append_events(db, session_id, [ReportBackToggled(shown)], now=now)

    return await commit_and_publish(store, bus, session_id, work)
