"""charter governance: acceptance requests, re-acceptance rounds, amendments and their votes

Revision ID: 0101
Revises: 0001
Create Date: 2026-11-22 01:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0101"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _community_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["community_id"],
        ["communities.id"],
        name=op.f(f"fk_{table}_community_id_communities"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "charter_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("charter_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("asked_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reminded_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("snoozed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("gated_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("restored_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["charter_id"],
            ["charters.id"],
            name=op.f("fk_charter_requests_charter_id_charters"),
            ondelete="CASCADE",
        ),
        _community_fk("charter_requests"),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_charter_requests_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charter_requests")),
        sa.UniqueConstraint("member_id", "charter_id", name=op.f("uq_charter_requests_member_id_charter_id")),
    )
    with op.batch_alter_table("charter_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_charter_requests_charter_id"), ["charter_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_charter_requests_community_id"), ["community_id"], unique=False)

    op.create_table(
        "charter_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("charter_id", sa.Integer(), nullable=False),
        sa.Column("started_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("remind_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("grace_ends_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("asked", sa.Integer(), nullable=False),
        sa.Column("reminded_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["charter_id"],
            ["charters.id"],
            name=op.f("fk_charter_rounds_charter_id_charters"),
            ondelete="CASCADE",
        ),
        _community_fk("charter_rounds"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charter_rounds")),
        sa.UniqueConstraint("charter_id", name=op.f("uq_charter_rounds_charter_id")),
    )
    with op.batch_alter_table("charter_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_charter_rounds_community_id"), ["community_id"], unique=False)

    op.create_table(
        "charter_amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("proposer_id", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("base_charter_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("quorum", sa.Float(), nullable=False),
        sa.Column("majority", sa.Float(), nullable=False),
        sa.Column("electorate", sa.Integer(), nullable=False),
        sa.Column("voters", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closes_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("post_entry_id", sa.Integer(), nullable=True),
        sa.Column("adopted_charter_id", sa.Integer(), nullable=True),
        sa.Column("votes_for", sa.Integer(), nullable=False),
        sa.Column("votes_against", sa.Integer(), nullable=False),
        sa.Column("votes_abstain", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["adopted_charter_id"],
            ["charters.id"],
            name=op.f("fk_charter_amendments_adopted_charter_id_charters"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["base_charter_id"],
            ["charters.id"],
            name=op.f("fk_charter_amendments_base_charter_id_charters"),
            ondelete="CASCADE",
        ),
        _community_fk("charter_amendments"),
        sa.ForeignKeyConstraint(
            ["proposer_id"],
            ["members.id"],
            name=op.f("fk_charter_amendments_proposer_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charter_amendments")),
        sa.UniqueConstraint("community_id", "number", name=op.f("uq_charter_amendments_community_id_number")),
    )
    with op.batch_alter_table("charter_amendments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_charter_amendments_community_id"), ["community_id"], unique=False
        )

    op.create_table(
        "charter_amendment_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("amendment_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(length=8), nullable=False),
        sa.Column("voted_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["amendment_id"],
            ["charter_amendments.id"],
            name=op.f("fk_charter_amendment_votes_amendment_id_charter_amendments"),
            ondelete="CASCADE",
        ),
        _community_fk("charter_amendment_votes"),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_charter_amendment_votes_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charter_amendment_votes")),
        sa.UniqueConstraint(
            "amendment_id", "member_id", name=op.f("uq_charter_amendment_votes_amendment_id_member_id")
        ),
    )
    with op.batch_alter_table("charter_amendment_votes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_charter_amendment_votes_community_id"), ["community_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("charter_amendment_votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_charter_amendment_votes_community_id"))
    op.drop_table("charter_amendment_votes")
    with op.batch_alter_table("charter_amendments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_charter_amendments_community_id"))
    op.drop_table("charter_amendments")
    with op.batch_alter_table("charter_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_charter_rounds_community_id"))
    op.drop_table("charter_rounds")
    with op.batch_alter_table("charter_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_charter_requests_community_id"))
        batch_op.drop_index(batch_op.f("ix_charter_requests_charter_id"))
    op.drop_table("charter_requests")
