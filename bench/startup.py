"""How long does Agora take to start with many communities and timers, next to an empty database?

    python bench/startup.py [--communities 100] [--timers 10000] [--rounds 3] [--postgres URL]

Two databases, both migrated and started once before the clock starts: one empty, one with ``--communities``
communities (their charter and recurring rules) and ``--timers`` pending timers spread over the next 30 days. Each start is timed from opening the
database to ``Agora.start()`` returning (production clock and scheduler, every feature), then the bot is stopped;
the variants alternate round by round (absolute times drift on shared machines). Prints the best start of each,
the ratio (target: 1.3 or less), and how many scheduler jobs the populated start armed.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from bench import databases
from bot.app import Agora
from bot.clock import SystemClock
from bot.scheduler import APScheduler
from storage.database import Database
from storage.models import Charter, Community, Timer
from tests.support import make_config


async def populate(url: str, communities: int, timers: int) -> None:
    database = Database(url)
    await database.upgrade()
    if communities:
        now = SystemClock().now()
        async with database.transaction() as session:
            await session.execute(
                insert(Community),
                [
                    {
                        "platform": "console",
                        "external_id": f"c{i}",
                        "name": f"C{i}",
                        "settings": {},
                        "created_at": now,
                    }
                    for i in range(communities)
                ],
            )
            ids = list(range(1, communities + 1))
            await session.execute(
                insert(Charter),
                [
                    {
                        "community_id": c,
                        "version": 1,
                        "objective": "Bench",
                        "animators": [],
                        "rights": [],
                        "duties": [],
                        "change_note": "",
                        "created_by": "config",
                        "created_at": now,
                    }
                    for c in ids
                ],
            )
            await session.execute(
                insert(Timer),
                [
                    {
                        "community_id": ids[i % communities],
                        "kind": "onboarding:nudge",
                        "ref": str(i),
                        "due_at": now + timedelta(minutes=5) + timedelta(days=30) * i / timers,
                    }
                    for i in range(timers)
                ],
            )
    await database.close()
    # A first start brings each community's recurring rules in line with its settings, as a bot that ran
    # before has: the starts measured then have nothing to catch up.
    await start_once(url)


async def start_once(url: str) -> tuple[float, int]:
    """Seconds from opening the database to a started bot, and the scheduler jobs it armed."""
    started = time.perf_counter()
    config = make_config("en", url)
    database = Database(url)
    await database.upgrade()
    clock = SystemClock()
    scheduler = APScheduler(clock)
    app = Agora(config, database, clock=clock, scheduler=scheduler)
    await app.start()
    elapsed = time.perf_counter() - started
    jobs = len(scheduler.pending())
    await app.stop()
    await database.close()
    return elapsed, jobs


async def measure(kind: str, make_url: databases.MakeUrl, args: argparse.Namespace) -> None:
    if kind == "PostgreSQL":
        # One database to empty: the variants run one after the other rather than alternating.
        empty_url = await make_url("empty")
        await populate(empty_url, 0, 0)
        empty = [(await start_once(empty_url))[0] for _ in range(args.rounds)]
        full_url = await make_url("full")
        await populate(full_url, args.communities, args.timers)
        runs = [await start_once(full_url) for _ in range(args.rounds)]
    else:
        empty_url, full_url = await make_url("empty"), await make_url("full")
        await populate(empty_url, 0, 0)
        await populate(full_url, args.communities, args.timers)
        empty, runs = [], []
        for _ in range(args.rounds):
            empty.append((await start_once(empty_url))[0])
            runs.append(await start_once(full_url))
    best_empty, best_full = min(empty), min(t for t, _ in runs)
    print(f"{kind}: start-up, best of {args.rounds}")
    print(f"  empty database                                  {best_empty * 1000:7.0f} ms")
    print(
        f"  {args.communities} communities, {args.timers} pending timers    {best_full * 1000:7.0f} ms"
        f"   x{best_full / best_empty:4.2f}   scheduler jobs: {runs[0][1]}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communities", type=int, default=100)
    parser.add_argument("--timers", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    databases.main(measure, parser)
