"""icebreakers: members' reactions to an asked question, which count as answers

Revision ID: 0901
Revises: 0900
Create Date: 2026-12-03 09:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0901"
down_revision: str | None = "0900"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "icebreaker_reactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("asked_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("emoji", sa.String(length=64), nullable=False),
        sa.Column("reacted_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_icebreaker_reactions_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["asked_id"],
            ["icebreakers_asked.id"],
            name=op.f("fk_icebreaker_reactions_asked_id_icebreakers_asked"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_icebreaker_reactions_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_icebreaker_reactions")),
        sa.UniqueConstraint(
            "asked_id", "member_id", "emoji", name=op.f("uq_icebreaker_reactions_asked_id_member_id_emoji")
        ),
    )


def downgrade() -> None:
    op.drop_table("icebreaker_reactions")
