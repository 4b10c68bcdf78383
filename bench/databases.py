"""What the benchmarks share: a fresh database of each kind for each run."""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text

from storage.database import Database

__all__ = ["MakeUrl", "each_database", "main", "timed"]

MakeUrl = Callable[[str], Awaitable[str]]


async def timed(action: Callable[[], Awaitable[Any]], repeat: int) -> float:
    """The median time of ``action``, in milliseconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def empty_postgres(url: str) -> None:
    database = Database(url)
    async with database.engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await database.close()


async def each_database(postgres: str | None, measure: Callable[[str, MakeUrl], Awaitable[None]]) -> None:
    """``measure(kind, make_url)`` on SQLite (a new file per name ``make_url`` is given), then on PostgreSQL at
    ``postgres`` (or ``AGORA_TEST_DATABASE_URL``), emptied for each ``make_url``; skipped when neither is given."""
    with tempfile.TemporaryDirectory() as tmp:

        async def sqlite_url(name: str) -> str:
            return f"sqlite+aiosqlite:///{Path(tmp) / name}.db"

        await measure("SQLite", sqlite_url)
    url = postgres or os.environ.get("AGORA_TEST_DATABASE_URL")
    if not url:
        print("PostgreSQL: skipped (give --postgres URL or set AGORA_TEST_DATABASE_URL)")
        return

    async def postgres_url(name: str) -> str:
        assert url is not None
        await empty_postgres(url)
        return url

    await measure("PostgreSQL", postgres_url)


def main(measure: Callable[[str, MakeUrl, Any], Awaitable[None]], parser: argparse.ArgumentParser) -> None:
    """Parse the command line (``parser``'s options and ``--postgres``), then ``measure(kind, make_url, args)`` on
    each database."""
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL whose database may be emptied")
    args = parser.parse_args()

    async def run(kind: str, make_url: MakeUrl) -> None:
        await measure(kind, make_url, args)

    asyncio.run(each_database(args.postgres, run))
