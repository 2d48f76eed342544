"""Harvest: redaction undo spans, the theme board, takeaways, dot votes and ballots.

Revision ID: 0003
Revises: 0002
Created: 2026-11-25

Written from store/tables.py (NoteRedactionRow, BoardRow, TakeawayRow, VoteRow,
BallotRow) and checked with the autogenerate comparison in tests/store/test_migrations.py.
The ballots table has no participant, link or time column on purpose (tables.BallotRow).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def _session_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["session_id"],
        ["sessions.id"],
        name=op.f(f"fk_{table}_session_id_sessions"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "note_redactions",
        sa.Column("note_id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("spans_json", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["notes.id"],
            name=op.f("fk_note_redactions_note_id_notes"),
            ondelete="CASCADE",
        ),
        _session_fk("note_redactions"),
        sa.PrimaryKeyConstraint("note_id", name=op.f("pk_note_redactions")),
    )
    op.create_index(op.f("ix_note_redactions_session_id"), "note_redactions", ["session_id"])
    op.create_index(op.f("ix_note_redactions_created_at"), "note_redactions", ["created_at"])
    op.create_table(
        "theme_boards",
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("themes_json", sa.JSON(), nullable=False),
        sa.Column("edits_json", sa.JSON(), nullable=False),
        sa.Column("n_themes", sa.Integer(), nullable=True),
        sa.Column("notes_key", sa.String(length=64), nullable=False),
        sa.Column("shown", sa.Boolean(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        _session_fk("theme_boards"),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_theme_boards")),
    )
    op.create_table(
        "takeaways",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("theme_ids", sa.JSON(), nullable=False),
        sa.Column("note_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        _session_fk("takeaways"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_takeaways")),
    )
    op.create_index(op.f("ix_takeaways_session_id"), "takeaways", ["session_id"])
    op.create_table(
        "votes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("dots", sa.Integer(), nullable=False),
        sa.Column("per_theme", sa.Integer(), nullable=True),
        sa.Column("themes_json", sa.JSON(), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("opened_at", UTC_DATETIME, nullable=False),
        sa.Column("closed_at", UTC_DATETIME, nullable=True),
        _session_fk("votes"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_votes")),
    )
    op.create_index(op.f("ix_votes_session_id"), "votes", ["session_id"])
    op.create_table(
        "ballots",
        sa.Column("vote_id", sa.String(length=32), nullable=False),
        sa.Column("voter", sa.String(length=64), nullable=False),
        sa.Column("dots_json", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["vote_id"], ["votes.id"], name=op.f("fk_ballots_vote_id_votes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("vote_id", "voter", name=op.f("pk_ballots")),
    )


def downgrade() -> None:
    op.drop_table("ballots")
    op.drop_table("votes")
    op.drop_table("takeaways")
    op.drop_table("theme_boards")
    op.drop_table("note_redactions")
