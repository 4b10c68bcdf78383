"""Does Agora keep up with a busy Slack workspace? The real slack-bolt HTTP stack, next to a bare bolt app.

    python bench/slack_http.py [--rates 100,200] [--seconds 10] [--backlog N] [--postgres URL]

The real Slack adapter (slack-bolt on aiohttp, HTTP mode, production clock and scheduler) serves the loopback
Slack fake (``tests/fakes/fake_slack.py``). A debate is opened, then members press its position buttons at a
steady rate (open loop: a request is sent on time whether or not the earlier ones were answered, as Slack does),
each as a signed HTTP request. For each rate it prints:

* the acknowledgement's p50/p99/max (sending a request to its HTTP 200), and the ratio of its p99 to a bare bolt
  app's that only acknowledges, in the same process, at the same rate (targets: x1.5 or less at 100/s; no
  acknowledgement past 1 s at 200/s);
* the reply's p50/p99/max (sending the press to the bot's answer arriving at its ``response_url``; target: p99
  within 1 s at 100/s);
* lost: presses acknowledged whose answer never came or whose position was not recorded (target: 0);
* the HTTP connections the bot opened to Slack's Web API and response URLs (counted by the fake).

On SQLite, then with ``--postgres`` (or ``AGORA_TEST_DATABASE_URL``) on PostgreSQL (its database is emptied).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import func, select

from adapters.slack import create
from bench import databases
from bot.app import Agora
from bot.clock import SystemClock
from bot.scheduler import APScheduler
from storage.database import Database
from storage.tables.debates import DebateStance
from tests.fakes.fake_slack import FakeSlack, ResponseUrlPost
from tests.slack.support import SECRET, slack_config
from tests.support import make_config

ADMIN = "U0ADMIN001"
DEBATES = "C0DEBATES1"
WAIT = 120.0  # how long the answers to what was sent may take to arrive before the rest count as lost


class Arrivals(list[ResponseUrlPost]):
    """``fake.responses``, noting when each answer arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.at: dict[str, float] = {}
        self.changed = asyncio.Event()

    def append(self, item: ResponseUrlPost) -> None:
        self.at.setdefault(item.response_id, time.perf_counter())
        self.changed.set()
        super().append(item)

    async def wait_for(self, response_ids: set[str], seconds: float) -> None:
        """Until every one of ``response_ids`` was answered, or ``seconds`` passed."""
        deadline = time.perf_counter() + seconds
        while response_ids - self.at.keys() and time.perf_counter() < deadline:
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), deadline - time.perf_counter())
            except TimeoutError:
                return


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Load:
    """Presses sent at ``rate`` per second for ``seconds`` to ``endpoint``: acknowledgement latencies, and when
    each was sent (by response id) to time the answers."""

    def __init__(self, fake: FakeSlack, endpoint: str) -> None:
        self.fake, self.endpoint = fake, endpoint
        self.signer = fake.requester(endpoint)
        self.acks: list[float] = []
        self.failed = 0
        self.sent: dict[str, float] = {}

    async def run(self, payloads: list[dict[str, Any]], rate: float) -> None:
        connector = aiohttp.TCPConnector(limit=0)
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as client:
            started = time.perf_counter()
            tasks = []
            for i, payload in enumerate(payloads):
                delay = started + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.ensure_future(self._press(client, payload)))
            await asyncio.gather(*tasks)

    async def _press(self, client: aiohttp.ClientSession, payload: dict[str, Any]) -> None:
        body = urlencode({"payload": json.dumps(payload)})
        headers = {"Content-Type": "application/x-www-form-urlencoded", **self.signer.signature_headers(body)}
        started = time.perf_counter()
        response_id = str(payload.get("response_url", "")).rsplit("/", 1)[-1]
        self.sent[response_id] = started
        try:
            async with client.post(self.endpoint, data=body.encode(), headers=headers) as response:
                await response.read()
                ok = response.status == 200
        except (aiohttp.ClientError, TimeoutError):
            ok = False
        if ok:
            self.acks.append(time.perf_counter() - started)
        else:
            self.failed += 1
            del self.sent[response_id]


def presses(fake: FakeSlack, message: dict[str, Any], count: int, tag: str) -> list[dict[str, Any]]:
    """``count`` presses of the debate's buttons by as many members (added to the workspace)."""
    payloads = []
    for i in range(count):
        user = f"U0{tag}{i:06d}"
        fake.add_user(user, user.lower(), f"Member {tag} {i}", "en-US")
        payloads.append(
            fake.block_actions(user, f"agora:debate:take:1.{i % 3}", message=message, channel=DEBATES)
        )
    return payloads


async def bare(fake: FakeSlack, rate: float, seconds: float, message: dict[str, Any]) -> Load:
    """A bolt app that only acknowledges, on the same stack (aiohttp, signature checked, auth.test)."""
    client = AsyncWebClient(token="xoxb-" + "bench", base_url=fake.api_base)
    bolt = AsyncApp(client=client, signing_secret=SECRET, process_before_response=False, name="bare")

    @bolt.action(re.compile(".*"))
    async def acknowledge(ack: Any) -> None:
        await ack()

    runner = web.AppRunner(bolt.web_app(path="/slack/events"), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    load = Load(fake, f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events")
    await load.run(presses(fake, message, int(rate * seconds), f"B{int(rate)}"), rate)
    await runner.cleanup()
    return load


async def agora(
    fake: FakeSlack, url: str, rate: float, seconds: float, backlog: int | None
) -> tuple[Load, int, int, dict[str, Any]]:
    """The load on Agora: (load, lost, connections opened, the debate's post)."""
    config = slack_config(make_config("en", url, channels={"debates": DEBATES}), fake, "http")
    database = Database(url)
    await database.upgrade()
    clock = SystemClock()
    app = Agora(config, database, clock=clock, scheduler=APScheduler(clock))
    if backlog is not None:
        app.backlog.limit = backlog
    adapter = create(app, config)
    await app.start()
    await adapter.start()
    endpoint = f"http://127.0.0.1:{adapter.http_port}/slack/events"
    await fake.requester(endpoint).send(
        fake.slash_command(ADMIN, "debate start motion=remote-networks duration=2d", channel_id=DEBATES)
    )
    await adapter.settle()
    message = next(m for m in fake.messages[DEBATES] if m.get("blocks"))
    fake.connections.clear()
    load = Load(fake, endpoint)
    await load.run(presses(fake, message, int(rate * seconds), f"A{int(rate)}"), rate)
    arrivals = fake.responses
    assert isinstance(arrivals, Arrivals)
    await arrivals.wait_for(set(load.sent), WAIT)
    await adapter.settle()
    async with database.transaction() as session:
        recorded = int(await session.scalar(select(func.count(DebateStance.id))) or 0)
    answered = sum(1 for r in load.sent if r in arrivals.at)
    lost = max(len(load.sent) - answered, len(load.sent) - recorded)
    connects = fake.connects
    await adapter.stop()
    await app.stop()
    await database.close()
    return load, lost, connects, message


async def measure(kind: str, make_url: databases.MakeUrl, args: argparse.Namespace) -> None:
    print(f"{kind}: debate positions pressed through slack-bolt's HTTP stack, {args.seconds:g} s per rate")
    for rate in (float(r) for r in args.rates.split(",")):
        async with FakeSlack(signing_secret=SECRET) as fake:
            arrivals = Arrivals()
            fake.responses = arrivals
            fake.add_user(ADMIN, "admin", "Admin", "en-US", is_admin=True)
            fake.add_channel(DEBATES, "debates", members=[ADMIN])
            load, lost, connects, message = await agora(
                fake, await make_url(f"r{int(rate)}"), rate, args.seconds, args.backlog
            )
            base = await bare(fake, rate, args.seconds, message)
        replies = [arrivals.at[r] - sent for r, sent in load.sent.items() if r in arrivals.at]
        bare99 = percentile(base.acks, 99)
        print(f"  {rate:5.0f}/s, {len(load.sent) + load.failed} presses")
        for name, values, failed in (
            ("bare bolt ack", base.acks, base.failed),
            ("agora ack", load.acks, load.failed),
        ):
            print(
                f"    {name:14} p50 {percentile(values, 50) * 1000:7.1f} ms  p99 {percentile(values, 99) * 1000:7.1f} ms"
                f"  max {max(values, default=0) * 1000:7.1f} ms  x{percentile(values, 99) / bare99:5.2f} p99"
                f"  past 1 s: {sum(v > 1 for v in values)}  not acknowledged: {failed}"
            )
        print(
            f"    {'agora reply':14} p50 {percentile(replies, 50) * 1000:7.1f} ms  p99 {percentile(replies, 99) * 1000:7.1f} ms"
            f"  max {max(replies, default=0) * 1000:7.1f} ms  lost: {lost}  connections to Slack: {connects}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="100,200")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--backlog", type=int, default=None, help="the process's backlog limit (bot.backlog)")
    databases.main(measure, parser)
