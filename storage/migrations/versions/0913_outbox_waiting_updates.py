"""outbox: one waiting update per post (``replaces``, a partial unique index) and its ``revision``

A newer state of a post is written into the update still waiting for it, in one statement, instead of a read of
the waiting updates, their superseding, and an insert.

Revision ID: 0913
Revises: 0912
Create Date: 2026-12-03 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0913"
down_revision: str | None = "0912"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WAITING = sa.text("status = 'pending'")


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("replaces", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("revision", sa.Integer(), server_default="0", nullable=False))
    # The updates waiting now name their post; only the newest of one post's waits (``replace_post`` superseded
    # the older ones already, this keeps the index's promise whatever the data).
    outbox = sa.table(
        "outbox",
        sa.column("id", sa.Integer()),
        sa.column("op", sa.String()),
        sa.column("status", sa.String()),
        sa.column("payload", sa.JSON()),
        sa.column("replaces", sa.Integer()),
    )
    connection = op.get_bind()
    waiting = connection.execute(
        sa.select(outbox.c.id, outbox.c.payload)
        .where(outbox.c.op == "update", outbox.c.status == "pending")
        .order_by(outbox.c.id.desc())
    ).all()
    seen: set[int] = set()
    for row_id, payload in waiting:
        post = (payload or {}).get("entry")
        if not isinstance(post, int):
            continue
        if post in seen:
            connection.execute(sa.update(outbox).where(outbox.c.id == row_id).values(status="superseded"))
            continue
        seen.add(post)
        connection.execute(sa.update(outbox).where(outbox.c.id == row_id).values(replaces=post))
    op.create_index(
        "uq_outbox_waiting_update",
        "outbox",
        ["replaces"],
        unique=True,
        sqlite_where=WAITING,
        postgresql_where=WAITING,
    )


def downgrade() -> None:
    op.drop_index("uq_outbox_waiting_update", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("revision")
        batch.drop_column("replaces")
