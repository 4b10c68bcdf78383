"""What does answering a meeting poll cost, next to the bare minimum of one committed transaction?

    python bench/poll.py [--members 200]

Prints events per second for: (a) the baseline, a transaction inserting one processed-delivery row; (b) a
member's answer to one date (the answer upserted, the tally recounted, the poll's post updated through the
outbox, the ballot redrawn), members one after the other; (c) the same answers all at once (``asyncio.gather``
over ``Agora.dispatch``, as a busy channel sends them); and (d) the pure tally of 20 dates x the members'
answers. Ratios are against (a), run in the same process on the same SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from adapters.console import ConsoleCommunity
from bot.clock import FakeClock
from bot.events import ButtonPressed, MemberRef
from bot.features.meetings.tally import CHOICES, count
from storage.models import ProcessedDelivery
from storage.tables.meetings import PollOption
from tests.support import make_config


def vote(h: ConsoleCommunity, member: int, option: int, choice: str, tag: str) -> ButtonPressed:
    return ButtonPressed(
        community=h.ref,
        actor=MemberRef("console", f"member-{member}", f"Member {member}"),
        action="meeting:vote",
        ref=f"{option}.{choice}",
        delivery_id=f"bench:{tag}:{member}:{option}",
    )


async def measure(members: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        start = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))
        h = ConsoleCommunity(
            make_config(
                "en", f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", meetings={"nudge_after": "off"}
            ),
            animators={"camille"},
            clock=FakeClock(start),
        )
        await h.start()
        assert h.database is not None and h.app is not None
        await h.command("camille", "meeting poll")
        await h.submit(
            "camille", "meeting_poll", {"title": "Bench", "options": "2026-12-03 18:00\n2026-12-10 18:00"}
        )
        async with h.database.transaction() as session:
            first, second = (await session.scalars(select(PollOption.id).order_by(PollOption.position))).all()

        started = time.perf_counter()
        for i in range(members):
            async with h.database.transaction() as session:
                session.add(
                    ProcessedDelivery(community_id=1, delivery_id=f"base-{i}", processed_at=datetime.now(UTC))
                )
        baseline = members / (time.perf_counter() - started)

        started = time.perf_counter()
        for i in range(members):
            await h.app.dispatch(vote(h, i, first, "yes", "one"))
        await h.app.settle()
        sequential = members / (time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(h.app.dispatch(vote(h, i, second, "maybe", "all")) for i in range(members)))
        await h.app.settle()
        together = members / (time.perf_counter() - started)
        await h.stop()

    answers = [(option, f"m{m}", CHOICES[(m + option) % 3]) for m in range(members) for option in range(20)]
    started = time.perf_counter()
    rounds = 20
    for _ in range(rounds):
        count(list(range(20)), answers)
    tally = rounds / (time.perf_counter() - started)

    print(f"events per second on SQLite ({members} members; ratio = time per event / baseline's)")
    for name, rate in (
        ("baseline: one committed transaction", baseline),
        ("an answer, members one after the other", sequential),
        ("an answer, all members at once (gather)", together),
    ):
        print(f"  {name:42} {rate:8.0f}/s   x{baseline / rate:5.1f}")
    print(
        f"  {'pure tally, 20 dates x ' + str(members) + ' members':42} {tally:8.0f}/s   ({len(answers)} answers each)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200)
    asyncio.run(measure(parser.parse_args().members))


if __name__ == "__main__":
    main()
