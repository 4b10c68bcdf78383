"""the features' tables together: one head again

Each feature grew its tables on its own branch from the foundation; this merge makes them one history again,
so the next migration has a single parent.

Revision ID: 0900
Revises: 0101, 0201, 0301, 0401, 0501, 0601
Create Date: 2026-11-22 01:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0900"
down_revision: str | Sequence[str] | None = ("0101", "0201", "0301", "0401", "0501", "0601")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
