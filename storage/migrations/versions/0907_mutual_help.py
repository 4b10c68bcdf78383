"""mutual help: asks, offers, helper preferences

Revision ID: 0907
Revises: 0906
Create Date: 2026-12-03 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0907"
down_revision: str | None = "0906"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "help_asks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("asker_id", sa.Integer(), nullable=False),
        sa.Column("need", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("by_when", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("discreet", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("helped_by", sa.Integer(), nullable=True),
        sa.Column("thanks", sa.Text(), nullable=False),
        sa.Column("post_entry_id", sa.Integer(), nullable=True),
        sa.Column("thanks_entry_id", sa.Integer(), nullable=True),
        sa.Column("quiet_told_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("followed_up_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("animators_asked_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["asker_id"], ["members.id"], name=op.f("fk_help_asks_asker_id_members"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_help_asks_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["helped_by"], ["members.id"], name=op.f("fk_help_asks_helped_by_members"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_help_asks")),
    )
    with op.batch_alter_table("help_asks", schema=None) as batch_op:
        batch_op.create_index("ix_help_asks_listing", ["community_id", "status", "created_at"], unique=False)

    op.create_table(
        "help_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("unnamed", sa.Boolean(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_help_preferences_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_help_preferences_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_help_preferences")),
        sa.UniqueConstraint("member_id", name=op.f("uq_help_preferences_member_id")),
    )
    op.create_table(
        "help_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("ask_id", sa.Integer(), nullable=False),
        sa.Column("helper_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("referred_by", sa.Integer(), nullable=True),
        sa.Column("asked_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("dm_entry_id", sa.Integer(), nullable=True),
        sa.Column("group_entry_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ask_id"], ["help_asks.id"], name=op.f("fk_help_offers_ask_id_help_asks"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_help_offers_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["helper_id"], ["members.id"], name=op.f("fk_help_offers_helper_id_members"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["referred_by"],
            ["members.id"],
            name=op.f("fk_help_offers_referred_by_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_help_offers")),
        sa.UniqueConstraint("ask_id", "helper_id", name=op.f("uq_help_offers_ask_id_helper_id")),
    )
    with op.batch_alter_table("help_offers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_help_offers_helper", ["community_id", "helper_id", "asked_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("help_offers", schema=None) as batch_op:
        batch_op.drop_index("ix_help_offers_helper")

    op.drop_table("help_offers")
    op.drop_table("help_preferences")
    with op.batch_alter_table("help_asks", schema=None) as batch_op:
        batch_op.drop_index("ix_help_asks_listing")

    op.drop_table("help_asks")
