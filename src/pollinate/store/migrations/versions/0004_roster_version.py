"""A roster version on each session, bumped by every roster change.

Revision ID: 0004
Revises: 0003
Created: 2026-11-25

The note path used to read every participant's name to tell whether the cached redactor
was still current (10 ms a note at 2,250 people, bench/live.py); one integer says the
same. Written from store/tables.py (SessionRow.roster_version) and checked with the
autogenerate comparison in tests/store/test_migrations.py.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as table:
        table.add_column(
            sa.Column("roster_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("sessions") as table:
        table.drop_column("roster_version")
