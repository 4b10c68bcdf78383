"""What do debates cost, next to the bare minimum of one committed transaction?

    python bench/debates.py [--members 300] [--stances 100000]

Prints, on one SQLite file in one process: (a) the baseline, a transaction inserting one
processed-delivery row; (b) a member taking a position (the stance, and the post's count updated through the
outbox); (c) a member changing their mind; (d) the close of a debate with that many members (the summary
counted, posted, the post closed), as a whole and per member; (e) the pure before/after count on many stances,
per stance. Ratios are against (a), since absolute times drift on shared machines.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.console import ConsoleCommunity
from bot.events import ButtonPressed
from bot.features.debates.summary import Stance, summarize
from storage.models import ProcessedDelivery
from tests.support import make_config

CHANNELS = {"welcome": "welcome", "announcements": "announcements", "debates": "debates"}


async def measure(members: int, stances: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = make_config("en", f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", channels=CHANNELS)
        h = ConsoleCommunity(config, animators={"camille"})
        await h.start()
        assert h.database is not None
        await h.command("camille", "debate start motion=remote-networks duration=2d")

        started = time.perf_counter()
        for i in range(members):
            async with h.database.transaction() as session:
                session.add(
                    ProcessedDelivery(community_id=1, delivery_id=f"base-{i}", processed_at=datetime.now(UTC))
                )
        baseline = (time.perf_counter() - started) / members

        async def press(member: str, position: int, delivery: str) -> None:
            event = ButtonPressed(
                community=h.ref,
                actor=h.member(member),
                action="debate:take",
                ref=f"1.{position}",
                delivery_id=delivery,
            )
            await h.deliver(event)

        started = time.perf_counter()
        for i in range(members):
            await press(f"member-{i}", i % 3, f"take-{i}")
        take = (time.perf_counter() - started) / members

        started = time.perf_counter()
        for i in range(members):
            await press(f"member-{i}", (i + 1) % 3, f"change-{i}")
        change = (time.perf_counter() - started) / members

        started = time.perf_counter()
        await h.command("camille", "debate close")
        close = time.perf_counter() - started
        await h.stop()

    rng = random.Random(7)
    fixture = [Stance(rng.randrange(5), rng.randrange(5)) for _ in range(stances)]
    started = time.perf_counter()
    summarize(["a", "b", "c", "d", "e"], fixture)
    pure = (time.perf_counter() - started) / stances

    print(f"debates on SQLite ({members} members; ratio = time / baseline's transaction)")
    rows = (
        ("baseline: one committed transaction", baseline),
        ("a member takes a position (post updated)", take),
        ("a member changes their mind", change),
        (f"the close, {members} members (whole)", close),
        ("the close, per member", close / members),
        (f"pure count, per stance ({stances} stances)", pure),
    )
    for name, seconds in rows:
        print(f"  {name:44} {seconds * 1000:9.3f} ms   x{seconds / baseline:7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--stances", type=int, default=100_000)
    args = parser.parse_args()
    asyncio.run(measure(args.members, args.stances))


if __name__ == "__main__":
    main()
