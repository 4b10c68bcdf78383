"""Fixtures: the console harness ``h`` on a real SQLite file, and the database URLs the storage suite runs on."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from adapters.console import ConsoleCommunity
from storage.database import Database
from storage.migrate import upgrade
from tests.support import make_config


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to the head once per test session, by the migrations ``agora run`` applies; each
    test's ``db_url`` starts from a copy of it, and the start-up migration finds nothing left to do."""
    path = tmp_path_factory.mktemp("migrated") / "agora.db"

    async def migrate() -> None:
        database = Database(f"sqlite+aiosqlite:///{path}")
        try:
            await upgrade(database.engine)
        finally:
            await database.close()

    asyncio.run(migrate())
    # One self-contained file to copy: no write-ahead log beside it (each copy turns WAL on again when opened).
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")
    connection.close()
    return path


@pytest.fixture
def db_url(tmp_path: Path, migrated_sqlite: Path) -> str:
    """A SQLite file of this test's own, already at the head revision (a copy of the session's migrated file)."""
    path = tmp_path / "agora.db"
    shutil.copyfile(migrated_sqlite, path)
    return f"sqlite+aiosqlite:///{path}"


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
    """An English console community, started on a fresh SQLite file; camille animates it."""
    community = make_harness("en")
    await community.start()
    yield community
    await community.stop()


def postgres_url() -> str | None:
    return os.environ.get("AGORA_TEST_DATABASE_URL")
