"""onboarding: newcomers' path and member profiles (introductions, directory)

Revision ID: 0201
Revises: 0001
Create Date: 2026-11-22 01:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0201"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "member_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("interests", sa.JSON(), nullable=False),
        sa.Column("offers", sa.Text(), nullable=False),
        sa.Column("needs", sa.Text(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("sort_name", sa.String(length=200), nullable=False),
        sa.Column("suggestions", sa.JSON(), nullable=False),
        sa.Column("match_keys", sa.JSON(), nullable=False),
        sa.Column("post_entry_id", sa.Integer(), nullable=True),
        sa.Column("introduced_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_member_profiles_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_member_profiles_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_profiles")),
        sa.UniqueConstraint("member_id", name=op.f("uq_member_profiles_member_id")),
    )
    with op.batch_alter_table("member_profiles", schema=None) as batch_op:
        batch_op.create_index(
            "ix_member_profiles_listing", ["community_id", "hidden", "sort_name"], unique=False
        )

    op.create_table(
        "newcomers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("invited_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("declined_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("nudged_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("invitation_entry_id", sa.Integer(), nullable=True),
        sa.Column("nudge_entry_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_newcomers_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_newcomers_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_newcomers")),
        sa.UniqueConstraint("member_id", name=op.f("uq_newcomers_member_id")),
    )
    with op.batch_alter_table("newcomers", schema=None) as batch_op:
        batch_op.create_index("ix_newcomers_joined", ["community_id", "joined_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("newcomers", schema=None) as batch_op:
        batch_op.drop_index("ix_newcomers_joined")
    op.drop_table("newcomers")
    with op.batch_alter_table("member_profiles", schema=None) as batch_op:
        batch_op.drop_index("ix_member_profiles_listing")
    op.drop_table("member_profiles")
