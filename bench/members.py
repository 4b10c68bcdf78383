"""What does reading the member list cost as a community grows?

    python bench/members.py [--sizes 300,3000,10000] [--repeat 5]

For each community size N (members on the platform's list, the console's here), prints the time of: (a) the
baseline, ``/agora help`` (a handled command that reads no member); (b) the first import (N members recorded as
already there, in one transaction); (c) a later reading of the same list, with nothing to change (what each start
and each new gateway session pays); (d) ``/agora charter status`` once the N members are known; (e) starting the
campaign that invites them (``/agora charter invite-existing``: the queue counted, the first invitation queued).
Ratios are against (a), run in the same process on the same SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.console import ConsoleCommunity
from bench.databases import timed
from tests.support import make_config


async def measure(size: int, repeat: int, folder: Path) -> None:
    config = make_config("en", f"sqlite+aiosqlite:///{folder / f'members-{size}.db'}")
    h = ConsoleCommunity(config, animators={"camille"})
    await h.start()
    try:
        h.arrive_unseen("camille")
        for number in range(size - 1):
            h.arrive_unseen(f"member{number:05d}")
        await h.command("camille", "help")  # warm up: the first event of a process pays for its imports
        baseline = await timed(lambda: h.command("camille", "help"), repeat)
        first = await timed(h.reconcile, 1)  # only the first reading imports
        again = await timed(h.reconcile, repeat)
        status = await timed(lambda: h.command("camille", "charter status"), repeat)
        campaign = await timed(lambda: h.command("camille", "charter invite-existing per_hour=600"), 1)
    finally:
        await h.stop()
    print(
        f"N={size:>6}  help {baseline:7.1f} ms | first import {first:8.1f} ms ({first / baseline:6.1f}×) | "
        f"reading again {again:7.1f} ms ({again / baseline:5.1f}×) | charter status {status:7.1f} ms "
        f"({status / baseline:5.1f}×) | campaign start {campaign:7.1f} ms ({campaign / baseline:5.1f}×)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="300,3000,10000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(s) for s in args.sizes.split(",")):
            await measure(size, args.repeat, Path(folder))


if __name__ == "__main__":
    asyncio.run(main())
