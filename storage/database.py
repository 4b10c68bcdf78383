"""The async engine and sessions. SQLite by default (WAL, foreign keys on), PostgreSQL with the same code."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

from storage.problems import sqlite_path

__all__ = ["Database"]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _create_private(path: str) -> None:
    """Create the SQLite file readable by its owner only, unless it exists. SQLite gives the -wal and -shm files
    it creates beside it the database file's permissions, so they are private too; a file that exists keeps the
    permissions its operator chose."""
    with suppress(OSError):
        # It exists, or it cannot be created (no such folder, no right to write there): SQLite's own open then
        # meets the same problem, and start-up names it (storage.problems).
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


class Database:
    """One database: an async engine and a session factory."""

    def __init__(self, url: str, echo: bool = False) -> None:
        self.url = url
        kwargs: dict[str, Any] = {"echo": echo}
        if url.startswith("postgresql"):
            kwargs.update(pool_pre_ping=True, pool_size=5, max_overflow=5)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            path = sqlite_path(url)
            if path is not None:
                _create_private(path)
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        # A session class of this database's own, so listeners on its sessions (``bot.outbox`` notes the entries
        # a transaction changed) don't hear other databases' sessions.
        self.session_class: type[Session] = type("DatabaseSession", (Session,), {})
        self.sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, sync_session_class=self.session_class
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on any error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def upgrade(self) -> None:
        """Apply pending migrations (the only way the schema changes)."""
        from storage.migrate import upgrade

        await upgrade(self.engine)

    async def close(self) -> None:
        await self.engine.dispose()
