"""The agenda as run outlives the outbox: a row per block start and per finish.

Revision ID: 0006
Revises: 0005
Created: 2026-11-26

The report read these moments from the outbox, which upkeep prunes after a day, so a
report written the day after showed every block "not run". Written from
store/tables.py (AgendaMomentRow) and checked with the autogenerate comparison in
tests/store/test_migrations.py. The moments still in the outbox are copied over; both
events are logged at the moment they describe, so the event's time is the moment's.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The block starts still in the outbox, by dialect (JSON is read differently).
COPY_STARTS = {
    "postgresql": (
        "INSERT INTO agenda_moments (session_id, seq, block_index, at) "
        "SELECT session_id, seq, CAST(payload_json->>'block_index' AS INTEGER), created_at "
        "FROM outbox WHERE type = 'block.started'"
    ),
    "sqlite": (
        "INSERT INTO agenda_moments (session_id, seq, block_index, at) "
        "SELECT session_id, seq, CAST(json_extract(payload_json, '$.block_index') AS INTEGER), "
        "created_at FROM outbox WHERE type = 'block.started'"
    ),
}
COPY_FINISHES = (
    "INSERT INTO agenda_moments (session_id, seq, block_index, at) "
    "SELECT session_id, seq, NULL, created_at FROM outbox WHERE type = 'session.finished'"
)


def upgrade() -> None:
    op.create_table(
        "agenda_moments",
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("block_index", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_agenda_moments_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "seq", name=op.f("pk_agenda_moments")),
    )
    op.execute(COPY_STARTS[op.get_bind().dialect.name])
    op.execute(COPY_FINISHES)


def downgrade() -> None:
    op.drop_table("agenda_moments")
