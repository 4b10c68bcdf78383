"""outbox: where an entry comes from (the feature's row, the animator who acted) and why it failed for good

Revision ID: 0902
Revises: 0901
Create Date: 2026-12-03 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0902"
down_revision: str | None = "0901"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("origin", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("origin_ref", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("actor_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("problem", sa.String(length=128), nullable=True))
        batch.create_index("ix_outbox_done", ["status", "done_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_done")
        batch.drop_column("problem")
        batch.drop_column("actor_id")
        batch.drop_column("origin_ref")
        batch.drop_column("origin")
