"""Fixtures: the console harness ``h`` on a real database, and the database URLs the suite runs on.

Every test that takes ``db_url`` (the console harness, the Discord and Slack end-to-end beds) runs on SQLite and,
when ``AGORA_TEST_DATABASE_URL`` points at a PostgreSQL server, on PostgreSQL too: ``test_x[sqlite]`` and
``test_x[postgresql]``. Each test starts on an empty database at the head revision: a copy of a SQLite file
migrated once per session, or a PostgreSQL database migrated once per session and emptied before each test.
The PostgreSQL half carries the ``postgresql`` marker: ``-m postgresql`` or ``-m "not postgresql"`` picks one.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.console import ConsoleCommunity
from bot.features.rounds import handlers_rounds
from bot.features.rounds.grouping import plan_round_off_loop
from bot.features.rounds.grouping.worker import shutdown
from storage.database import Database
from storage.migrate import upgrade
from tests.support import Watched, make_config, onboarding_harness


def postgres_url() -> str | None:
    return os.environ.get("AGORA_TEST_DATABASE_URL")


DATABASES = [
    "sqlite",
    *([pytest.param("postgresql", marks=pytest.mark.postgresql)] if postgres_url() else []),
]


async def _migrate(url: str) -> None:
    database = Database(url)
    try:
        await upgrade(database.engine)
    finally:
        await database.close()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to the head once per test session, by the migrations ``agora run`` applies; each
    test's ``db_url`` starts from a copy of it, and the start-up migration finds nothing left to do."""
    path = tmp_path_factory.mktemp("migrated") / "agora.db"
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
    # One self-contained file to copy: no write-ahead log beside it (each copy turns WAL on again when opened).
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")
    connection.close()
    return path


class PostgresDatabase:
    """The PostgreSQL database of this test session, on the server ``AGORA_TEST_DATABASE_URL`` names: created and
    migrated once, then emptied before each test (every table but Alembic's, every sequence restarted) rather
    than made anew: creating and dropping a database costs over a second a test here, emptying it a few
    milliseconds. Its name carries the process id, so two sessions on the same server (CI's passes, two people)
    never touch each other's data. Commits don't wait for the disk (``synchronous_commit=off``): a test
    database needs no durability across a power cut, and the suite runs several times faster."""

    def __init__(self, url: str) -> None:
        base = make_url(url)
        self.admin_url = base
        self.name = f"{base.database}_t{os.getpid()}"
        self.url = base.set(database=self.name).render_as_string(hide_password=False)

    async def _admin(self, *statements: str) -> None:
        # CREATE/DROP DATABASE cannot run inside a transaction block.
        engine = create_async_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                for statement in statements:
                    await conn.execute(text(statement))
        finally:
            await engine.dispose()

    async def create(self) -> None:
        await self._admin(
            f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)',
            f'CREATE DATABASE "{self.name}"',
            f'ALTER DATABASE "{self.name}" SET synchronous_commit = off',
        )
        await _migrate(self.url)

    async def empty(self) -> None:
        """Every table emptied and every sequence restarted, in one round trip; the schema and its Alembic
        revision stay. Tables and sequences are read from the database, so a new migration's are included."""
        engine = create_async_engine(self.url)
        try:
            async with engine.connect() as conn:
                tables = await conn.scalars(
                    text(
                        "SELECT quote_ident(tablename) FROM pg_tables "
                        "WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                    )
                )
                deletes = "".join(f"DELETE FROM public.{table}; " for table in tables)
                raw = await conn.get_raw_connection()
                # Foreign keys are not checked while emptying (any order will do), as in a restore; setval
                # restarts a sequence in place (ALTER SEQUENCE … RESTART writes a new file for each).
                await raw.driver_connection.execute(  # type: ignore[union-attr]
                    "BEGIN; SET LOCAL session_replication_role = replica; "
                    f"{deletes}"
                    "SELECT setval(c.oid, 1, false) FROM pg_class c "
                    "WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace; COMMIT"
                )
        finally:
            await engine.dispose()

    async def drop(self) -> None:
        await self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[PostgresDatabase]:
    url = postgres_url()
    if not url:
        pytest.skip("PostgreSQL not configured: set AGORA_TEST_DATABASE_URL")
    database = PostgresDatabase(url)
    asyncio.run(database.create())
    yield database
    asyncio.run(database.drop())


@pytest.fixture(params=DATABASES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of this test's own, already at the head revision: a copy of the session's migrated SQLite
    file, or (``[postgresql]``) the session's PostgreSQL database, emptied."""
    if request.param == "sqlite":
        path = tmp_path / "agora.db"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    database: PostgresDatabase = request.getfixturevalue("postgres_database")
    asyncio.run(database.empty())
    yield database.url


def is_postgresql(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


@pytest.fixture
def transcript() -> list[str]:
    return []


@pytest.fixture
def make_harness(db_url: str, transcript: list[str]) -> Callable[..., ConsoleCommunity]:
    def make(locale: str = "en", **community: object) -> ConsoleCommunity:
        config = make_config(locale, db_url, **community)
        return ConsoleCommunity(config, animators={"camille"}, out=transcript.append)

    return make


@pytest.fixture
async def h(make_harness: Callable[..., ConsoleCommunity]) -> AsyncIterator[ConsoleCommunity]:
    """An English console community, started on a fresh database of its own; camille animates it."""
    community = make_harness("en")
    await community.start()
    yield community
    await community.stop()


@pytest.fixture
async def o(make_harness: Callable[..., ConsoleCommunity]) -> AsyncIterator[ConsoleCommunity]:
    """An English community with the onboarding channels (introductions among them); camille animates it (and
    gets the digest)."""
    community = onboarding_harness(make_harness)
    await community.start()
    yield community
    await community.stop()


@pytest.fixture
async def watched(monkeypatch: pytest.MonkeyPatch) -> Watched:
    """The rounds' planner, watched (``tests.support.Watched``), in a fresh worker process already up."""
    shutdown()  # a fresh worker: nothing another test left in its caches
    # The worker process is up (spawning it is not the point).
    await plan_round_off_loop([str(i) for i in range(6)])
    planner = Watched()
    monkeypatch.setattr(handlers_rounds, "plan_round_off_loop", planner)
    # "/agora round start" waits a moment for the plan before saying "planning…": shorter than the plan here.
    monkeypatch.setattr(handlers_rounds, "ANSWER_WAIT", 0.5)
    return planner


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The PostgreSQL half of every test that runs on both databases carries the ``postgresql`` marker, whichever
    fixture made it so (``db_url`` here, or a module's own ``url``/``engine`` fixture with a "postgresql" param),
    so that ``-m postgresql`` and ``-m "not postgresql"`` split the suite into its two halves."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "postgresql" in callspec.params.values():
            item.add_marker(pytest.mark.postgresql)
