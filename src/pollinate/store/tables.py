"""The database rows, as SQLAlchemy 2 typed ORM classes; separate from the core values.

    sessions ─┬─ participants   the roster, in roster order, with who is in the room
              ├─ plans          the current seating plan (one row, versioned)
              ├─ notes          what hosts write at tables: NO author column, ever
              ├─ links          hashed link tokens granting a role (and a table or person)
              ├─ outbox         the per-session event log the live pages replay
              ├─ idempotency    answers already given, by client-chosen key
              ├─ join_codes     the walk-in check-in code (join_attempts: its rate limit)
              ├─ note_redactions  what redaction replaced in a note, while its host may undo
              ├─ theme_boards   the rapporteur's board: last themes, edits, report-back on?
              ├─ takeaways      key takeaways and calls to action, in board order
              └─ votes          dot votes ─ ballots: dots per voter hash, NO participant

Every child row belongs to one session and goes when its session is deleted. Only
`repositories.py` and `outbox.py` turn these rows into core values and back. A change
here needs a reviewed migration in `migrations/versions/`; `tests/store/test_migrations.py`
fails while the two disagree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, MetaData, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Stable constraint names on both databases, so later migrations can name what they drop
# (Alembic docs, "The Importance of Naming Constraints").
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database.

    PostgreSQL stores `timestamptz`; SQLite has no such type, so the value is stored as
    naive UTC text and comes back with `tzinfo=UTC`. A naive datetime is refused on the way
    in, because its meaning would depend on the server's clock settings.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware one (UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Presence(StrEnum):
    """Whether a participant on the roster is in the session right now."""

    EXPECTED = "expected"  # on the roster, not seen yet: the state every import starts in
    PRESENT = "present"  # checked in by the facilitator (or joined online); sets arrived_at
    ABSENT = "absent"  # marked as not coming or gone: replans leave them out


# JSON columns hold documents the code builds (`dict`/`list`); NULL stays SQL NULL.
Json = JSON(none_as_null=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: Json}  # noqa: RUF012


class SessionRow(Base):
    """One World Café session: its session file, live state and event counter."""

    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    spec_json: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    run_state_json: Mapped[dict[str, Any] | None]
    # Bumped by every accepted change of run_state_json; writers compare and set it.
    run_version: Mapped[int] = mapped_column(Integer, default=0)
    # The last outbox seq handed out; outbox.append increments it under the row lock, so
    # seqs never repeat, even after old events are pruned.
    event_seq: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped by every change to the session's participants (repositories.save_roster,
    # add_participant), so a cached redactor knows it is current from one integer.
    roster_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ParticipantRow(Base):
    """A roster entry of one session, plus whether the person is here."""

    __tablename__ = "participants"

    session_id: Mapped[str] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    # Roster order; the planner is deterministic only for a given order.
    position: Mapped[int]
    name: Mapped[str] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    organization: Mapped[str | None] = mapped_column(Text)
    stakeholder_group: Mapped[str | None] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(Text)
    attendance: Mapped[str] = mapped_column(String(16))
    languages: Mapped[list[str]] = mapped_column(JSON)
    is_host: Mapped[bool]
    presence: Mapped[str] = mapped_column(String(16), default=Presence.EXPECTED.value)
    arrived_at: Mapped[datetime | None]


class PlanRow(Base):
    """The session's current seating plan; `version` grows with every save."""

    __tablename__ = "plans"

    session_id: Mapped[str] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    plan_json: Mapped[dict[str, Any]]
    metrics_json: Mapped[dict[str, Any] | None]
    version: Mapped[int]


class NoteRow(Base):
    """A note taken at a table in a round.

    There is deliberately no author, participant or token column: under the Chatham House
    Rule a note must not be traceable to a person, and a column that does not exist cannot
    leak (`tests/store/test_tables.py` pins the exact columns).
    """

    __tablename__ = "notes"

    # Random (repositories.new_note_id): an id says nothing about who wrote it, or when.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    round: Mapped[int]
    table_name: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    highlighted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]


class LinkRow(Base):
    """A live link: the sha256 of its token, and the role (and scope) it grants."""

    __tablename__ = "links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(32))
    participant_id: Mapped[str | None] = mapped_column(String(200))
    table_name: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class OutboxRow(Base):
    """One event of a session's log; (session_id, seq) is its id for replay."""

    __tablename__ = "outbox"

    session_id: Mapped[str] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(64))
    payload_json: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(index=True)


class IdempotencyRow(Base):
    """The answer given to a request that carried an idempotency key."""

    __tablename__ = "idempotency"

    session_id: Mapped[str] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    response_json: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(index=True)


# ── walk-ins (added for the live app, issue 3) ─────────────────────────────────────────


class JoinCodeRow(Base):
    """The short code walk-ins type (or scan) to check in to one session."""

    __tablename__ = "join_codes"

    # Short and public (it is on the projector); it grants only the check-in form.
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime]


class JoinAttemptRow(Base):
    """One check-in attempt, kept briefly so every worker sees the same rate limit.

    `client` is a keyed hash of the caller's address, never the address itself; a wrong
    code has no session, hence no foreign key.
    """

    __tablename__ = "join_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    session_id: Mapped[str | None] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(index=True)


# ── harvest (issue 4): redaction undo, the theme board, takeaways and dot votes ────────


class NoteRedactionRow(Base):
    """What the redactor replaced in one note, kept only while its host may undo it.

    `spans_json` holds the replaced originals, which are the very names and contacts the
    Chatham House Rule protects; that is why they live here and not in `notes`, and why
    the row is short-lived: it goes when the note's round closes (actions/agenda.py),
    when the host restores the last span or keeps the placeholders, when the note is
    withdrawn, and in any case after a day (actions/upkeep.py). Nothing copies it into
    an event, an export or a log.
    """

    __tablename__ = "note_redactions"

    note_id: Mapped[str] = mapped_column(
        ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True
    )
    session_id: Mapped[str] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    round: Mapped[int]
    # [{"start", "end", "kind", "original"}, …] in the order of the note's placeholders
    spans_json: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(index=True)


class BoardRow(Base):
    """The rapporteur's theme board of one session: what was last shown, and the edits.

    `themes_json` is the board as last clustered (the report reads it); `edits_json` the
    rapporteur's merges, splits, renames and stars, which every re-clustering applies
    again. `notes_key` is a digest of the notes that clustering saw, so an unchanged set
    of notes is not clustered twice. `revision` grows with every change (compare-and-set).
    """

    __tablename__ = "theme_boards"

    session_id: Mapped[str] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    themes_json: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    edits_json: Mapped[dict[str, Any]]
    n_themes: Mapped[int | None]
    notes_key: Mapped[str] = mapped_column(String(64))
    # The facilitator's switch: the projector and the phones show the board while on.
    shown: Mapped[bool] = mapped_column(default=False)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]


class ClusteringLeaseRow(Base):
    """Which worker re-clusters a session's board now, until when (a lease).

    Every worker hears of the notes it took and would re-cluster the whole board on its
    own; with a lease one does at a time, and the others, finding the board up to date
    when their turn comes, only compare digests (actions/board.py `Reclustering`). A
    worker that dies holding it delays the board until `until`, no longer.
    """

    __tablename__ = "clustering_leases"

    session_id: Mapped[str] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    holder: Mapped[str] = mapped_column(String(32))
    until: Mapped[datetime]


class AgendaMomentRow(Base):
    """A moment the live agenda moved: block `block_index` began, or (NULL) it finished.

    The same moments travel as `block.started` and `session.finished` events, but the
    outbox is pruned after a day (actions/upkeep.py) and a report is often written the
    day after; these rows stay as long as the session, so the agenda as run does too.
    `seq` is the event's seq in the outbox, which orders and identifies the moment.
    """

    __tablename__ = "agenda_moments"

    session_id: Mapped[str] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    block_index: Mapped[int | None]
    at: Mapped[datetime]


class TakeawayRow(Base):
    """A key takeaway or call to action the rapporteur promoted from the board."""

    __tablename__ = "takeaways"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    theme_ids: Mapped[list[str]] = mapped_column(JSON)
    note_ids: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class VoteRow(Base):
    """A dot vote: the themes on the ballot as they were when it opened, and its rules.

    `salt` is random per vote and keys the voter hashes of its ballots (`BallotRow`).
    """

    __tablename__ = "votes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    # 1, 2, 3 … per session: which vote is the latest, even within one clock tick.
    number: Mapped[int]
    dots: Mapped[int]
    per_theme: Mapped[int | None]
    themes_json: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    salt: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class BallotRow(Base):
    """One voter's dots in one vote: anonymous by construction.

    There is no participant, link or token column and no time: `voter` is an HMAC of the
    link's id under the server's secret key and the vote's salt, which is enough to let
    one link change its own ballot and to refuse a second one, and not enough to say
    whose ballot it is without both the secret and the links table. A per-vote salt means
    the ballots of two votes cannot be matched to each other either; a time could be
    matched against access logs. `tests/store/test_votes.py` pins the columns.
    """

    __tablename__ = "ballots"

    vote_id: Mapped[str] = mapped_column(
        ForeignKey("votes.id", ondelete="CASCADE"), primary_key=True
    )
    voter: Mapped[str] = mapped_column(String(64), primary_key=True)
    dots_json: Mapped[list[str]] = mapped_column(JSON)
