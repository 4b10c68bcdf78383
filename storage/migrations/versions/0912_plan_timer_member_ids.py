"""rounds: the planning timer names the animator who started a round by their members.id, not their platform id

A ``rounds:plan`` timer's ref was "<number>:<the animator's platform id>" (or "<number>:schedule"), and the timer
row stays after the round is out: an animator who erased their data left their platform id there. It is now
"<number>:<their members.id>", whose row an erasure empties. A platform id no member has any more (an erased
animator's) becomes "<number>:0": a member nobody is, so nobody is told.

Revision ID: 0912
Revises: 0911
Create Date: 2026-12-03 19:05:00

"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0912"
down_revision: str | None = "0911"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PLAN = "rounds:plan"
SCHEDULE = "schedule"
NOBODY = "0"
ERASED_PREFIX = "erased:"

timers = sa.table(
    "timers",
    sa.column("id", sa.Integer),
    sa.column("community_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("ref", sa.String),
)
members = sa.table(
    "members",
    sa.column("id", sa.Integer),
    sa.column("community_id", sa.Integer),
    sa.column("external_id", sa.String),
)


def _rewrite(starter_of: Callable[[int, str], str | None], default: str) -> None:
    """Rewrite each planning timer's starter by ``starter_of(community_id, starter)`` (``default`` when None)."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(timers.c.id, timers.c.community_id, timers.c.ref).where(timers.c.kind == PLAN)
    )
    for timer_id, community_id, ref in rows.all():
        number, _sep, starter = ref.partition(":")
        if starter == SCHEDULE:
            continue
        new = f"{number}:{starter_of(community_id, starter) or default}"
        bind.execute(sa.update(timers).where(timers.c.id == timer_id).values(ref=new))


def _member_id(community_id: int, external_id: str) -> str | None:
    found = op.get_bind().scalar(
        sa.select(members.c.id).where(
            members.c.community_id == community_id, members.c.external_id == external_id
        )
    )
    return None if found is None else str(found)


def _external_id(community_id: int, member_id: str) -> str | None:
    if not member_id.isdigit():
        return None
    found = op.get_bind().scalar(
        sa.select(members.c.external_id).where(
            members.c.community_id == community_id, members.c.id == int(member_id)
        )
    )
    # An erased animator (or nobody) becomes the schedule: nobody to tell either way.
    return None if found is None or found.startswith(ERASED_PREFIX) else str(found)


def upgrade() -> None:
    _rewrite(_member_id, NOBODY)


def downgrade() -> None:
    _rewrite(_external_id, SCHEDULE)
