"""each member's language (chosen, and as their platform says) and their platform's time zone

Revision ID: 0905
Revises: 0904
Create Date: 2026-12-03 15:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0905"
down_revision: str | None = "0904"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("locale_chosen", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("locale_seen", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("timezone_seen", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.drop_column("timezone_seen")
        batch.drop_column("locale_seen")
        batch.drop_column("locale_chosen")
