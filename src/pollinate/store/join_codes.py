"""Join codes for walk-ins, and the check-in rate limit kept in the database.

    projector shows CODE ─▶ walk-in types it ─▶ count_attempts (per client, per session)
                                               └▶ record_attempt ─▶ session_for_code

The limit lives in the database, not in a worker's memory, so several workers (and a
restarted one) count the same attempts. Like every store function these take the
caller's `Session` and never commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pollinate.store.tables import JoinAttemptRow, JoinCodeRow

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a code read off a projector across a room is typed right.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6  # 25**6 ≈ 2.4e8 codes; with the rate limit, guessing one is hopeless


def normalise_code(text: str) -> str:
    """Upper case without spaces or dashes, as people type codes in any of those forms."""
    return "".join(char for char in text.upper() if char.isalnum())


def create_join_code(db: Session, session_id: str, *, now: datetime) -> str:
    """Give the session a new random join code (replacing any old one); return it."""
    db.execute(delete(JoinCodeRow).where(JoinCodeRow.session_id == session_id))
    for _ in range(10):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.get(JoinCodeRow, code) is not None:
            continue
        try:
            with db.begin_nested():
                db.add(JoinCodeRow(code=code, session_id=session_id, created_at=now))
        except IntegrityError:  # another session took the code between get and insert
            continue
        return code
    raise RuntimeError("could not find a free join code in 10 tries")


def join_code(db: Session, session_id: str) -> str | None:
    """The session's join code, if it has one."""
    return db.scalar(select(JoinCodeRow.code).where(JoinCodeRow.session_id == session_id))


def session_for_code(db: Session, code: str) -> str | None:
    """The session a typed join code opens; None when no session has it."""
    return db.scalar(select(JoinCodeRow.session_id).where(JoinCodeRow.code == normalise_code(code)))


def record_attempt(db: Session, *, client: str, session_id: str | None, now: datetime) -> None:
    """Count one check-in attempt by `client` (a hash, see tables.JoinAttemptRow)."""
    db.add(JoinAttemptRow(client=client, session_id=session_id, created_at=now))
    db.flush()


def record_attempts(db: Session, clients: Sequence[str], *, now: datetime) -> None:
    """Count one attempt, with no session, for each of `clients` (one statement)."""
    if clients:
        db.execute(
            insert(JoinAttemptRow),
            [{"client": client, "session_id": None, "created_at": now} for client in clients],
        )


# Asked on every request with a link (the guessing limit): built once, in Core, as
# repositories._LIVE_LINKS and for the same reason.
_attempts = JoinAttemptRow.__table__
_ATTEMPTS_SINCE = (
    select(_attempts.c.client, func.count())
    .where(_attempts.c.client.in_(bindparam("clients", expanding=True)))
    .where(_attempts.c.created_at > bindparam("since"))
    .group_by(_attempts.c.client)
)


def attempts_by_client(db: Session, clients: Collection[str], *, since: datetime) -> dict[str, int]:
    """How many attempts each of `clients` made after `since` (one query; 0s left out)."""
    if not clients:
        return {}
    rows = db.execute(_ATTEMPTS_SINCE, {"clients": sorted(set(clients)), "since": since})
    return {row[0]: row[1] for row in rows}


def count_attempts(
    db: Session, *, since: datetime, client: str | None = None, session_id: str | None = None
) -> int:
    """Attempts made after `since`, by one client and/or for one session."""
    query = (
        select(func.count()).select_from(JoinAttemptRow).where(JoinAttemptRow.created_at > since)
    )
    if client is not None:
        query = query.where(JoinAttemptRow.client == client)
    if session_id is not None:
        query = query.where(JoinAttemptRow.session_id == session_id)
    return db.scalar(query) or 0


def forget_attempts(db: Session, *, before: datetime) -> None:
    """Drop attempts older than `before`; they no longer count towards any limit."""
    db.execute(
        delete(JoinAttemptRow).where(JoinAttemptRow.created_at < before),
        execution_options={"synchronize_session": False},
    )
