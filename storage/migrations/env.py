"""Alembic environment: runs on the connection Agora hands it, or opens one from the configured URL."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

import storage.tables  # noqa: F401  (every feature's tables join Base.metadata)
from storage.migrate import one_transaction
from storage.models import Base

target_metadata = Base.metadata


def _run(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_atomically(connection: Any) -> None:
    with one_transaction(connection):
        _run(connection)


async def _run_from_url(url: str) -> None:
    """The ``alembic`` command line, as developers run it: atomic too (``storage.migrate.one_transaction``)."""
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        await conn.run_sync(_run_atomically)
    await engine.dispose()


def run_migrations_offline() -> None:
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    given = context.config.attributes.get("connection")
    if given is not None:
        _run(given)
    else:
        asyncio.run(_run_from_url(context.config.get_main_option("sqlalchemy.url") or ""))
