"""How much does handling an event cost, next to the bare minimum of one committed transaction?

    python bench/dispatch.py [--events 300]

For each kind of event, on one SQLite file in one process: events per second, the ratio of its time to the
baseline's (a transaction inserting one processed-delivery row with raw SQLAlchemy, the least any handled event
costs: the issue's target is a ratio of 3 or less), and the SQL statements and commits per event, counted with
SQLAlchemy's engine events from the dispatch to the end of the outbox's delivery (targets: a button press 6
statements and 2 commits, a join 10 statements). Kinds: a newcomer joining (member, welcome DM delivered,
reminder timer); a debate position taken (the post's count updated); a meeting poll answered (the tally
updated); a charter accepted (role granted); a duplicate delivery (dropped). Ratios, not absolute times, since
those drift on shared machines.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from adapters.console import ConsoleCommunity
from bot.clock import FakeClock
from bot.events import ButtonPressed
from storage.counting import Statements
from storage.models import ProcessedDelivery
from storage.tables.meetings import PollOption
from tests.support import make_config

CHANNELS = {"welcome": "welcome", "announcements": "announcements", "debates": "debates"}


class Row:
    def __init__(self, name: str, rate: float, statements: float | None, commits: float | None) -> None:
        self.name, self.rate, self.statements, self.commits = name, rate, statements, commits


async def timed(h: ConsoleCommunity, name: str, n: int, one: Callable[[int], Awaitable[object]]) -> Row:
    """Rate of ``one(i)`` for i < n, and its statements and commits per event."""
    assert h.database is not None
    with Statements(h.database) as counted:
        started = time.perf_counter()
        for i in range(n):
            await one(i)
        rate = n / (time.perf_counter() - started)
    return Row(name, rate, counted.statements / n, counted.commits / n)


async def measure(n: int) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        start = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))
        config = make_config(
            "en",
            f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}",
            channels=CHANNELS,
            meetings={"nudge_after": "off"},
        )
        h = ConsoleCommunity(config, animators={"camille"}, clock=FakeClock(start))
        await h.start()
        assert h.database is not None and h.app is not None
        database = h.database
        await h.join("warmup")
        await h.command("camille", "debate start motion=remote-networks duration=2d")
        await h.command("camille", "meeting poll")
        await h.submit(
            "camille", "meeting_poll", {"title": "Bench", "options": "2026-12-03 18:00\n2026-12-10 18:00"}
        )
        async with database.transaction() as session:
            option = (await session.scalars(select(PollOption.id).order_by(PollOption.position))).first()

        async def baseline(i: int) -> None:
            async with database.transaction() as session:
                session.add(
                    ProcessedDelivery(community_id=1, delivery_id=f"base-{i}", processed_at=datetime.now(UTC))
                )

        def press(i: int, action: str, ref: str, tag: str) -> Awaitable[object]:
            event = ButtonPressed(
                community=h.ref,
                actor=h.member(f"member-{i}"),
                action=action,
                ref=ref,
                delivery_id=f"{tag}-{i}",
            )
            return h.deliver(event)

        rows = [
            await timed(h, "baseline: one committed transaction", n, baseline),
            await timed(
                h, "newcomer joins (welcome DM delivered)", n, lambda i: h.join(f"member-{i}", f"join-{i}")
            ),
            await timed(
                h,
                "debate position taken (post updated)",
                n,
                lambda i: press(i, "debate:take", f"1.{i % 3}", "take"),
            ),
            await timed(
                h,
                "poll answered (tally updated)",
                n,
                lambda i: press(i, "meeting:vote", f"{option}.yes", "vote"),
            ),
            await timed(
                h,
                "charter accepted (role granted)",
                n,
                lambda i: h.press(f"member-{i}", "I accept the charter", f"charter-{i}"),
            ),
            await timed(h, "duplicate delivery dropped", n, lambda i: h.join(f"member-{i}", f"join-{i}")),
        ]
        await h.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300)
    n = parser.parse_args().events
    rows = asyncio.run(measure(n))
    baseline = rows[0].rate
    print(
        f"events on SQLite ({n} each; ratio = time per event / baseline's; statements and commits per event)"
    )
    for row in rows:
        print(
            f"  {row.name:40} {row.rate:7.0f}/s   x{baseline / row.rate:5.1f}"
            f"   {row.statements:5.1f} statements  {row.commits:4.1f} commits"
        )


if __name__ == "__main__":
    main()
