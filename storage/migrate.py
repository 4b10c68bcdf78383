"""Running Alembic from inside Agora: ``agora db upgrade``/``downgrade``, and ``agora run``/``agora demo`` at start.

Alembic is driven programmatically on a connection of our own async engine, so it works from a running event
loop and with SQLite or PostgreSQL alike. A whole upgrade (or downgrade) is one transaction, also on SQLite: a
process killed half-way leaves the schema as it was, never tables without their ``alembic_version``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import Base
from storage.problems import DatabaseProblem, where

__all__ = [
    "alembic_config",
    "current_revisions",
    "downgrade",
    "head_revisions",
    "one_transaction",
    "upgrade",
]

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> AlembicConfig:
    """An Alembic config pointing at Agora's migrations (no alembic.ini needed)."""
    cfg = AlembicConfig(str(MIGRATIONS / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revisions() -> set[str]:
    """The head revisions: a single one since the features' branches were merged (the history is linear:
    ``storage/migrations/README.md``)."""
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


async def upgrade(engine: AsyncEngine, revision: str = "heads") -> None:
    """Bring the schema up to ``revision`` (the head by default) in one transaction.

    Raises :class:`DatabaseProblem` for a database this version cannot migrate: one written by a newer Agora,
    or one an interrupted upgrade of an older Agora left with tables and no recorded version."""
    await _run(engine, command.upgrade, revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Take the schema back down to ``revision`` (``"base"``: no table at all) in one transaction. The data in
    the tables and columns it drops is lost."""
    await _run(engine, command.downgrade, revision)


async def _run(
    engine: AsyncEngine, alembic_command: Callable[[AlembicConfig, str], None], revision: str
) -> None:
    async with engine.connect() as conn:
        await conn.run_sync(_in_one_transaction, alembic_command, revision)


def _in_one_transaction(
    connection: Any, alembic_command: Callable[[AlembicConfig, str], None], revision: str
) -> None:
    with one_transaction(connection):
        _check_migratable(connection)
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        try:
            alembic_command(cfg, revision)
        except CommandError as exc:  # no such revision, or not one to go down (or up) to from here
            raise DatabaseProblem(f"cannot take {where(connection.engine.url)} to {revision}: {exc}") from exc
        # A write that changes nothing: a database that refuses writes (a read-only file, a standby server) is
        # found at start, not at the first member's action.
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = version_num")


@contextmanager
def one_transaction(connection: Any) -> Iterator[None]:
    """Everything done on ``connection`` (a sync SQLAlchemy connection, not in a transaction yet) inside the block
    is one transaction, committed when the block ends, rolled back on any error: also DDL on SQLite.

    One transaction for a whole upgrade rather than one per migration: a second process starting on the same
    file waits for the first to finish, then finds the work done, instead of replaying the migrations the first
    applied meanwhile."""
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # The sqlite3 module's legacy transaction handling opens a transaction only before INSERT, UPDATE and
        # DELETE: each CREATE TABLE would be committed on its own. SQLite itself makes DDL transactional, so the
        # driver stands aside and the transaction is ours; IMMEDIATE so that two processes starting on the same
        # file migrate one after the other.
        driver = connection.connection.dbapi_connection
        legacy = driver.isolation_level
        driver.isolation_level = None
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.begin()
    try:
        yield
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    finally:
        if sqlite:
            driver.isolation_level = legacy


def _check_migratable(connection: Any) -> None:
    """Refuse, with what to do, the databases Alembic would fail on with a long traceback."""
    current = set(MigrationContext.configure(connection).get_current_heads())
    script = ScriptDirectory.from_config(alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    place = where(connection.engine.url)
    if current - known:
        raise DatabaseProblem(
            f"{place} was last migrated by a newer version of Agora (schema revision "
            f"{', '.join(sorted(current - known))}; this version knows up to {', '.join(sorted(head_revisions()))}): "
            "run that newer version, or restore a backup made before it upgraded this database"
        )
    if not current and set(inspect(connection).get_table_names()) & set(Base.metadata.tables):
        raise DatabaseProblem(
            f"{place} holds Agora's tables but no record of their schema version: an upgrade by an older "
            "version of Agora was interrupted half-way. Restore the backup made before that upgrade, or, if "
            "the database held no data yet, delete it (with its -wal and -shm files) and start again"
        )


async def current_revisions(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_heads()))
