"""rounds: a member's pause for a month, or as quiet (no answer to "Did you meet?" twice, then to the question)

Revision ID: 0908
Revises: 0907
Create Date: 2026-12-03 16:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0908"
down_revision: str | None = "0907"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("round_participants") as batch:
        batch.add_column(sa.Column("paused_until", storage.types.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("paused_quiet", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("quiet_asked_at", storage.types.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("quiet_entry_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("round_participants") as batch:
        batch.drop_column("quiet_entry_id")
        batch.drop_column("quiet_asked_at")
        batch.drop_column("paused_quiet")
        batch.drop_column("paused_until")
