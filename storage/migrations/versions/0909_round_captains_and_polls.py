"""rounds: a captain per group, and the group's own date poll (Find a time)

Revision ID: 0909
Revises: 0908
Create Date: 2026-12-03 16:25:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0909"
down_revision: str | None = "0908"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _community(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["community_id"],
        ["communities.id"],
        name=op.f(f"fk_{table}_community_id_communities"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    with op.batch_alter_table("round_groups") as batch:
        batch.add_column(sa.Column("captain_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_round_groups_captain_id_members"), "members", ["captain_id"], ["id"], ondelete="SET NULL"
        )
    op.create_table(
        "round_polls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closes_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("chosen_option_id", sa.Integer(), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        _community("round_polls"),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["round_groups.id"],
            name=op.f("fk_round_polls_group_id_round_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_polls")),
    )
    op.create_index(op.f("ix_round_polls_community_id"), "round_polls", ["community_id"], unique=False)
    op.create_index(op.f("ix_round_polls_group_id"), "round_polls", ["group_id"], unique=False)
    op.create_table(
        "round_poll_options",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("starts_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        _community("round_poll_options"),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["round_polls.id"],
            name=op.f("fk_round_poll_options_poll_id_round_polls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_poll_options")),
        sa.UniqueConstraint("poll_id", "position", name=op.f("uq_round_poll_options_poll_id_position")),
    )
    op.create_table(
        "round_poll_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(length=8), nullable=False),
        sa.Column("answered_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        _community("round_poll_answers"),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["round_polls.id"],
            name=op.f("fk_round_poll_answers_poll_id_round_polls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["option_id"],
            ["round_poll_options.id"],
            name=op.f("fk_round_poll_answers_option_id_round_poll_options"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_round_poll_answers_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_poll_answers")),
        sa.UniqueConstraint("option_id", "member_id", name=op.f("uq_round_poll_answers_option_id_member_id")),
    )
    op.create_index("ix_round_poll_answers_poll_id", "round_poll_answers", ["poll_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_round_poll_answers_poll_id", table_name="round_poll_answers")
    op.drop_table("round_poll_answers")
    op.drop_table("round_poll_options")
    op.drop_index(op.f("ix_round_polls_group_id"), table_name="round_polls")
    op.drop_index(op.f("ix_round_polls_community_id"), table_name="round_polls")
    op.drop_table("round_polls")
    with op.batch_alter_table("round_groups") as batch:
        batch.drop_constraint(op.f("fk_round_groups_captain_id_members"), type_="foreignkey")
        batch.drop_column("captain_id")
