"""icebreakers: the community's own questions and the questions asked

Revision ID: 0301
Revises: 0001
Create Date: 2026-11-22 00:52:28.934317
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0301"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "icebreaker_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("suggested_by", sa.Integer(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("decided_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("review_entries", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_icebreaker_questions_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["suggested_by"],
            ["members.id"],
            name=op.f("fk_icebreaker_questions_suggested_by_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_icebreaker_questions")),
    )
    with op.batch_alter_table("icebreaker_questions", schema=None) as batch_op:
        batch_op.create_index("ix_icebreaker_questions_queue", ["community_id", "status"], unique=False)

    op.create_table(
        "icebreakers_asked",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("question_key", sa.String(length=100), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("asked_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_icebreakers_asked_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["icebreaker_questions.id"],
            name=op.f("fk_icebreakers_asked_question_id_icebreaker_questions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_icebreakers_asked")),
        sa.UniqueConstraint(
            "community_id",
            "cycle",
            "question_key",
            name=op.f("uq_icebreakers_asked_community_id_cycle_question_key"),
        ),
    )
    with op.batch_alter_table("icebreakers_asked", schema=None) as batch_op:
        batch_op.create_index("ix_icebreakers_asked_latest", ["community_id", "asked_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("icebreakers_asked", schema=None) as batch_op:
        batch_op.drop_index("ix_icebreakers_asked_latest")
    op.drop_table("icebreakers_asked")
    with op.batch_alter_table("icebreaker_questions", schema=None) as batch_op:
        batch_op.drop_index("ix_icebreaker_questions_queue")
    op.drop_table("icebreaker_questions")
