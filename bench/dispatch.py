"""How much does handling an event cost, next to the bare minimum of one committed transaction?

    python bench/dispatch.py [--events 300]

Prints events per second for: (a) the baseline, a transaction inserting one processed-delivery row, the least
any handled event costs; (b) a newcomer joining (member, welcome in the outbox, reminder timer, delivery);
(c) a charter acceptance; (d) a duplicate delivery (dropped). Ratios are against (a), run in the same process
on the same SQLite file, since absolute times drift on shared machines.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.console import ConsoleCommunity
from storage.models import ProcessedDelivery
from tests.support import make_config


async def measure(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        h = ConsoleCommunity(make_config("en", f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"))
        await h.start()
        assert h.database is not None and h.app is not None
        await h.join("warmup")

        started = time.perf_counter()
        for i in range(n):
            async with h.database.transaction() as session:
                session.add(
                    ProcessedDelivery(community_id=1, delivery_id=f"base-{i}", processed_at=datetime.now(UTC))
                )
        baseline = n / (time.perf_counter() - started)

        started = time.perf_counter()
        for i in range(n):
            await h.join(f"member-{i}", delivery_id=f"join-{i}")
        joins = n / (time.perf_counter() - started)

        started = time.perf_counter()
        for i in range(n):
            await h.press(f"member-{i}", "I accept the charter", delivery_id=f"press-{i}")
        presses = n / (time.perf_counter() - started)

        started = time.perf_counter()
        for i in range(n):
            await h.join(f"member-{i}", delivery_id=f"join-{i}")
        duplicates = n / (time.perf_counter() - started)
        await h.stop()

    print(f"events per second on SQLite ({n} each; ratio = time per event / baseline's)")
    for name, rate in (
        ("baseline: one committed transaction", baseline),
        ("newcomer joins (welcome DM delivered)", joins),
        ("charter accepted (role granted)", presses),
        ("duplicate delivery dropped", duplicates),
    ):
        print(f"  {name:42} {rate:8.0f}/s   x{baseline / rate:5.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300)
    asyncio.run(measure(parser.parse_args().events))


if __name__ == "__main__":
    main()
