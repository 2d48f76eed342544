"""Walk-in check-in: a join code per session, and recent attempts for the rate limit.

Revision ID: 0002
Revises: 0001
Created: 2026-11-25

Written from store/tables.py (JoinCodeRow, JoinAttemptRow) and checked with the
autogenerate comparison in tests/store/test_migrations.py.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "join_codes",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_join_codes_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_join_codes")),
        sa.UniqueConstraint("session_id", name=op.f("uq_join_codes_session_id")),
    )
    op.create_table(
        "join_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_join_attempts")),
    )
    op.create_index(op.f("ix_join_attempts_client"), "join_attempts", ["client"])
    op.create_index(op.f("ix_join_attempts_session_id"), "join_attempts", ["session_id"])
    op.create_index(op.f("ix_join_attempts_created_at"), "join_attempts", ["created_at"])


def downgrade() -> None:
    op.drop_table("join_attempts")
    op.drop_table("join_codes")
