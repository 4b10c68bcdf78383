"""Does the inbox keep Slack's three seconds? Acknowledgement latency with the inbox, next to without it.

    python bench/inbox_ack.py [--bursts 5] [--burst 40] [--rounds 3] [--postgres URL]

The real Slack adapter (slack-bolt, HTTP mode) serves the loopback Slack fake; bursts of ``team_join`` events are
sent at once, as signed HTTP requests, while the bot handles the earlier ones. Each request's latency is from
sending it to its 200. Two variants run in the same process, on fresh databases of the same kind, alternating
round by round (absolute times drift on shared machines):

* baseline: the event is acknowledged without being recorded (``Agora.accept`` does nothing), as before the inbox;
* inbox: the event is recorded (one insert, committed) before it is acknowledged.

Prints p50 and p99 in milliseconds for each, and the inbox's ratio to the baseline, on SQLite and, with
``--postgres`` (or ``AGORA_TEST_DATABASE_URL``), on PostgreSQL (its database is emptied first).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from adapters.slack import create
from bench import databases
from bot.app import Agora
from bot.clock import FakeClock
from bot.events import Event
from bot.scheduler import VirtualScheduler
from storage.database import Database
from tests.fakes.fake_slack import FakeSlack
from tests.slack.support import SECRET, slack_config
from tests.support import make_config


async def run_variant(
    fake: FakeSlack, url: str, inbox: bool, bursts: int, size: int, tag: str
) -> list[float]:
    """Latencies (s) of ``bursts`` bursts of ``size`` joins on a bot started on ``url``."""
    config = slack_config(make_config("en", url), fake, "http")
    database = Database(url)
    await database.upgrade()
    clock = FakeClock()
    app = Agora(config, database, clock=clock, scheduler=VirtualScheduler(clock))
    if not inbox:

        async def not_recorded(event: Event) -> bool:
            return True

        app.accept = not_recorded  # type: ignore[method-assign]
    adapter = create(app, config)
    await app.start()
    await adapter.start()
    endpoint = f"http://127.0.0.1:{adapter.http_port}/slack/events"
    signer = fake.requester(endpoint)
    latencies: list[float] = []
    # One client session for all requests (as Slack keeps its connections): the latency is the bot's.
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=size)) as client:

        async def join(user_id: str, record: bool = True) -> None:
            body = json.dumps(fake.event_callback(fake.team_join_event(user_id)))
            headers = {"Content-Type": "application/json", **signer.signature_headers(body)}
            started = time.perf_counter()
            async with client.post(endpoint, data=body.encode(), headers=headers) as response:
                await response.read()
                assert response.status == 200, response.status
            if record:
                latencies.append(time.perf_counter() - started)

        fake.add_user(f"U0W{tag}", "warm", "Warm Up", "en-US")
        await join(f"U0W{tag}", record=False)
        await adapter.settle()
        for b in range(bursts):
            users = [f"U0{tag}{b:02d}{n:03d}" for n in range(size)]
            for user_id in users:
                fake.add_user(user_id, user_id.lower(), user_id, "en-US")
            await asyncio.gather(*(join(u) for u in users))
            await asyncio.sleep(0.05)  # the next burst comes while the bot still handles this one
        await adapter.settle()
    await adapter.stop()
    await app.stop()
    await database.close()
    return latencies


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def measure(kind: str, make_url: Any, args: argparse.Namespace) -> None:
    samples: dict[bool, list[float]] = {False: [], True: []}
    async with FakeSlack(signing_secret=SECRET) as fake:
        for r in range(args.rounds):
            for inbox in (False, True):
                url = await make_url(f"{r}{int(inbox)}")
                samples[inbox] += await run_variant(
                    fake, url, inbox, args.bursts, args.burst, f"{r}{int(inbox)}"
                )
    base = samples[False]
    print(f"{kind}: {len(base)} acknowledgements per variant (bursts of {args.burst})")
    for name, values in (("baseline (not recorded)", base), ("inbox (recorded, then ack)", samples[True])):
        p50, p99 = percentile(values, 50), percentile(values, 99)
        ratio50, ratio99 = p50 / percentile(base, 50), p99 / percentile(base, 99)
        print(
            f"  {name:28} p50 {p50 * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms  max {max(values) * 1000:7.1f} ms"
            f"   ratio p50 x{ratio50:4.2f}  p99 x{ratio99:4.2f}"
        )
    print(f"  mean {statistics.mean(samples[True]) * 1000:.1f} ms with the inbox; Slack's deadline: 3000 ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bursts", type=int, default=5)
    parser.add_argument("--burst", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    databases.main(measure, parser)
