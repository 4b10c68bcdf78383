"""Two ``agora run`` processes on one PostgreSQL, one of them SIGKILLed at random moments and started again.

    python bench/faults.py [--members 150] [--kills 5] [--seed N] [--postgres URL]

Both processes serve the loopback Slack fake (``tests/fakes/fake_slack.py``) in HTTP mode, each on its own port,
as two replicas behind a load balancer: each request goes to one of them at random, and a request that is not
acknowledged (the process is dead, or was killed before answering) is sent again to the other, as a load balancer
and Slack's own retries do. The members join (``team_join``), then accept the charter from their welcome DM (a
button); meanwhile one process at a time is killed with SIGKILL ``--kills`` times and restarted. At the end it
prints the figures and exits 1 unless:

* every acknowledged join is one member row, every acknowledged acceptance one acknowledgement row;
* every outbox entry is delivered (none pending or failed), each welcome DM posted once, at most once more for a
  message that was in flight when its process died (the duplicate window, ``bot.outbox``): counted and printed.

The database is a new one beside the one ``--postgres`` (or ``AGORA_TEST_DATABASE_URL``) names, dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.outbox import LEASE
from storage.database import Database
from storage.models import Acknowledgement, Member, OutboxEntry
from tests.fakes.fake_slack import FakeSlack, SlackRequester
from tests.slack.support import SECRET, buttons
from tests.support import AgoraProcess, run_config

READY = "slack connected"


class Replica:
    """One ``agora run`` process and the requester that reaches it (None while it is down)."""

    def __init__(self, name: str, config: Path, fake: FakeSlack) -> None:
        self.name = name
        self.process = AgoraProcess(config)
        self.fake = fake
        self.requester: SlackRequester | None = None

    async def start(self) -> None:
        port = (await self.process.start(READY, timeout=60.0))["port"]
        self.requester = self.fake.requester(f"http://127.0.0.1:{port}/slack/events")

    async def kill(self) -> None:
        self.requester = None
        await self.process.kill()


async def send(replicas: list[Replica], payload: dict[str, Any], rng: random.Random) -> bool:
    """Send ``payload`` to a live replica chosen at random until one acknowledges it (30 s at most)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        live = [r.requester for r in replicas if r.requester is not None]
        if live:
            try:
                response = await rng.choice(live).send(payload)
                if response.status == 200:
                    return True
            except Exception:  # a process killed under the request: not acknowledged, sent again
                pass
        await asyncio.sleep(0.05)
    return False


async def killer(replicas: list[Replica], kills: int, rng: random.Random) -> int:
    """SIGKILL one replica at a random moment, start it again, ``kills`` times (during the load, then while the
    outbox drains)."""
    killed = 0
    for _ in range(kills):
        await asyncio.sleep(rng.uniform(0.3, 2.0))
        victim = rng.choice(replicas)
        await victim.kill()
        killed += 1
        await asyncio.sleep(rng.uniform(0.1, 1.0))
        await victim.start()
    return killed


async def fresh_database(base: str) -> tuple[str, str]:
    """A new database on the server ``base`` names: (its URL, its name)."""
    url = make_url(base)
    name = f"agora_faults_{os.getpid()}"
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False), name


async def drop_database(base: str, name: str) -> None:
    admin = create_async_engine(make_url(base), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


async def run(base: str, members: int, kills: int, seed: int) -> int:
    rng = random.Random(seed)
    url, name = await fresh_database(base)
    replicas: list[Replica] = []
    try:
        async with FakeSlack(signing_secret=SECRET) as fake:
            users = [f"U0F{n:07d}" for n in range(members)]
            for n, user in enumerate(users):
                fake.add_user(user, f"member{n}", f"Member {n}", "en-US")
            section = {
                "bot_token": "xoxb-test",
                "mode": "http",
                "signing_secret": SECRET,
                "api_base_url": fake.api_base,
                "http": {"host": "127.0.0.1", "port": 0},
            }
            with tempfile.TemporaryDirectory() as tmp:
                config = run_config(Path(tmp) / "config.yaml", url, {"slack": section})
                replicas = [Replica(n, config, fake) for n in ("one", "two")]
                await replicas[0].start()  # the first migrates the database; the second finds it done
                await replicas[1].start()
                started = time.monotonic()
                killing = asyncio.create_task(killer(replicas, kills, rng))
                joined = [
                    u
                    for u, ok in zip(
                        users,
                        await asyncio.gather(
                            *(
                                send(replicas, fake.event_callback(fake.team_join_event(u)), rng)
                                for u in users
                            )
                        ),
                        strict=True,
                    )
                    if ok
                ]
                welcomes = await welcome_dms(fake, joined)
                accepting = [u for u in joined if welcomes.get(u)]
                accepted = [
                    u
                    for u, ok in zip(
                        accepting,
                        await asyncio.gather(
                            *(accept(fake, replicas, u, welcomes[u], rng) for u in accepting)
                        ),
                        strict=True,
                    )
                    if ok
                ]
                killed = await killing
                figures = await settle(url, joined, accepted)
                figures["dm duplicates"] = sum(max(len(welcome_posts(fake, u)) - 1, 0) for u in joined)
                figures["kills"] = killed
                figures["seconds"] = round(time.monotonic() - started, 1)
                figures["events"] = len(users) + len(accepting)
                for replica in replicas:
                    await replica.process.stop()
    finally:
        for replica in replicas:
            await replica.process.kill()
        await drop_database(base, name)
    print(
        f"two processes, {figures['kills']} SIGKILLs, {figures['events']} events in {figures['seconds']} s: "
        f"joins acknowledged {len(joined)}, recorded {figures['members']} (lost {figures['joins lost']}); "
        f"acceptances acknowledged {len(accepted)}, recorded {figures['acceptances']} "
        f"(lost {figures['acceptances lost']}); outbox sent {figures['sent']}, pending {figures['pending']}, "
        f"failed {figures['failed']}; welcome DMs posted twice {figures['dm duplicates']} "
        f"(the duplicate window: a message in flight when its process died)"
    )
    ok = (
        figures["joins lost"] == 0
        and figures["acceptances lost"] == 0
        and figures["pending"] == 0
        and figures["failed"] == 0
        # At most what one process had in flight when killed: the entries of one transaction, marked sent together.
        and figures["dm duplicates"] <= figures["kills"] * 10
    )
    return 0 if ok else 1


def welcome_posts(fake: FakeSlack, user: str) -> list[dict[str, Any]]:
    channel = fake.dm_channel_id(user)
    return [
        m
        for m in fake.messages.get(channel, [])
        if any("charter:accept" in b["action_id"] for b in buttons(m.get("blocks") or []))
    ]


async def welcome_dms(fake: FakeSlack, joined: list[str]) -> dict[str, dict[str, Any]]:
    """Each acknowledged newcomer's welcome DM (with the accept button), waiting for them (lease takeovers too)."""
    deadline = time.monotonic() + 3 * LEASE.total_seconds() + 30
    while time.monotonic() < deadline:
        found = {u: posts[0] for u in joined if (posts := welcome_posts(fake, u))}
        if len(found) == len(joined):
            return found
        await asyncio.sleep(0.2)
    return found


async def accept(
    fake: FakeSlack, replicas: list[Replica], user: str, welcome: dict[str, Any], rng: random.Random
) -> bool:
    [accept_button] = [b for b in buttons(welcome["blocks"]) if "charter:accept" in b["action_id"]][:1]
    payload = fake.block_actions(user, accept_button["action_id"], channel=fake.dm_channel_id(user))
    return await send(replicas, payload, rng)


async def settle(url: str, joined: list[str], accepted: list[str]) -> dict[str, Any]:
    """Wait (three leases at most) until what was acknowledged is recorded and the outbox is empty; the figures."""
    database = Database(url)
    figures: dict[str, Any] = {}
    try:
        deadline = time.monotonic() + 3 * LEASE.total_seconds() + 30
        while True:
            async with database.transaction() as session:
                recorded = set(await session.scalars(select(Member.external_id)))
                acknowledged = set(
                    await session.scalars(
                        select(Member.external_id).join(
                            Acknowledgement, Acknowledgement.member_id == Member.id
                        )
                    )
                )
                rows = await session.execute(
                    select(OutboxEntry.status, func.count()).group_by(OutboxEntry.status)
                )
                statuses = {status: count for status, count in rows}
            figures = {
                "members": len(recorded & set(joined)),
                "joins lost": len(set(joined) - recorded),
                "acceptances": len(acknowledged & set(accepted)),
                "acceptances lost": len(set(accepted) - acknowledged),
                "sent": statuses.get("sent", 0),
                "pending": statuses.get("pending", 0),
                "failed": statuses.get("failed", 0) + statuses.get("abandoned", 0),
            }
            settled = not figures["joins lost"] and not figures["acceptances lost"] and not figures["pending"]
            if settled or time.monotonic() > deadline:
                return figures
            await asyncio.sleep(0.5)
    finally:
        await database.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=150)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument(
        "--postgres", default=None, help="a PostgreSQL URL (a new database is made beside it)"
    )
    args = parser.parse_args()
    base = args.postgres or os.environ.get("AGORA_TEST_DATABASE_URL")
    if not base:
        print("bench/faults.py needs PostgreSQL: give --postgres URL or set AGORA_TEST_DATABASE_URL")
        sys.exit(2)
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    print(f"seed {seed} (python bench/faults.py --seed {seed} runs it again)")
    sys.exit(asyncio.run(run(base, args.members, args.kills, seed)))


if __name__ == "__main__":
    main()
