"""What does asking an icebreaker question cost, and does it grow with a community's history?

    python bench/icebreakers.py [--events 200] [--history 2000]

Prints events per second for: (a) the baseline, a transaction inserting one processed-delivery row, the least
any handled event costs; (b) ``/agora icebreaker now`` in a new community (draw, post, thread, delivery);
(c) the same after ``--history`` questions already asked and 200 questions of the community's own (the draw
reads the whole history of the community: this says whether that matters); (d) ``/agora icebreaker status``
on that history; (e) scheduled questions, a daily rule fired by the virtual scheduler. Ratios are against (a),
run in the same process on the same kind of SQLite file, since absolute times drift on shared machines.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.console import ConsoleCommunity
from bot.content import load_bank
from storage.models import ProcessedDelivery
from storage.tables.icebreakers import IcebreakerAsked, IcebreakerQuestion
from tests.support import make_config

CHANNELS = {"welcome": "welcome", "announcements": "announcements", "icebreakers": "icebreakers"}


async def community(tmp: str, name: str, **settings: object) -> ConsoleCommunity:
    config = make_config("en", f"sqlite+aiosqlite:///{Path(tmp) / name}", channels=CHANNELS, **settings)
    h = ConsoleCommunity(config, animators={"camille"})
    await h.start()
    await h.join("warmup")
    return h


async def seed_history(h: ConsoleCommunity, asked: int, own: int) -> None:
    """``asked`` questions already asked (cycle after cycle) and ``own`` approved questions of the community."""
    assert h.database is not None
    bank = [f"bank:{item.id}" for item in load_bank("icebreakers", "en")]
    start = datetime(2000, 1, 1, tzinfo=UTC)
    async with h.database.transaction() as session:
        session.add_all(
            IcebreakerQuestion(
                community_id=1,
                text=f"Own question number {i}?",
                status="approved",
                created_at=start,
                decided_at=start,
            )
            for i in range(own)
        )
        await session.flush()
        pool = bank + [f"own:{i + 1}" for i in range(own)]
        session.add_all(
            IcebreakerAsked(
                community_id=1,
                cycle=i // len(pool) + 1,
                question_key=pool[i % len(pool)],
                text="(asked long ago)",
                asked_at=start + timedelta(days=i),
            )
            for i in range(asked)
        )


async def rate(n: int, action: object) -> float:
    started = time.perf_counter()
    for i in range(n):
        await action(i)  # type: ignore[operator]
    return n / (time.perf_counter() - started)


async def measure(n: int, history: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        fresh = await community(tmp, "fresh.db")
        assert fresh.database is not None

        async def transaction(i: int) -> None:
            assert fresh.database is not None
            async with fresh.database.transaction() as session:
                session.add(
                    ProcessedDelivery(community_id=1, delivery_id=f"base-{i}", processed_at=datetime.now(UTC))
                )

        baseline = await rate(n, transaction)
        now_fresh = await rate(
            n, lambda i: fresh.command("camille", "icebreaker now", delivery_id=f"now-{i}")
        )
        await fresh.stop()

        old = await community(tmp, "old.db")
        await seed_history(old, history, 200)
        now_old = await rate(n, lambda i: old.command("camille", "icebreaker now", delivery_id=f"now-{i}"))
        status = await rate(n, lambda i: old.command("bob", "icebreaker status", delivery_id=f"status-{i}"))
        await old.stop()

        daily = await community(tmp, "daily.db", icebreakers={"schedule": "30 9 * * *"})
        started = time.perf_counter()
        await daily.advance(days=n)
        scheduled = n / (time.perf_counter() - started)
        assert daily.database is not None
        assert len(daily.chat.posts("icebreakers")) == n
        await daily.stop()

    print(f"events per second on SQLite ({n} each; ratio = time per event / baseline's)")
    for name, value in (
        ("baseline: one committed transaction", baseline),
        ("icebreaker now, new community", now_fresh),
        (f"icebreaker now, {history} asked + 200 own", now_old),
        (f"icebreaker status, {history} asked", status),
        ("scheduled question (daily rule)", scheduled),
    ):
        print(f"  {name:42} {value:8.0f}/s   x{baseline / value:5.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--history", type=int, default=2000)
    arguments = parser.parse_args()
    asyncio.run(measure(arguments.events, arguments.history))


if __name__ == "__main__":
    main()
