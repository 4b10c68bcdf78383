"""rounds: participants, private exclusions, rounds, their groups and whether they met

Revision ID: 0401
Revises: 0001
Create Date: 2026-11-22 01:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0401"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("started_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("group_size", sa.Integer(), nullable=False),
        sa.Column("started_by", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("left_out", sa.JSON(), nullable=False),
        sa.Column("follow_up_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_rounds_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rounds")),
        sa.UniqueConstraint("community_id", "number", name=op.f("uq_rounds_community_id_number")),
    )
    op.create_table(
        "round_exclusions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("excluded_id", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_round_exclusions_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["excluded_id"],
            ["members.id"],
            name=op.f("fk_round_exclusions_excluded_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_round_exclusions_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_exclusions")),
        sa.UniqueConstraint(
            "member_id", "excluded_id", name=op.f("uq_round_exclusions_member_id_excluded_id")
        ),
    )
    with op.batch_alter_table("round_exclusions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_round_exclusions_community_id"), ["community_id"], unique=False)

    op.create_table(
        "round_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("starter", sa.String(length=64), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_round_groups_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_round_groups_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_groups")),
        sa.UniqueConstraint("round_id", "position", name=op.f("uq_round_groups_round_id_position")),
    )
    with op.batch_alter_table("round_groups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_round_groups_community_id"), ["community_id"], unique=False)

    op.create_table(
        "round_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("snooze_rounds", sa.Integer(), nullable=False),
        sa.Column("joined_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_round_participants_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_round_participants_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_participants")),
        sa.UniqueConstraint("member_id", name=op.f("uq_round_participants_member_id")),
    )
    with op.batch_alter_table("round_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_round_participants_community_id"), ["community_id"], unique=False
        )

    op.create_table(
        "round_group_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=True),
        sa.Column("answered_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_round_group_members_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["round_groups.id"],
            name=op.f("fk_round_group_members_group_id_round_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_round_group_members_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rounds.id"],
            name=op.f("fk_round_group_members_round_id_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_group_members")),
        sa.UniqueConstraint("round_id", "member_id", name=op.f("uq_round_group_members_round_id_member_id")),
    )
    with op.batch_alter_table("round_group_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_round_group_members_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index("ix_round_group_members_group_id", ["group_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("round_group_members", schema=None) as batch_op:
        batch_op.drop_index("ix_round_group_members_group_id")
        batch_op.drop_index(batch_op.f("ix_round_group_members_community_id"))

    op.drop_table("round_group_members")
    with op.batch_alter_table("round_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_participants_community_id"))

    op.drop_table("round_participants")
    with op.batch_alter_table("round_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_groups_community_id"))

    op.drop_table("round_groups")
    with op.batch_alter_table("round_exclusions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_exclusions_community_id"))

    op.drop_table("round_exclusions")
    op.drop_table("rounds")
