"""One worker at a time re-clusters a session's board: a lease row per session.

Revision ID: 0005
Revises: 0004
Created: 2026-11-25

With several workers each re-clustered the whole board for the notes it took, all at
once (bench/live.py, two workers on PostgreSQL). Written from store/tables.py
(ClusteringLeaseRow) and checked with the autogenerate comparison in
tests/store/test_migrations.py.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "clustering_leases",
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.String(length=32), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_clustering_leases_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_clustering_leases")),
    )


def downgrade() -> None:
    op.drop_table("clustering_leases")
