"""Do the delivery tables stay bounded? Row counts over a simulated year, with pruning and without.

    python bench/retention.py [--per-day 2] [--days 365] [--postgres URL]

A console community lives a year in simulated time: each day, ``--per-day`` newcomers join and accept the charter
(welcome DMs, invitations and reminders, roles: processed delivery ids and outbox entries), never introduce
themselves, while its recurring rules (icebreakers, digests, rounds) fire as configured. The daily pruning job keeps
``database.keep_for`` (30 days); the baseline is the same year with a window of ten years (nothing pruned), in the
same process. At the end of each month it prints the rows of ``processed_deliveries``, ``outbox`` and ``inbox``,
and each count as a ratio to the pruned run's count at the end of the second month: by then the first newcomers'
unanswered invitations have lapsed (their buttons retired after ``onboarding.newcomer_window``, 30 days) and the
pruning window has passed, so the tables have reached the size they keep. Bounded tables stay near x1 from there;
the baseline grows every month. The outbox entries a feature's row still refers to (posts a tally updates, an
introduction's post, the invitations of the newcomers still in their first weeks) are counted apart: finished rows
let go of theirs, so that count stays flat too rather than growing with the members.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from adapters.console import ConsoleCommunity
from bench import databases
from bench.databases import MakeUrl
from bot.durations import parse_duration
from bot.retention import referenced_entries
from storage.models import InboxEntry, OutboxEntry, ProcessedDelivery
from tests.support import ONBOARDING_CHANNELS, make_config

TABLES = (("processed_deliveries", ProcessedDelivery), ("outbox", OutboxEntry), ("inbox", InboxEntry))
COLUMNS = (*(name for name, _ in TABLES), "outbox kept by features")
MONTH = 30


async def counts(h: ConsoleCommunity) -> dict[str, int]:
    assert h.database is not None
    queries, listed = await referenced_entries(h.database)
    async with h.database.transaction() as session:
        found = {
            name: int(await session.scalar(select(func.count()).select_from(model)) or 0)
            for name, model in TABLES
        }
        kept: set[int] = set(listed)
        for query in queries:
            kept.update(await session.scalars(query))
    found["outbox kept by features"] = len(kept)
    return found


async def live_a_year(url: str, keep_for: str, per_day: int, days: int) -> list[dict[str, int]]:
    """The counts at the end of each month of a community's year."""
    config = make_config("en", url, channels=ONBOARDING_CHANNELS)
    database = config.database.model_copy(update={"keep_for": parse_duration(keep_for)})
    config = config.model_copy(update={"database": database})
    h = ConsoleCommunity(config, animators={"camille"})
    await h.start()
    months: list[dict[str, int]] = []
    n = 0
    for day in range(1, days + 1):
        for _ in range(per_day):
            n += 1
            await h.join(f"member{n}")
            await h.press(f"member{n}", "I accept the charter")
        await h.advance(days=1)
        if day % MONTH == 0:
            months.append(await counts(h))
    await h.stop()
    return months


async def measure(kind: str, make_url: MakeUrl, args: argparse.Namespace) -> None:
    pruned = await live_a_year(await make_url("pruned"), "30d", args.per_day, args.days)
    kept = await live_a_year(await make_url("kept"), "3650d", args.per_day, args.days)
    base = min(2, len(pruned))  # the first month the tables have their lasting size (see above)
    first = pruned[base - 1]
    print(
        f"{kind}: rows at the end of each month ({args.per_day} newcomers a day), "
        f"as a ratio to month {base} pruned"
    )
    print(f"  {'month':>5}  " + "  ".join(f"{name + ' (pruned | not)':>34}" for name in COLUMNS))
    for month, (p, k) in enumerate(zip(pruned, kept, strict=True), start=1):
        cells = []
        for name in COLUMNS:
            base = first[name] or 1
            cells.append(f"{p[name]:6d} x{p[name] / base:5.2f} | {k[name]:6d} x{k[name] / base:5.2f}")
        print(f"  {month:5d}  " + "  ".join(f"{c:>34}" for c in cells))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-day", type=int, default=2)
    parser.add_argument("--days", type=int, default=365)
    databases.main(measure, parser)
