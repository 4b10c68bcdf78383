"""each community's calendar feed token (the dashboard's .ics address)

Revision ID: 0911
Revises: 0910
Create Date: 2026-12-03 17:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0911"
down_revision: str | None = "0910"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_calendar_feeds_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("community_id", name=op.f("uq_calendar_feeds_community_id")),
        sa.UniqueConstraint("token", name=op.f("uq_calendar_feeds_token")),
    )


def downgrade() -> None:
    op.drop_table("calendar_feeds")
