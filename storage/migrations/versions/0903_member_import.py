"""members: the platform's member list imported (existing members, the import time) and the campaign that
invites existing members to accept the charter

Revision ID: 0903
Revises: 0902
Create Date: 2026-12-03 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0903"
down_revision: str | None = "0902"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("members_imported_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("existing_at", storage.types.UTCDateTime(timezone=True), nullable=True))
    op.create_table(
        "charter_campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("started_by", sa.String(length=64), nullable=False),
        sa.Column("started_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("batch", sa.Integer(), nullable=False),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        sa.Column("grace_ends_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("invited", sa.Integer(), nullable=False),
        sa.Column("finished_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_charter_campaigns_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charter_campaigns")),
    )
    with op.batch_alter_table("charter_campaigns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_charter_campaigns_community_id"), ["community_id"], unique=False)
    with op.batch_alter_table("charter_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("campaign_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_charter_requests_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_charter_requests_campaign_id_charter_campaigns"),
            "charter_campaigns",
            ["campaign_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("charter_requests", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_charter_requests_campaign_id_charter_campaigns"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_charter_requests_campaign_id"))
        batch_op.drop_column("campaign_id")
    with op.batch_alter_table("charter_campaigns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_charter_campaigns_community_id"))
    op.drop_table("charter_campaigns")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("existing_at")
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.drop_column("members_imported_at")
