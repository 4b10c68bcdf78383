"""Agora's storage: SQLAlchemy 2 models, async sessions, Alembic migrations. Knows nothing of bot or adapters."""

from __future__ import annotations

import storage.tables  # noqa: F401  (every feature's tables)
from storage.database import Database
from storage.models import Base

__all__ = ["Base", "Database"]
