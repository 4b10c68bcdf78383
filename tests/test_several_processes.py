"""Two Agora instances on one PostgreSQL database, as two ``agora run`` processes would be: each outbox entry is
delivered by one of them, a lease that runs out (its holder died mid-delivery) hands the entry over, a delivery
slower than the lease keeps it (renewed while in flight), and a timer or a recurring rule fires once per fire time
whichever instance runs it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from adapters.console import ConsoleCommunity
from adapters.console.chat import ConsoleChat
from bot.app import default_features
from bot.chat import ChannelRef, MessageRef
from bot.clock import FakeClock, SystemClock
from bot.context import Context
from bot.events import CommandInvoked, TimerFired
from bot.i18n import N_
from bot.messages import Message
from bot.outbox import LEASE, Courier
from bot.router import Feature, Option, command, timer
from bot.scheduler import VirtualScheduler
from tests.conftest import is_postgresql
from tests.support import make_config, paris, record_posts


class Reminders(Feature):
    """A test feature: a one-off reminder and a recurring rule, set by command; their fires are remembered."""

    name = "reminders"

    def __init__(self, fired: list[tuple[str, datetime]]) -> None:
        self.fired = fired

    @command("remind in", N_("test"), options=[Option("minutes", N_("minutes"), required=True)])
    async def remind(self, ctx: Context) -> None:
        assert isinstance(ctx.event, CommandInvoked)
        await ctx.set_timer("reminder", "1", ctx.now + timedelta(minutes=int(ctx.event.args["minutes"])))

    @command("tick every", N_("test"), options=[Option("rule", N_("cron"), required=True)])
    async def every(self, ctx: Context) -> None:
        assert isinstance(ctx.event, CommandInvoked)
        await ctx.set_schedule("tick", ctx.event.args["rule"])

    @timer("reminder")
    async def reminded(self, ctx: Context) -> None:
        assert isinstance(ctx.event, TimerFired) and ctx.event.due is not None
        self.fired.append(("reminder", ctx.event.due))

    @timer("tick")
    async def tick(self, ctx: Context) -> None:
        assert isinstance(ctx.event, TimerFired) and ctx.event.due is not None
        self.fired.append(("tick", ctx.event.due))


@pytest.fixture
async def pair(
    db_url: str,
) -> AsyncIterator[tuple[ConsoleCommunity, ConsoleCommunity, list[tuple[str, datetime]]]]:
    """Two instances of the same community on one PostgreSQL database, sharing a clock: ``a`` and ``b``."""
    if not is_postgresql(db_url):
        pytest.skip(
            "several processes share a PostgreSQL database (SQLite serves one: test_one_process_per_sqlite)"
        )
    fired: list[tuple[str, datetime]] = []
    clock = FakeClock(paris(2026, 3, 23, 8, 0))
    instances = []
    for worker in ("a", "b"):
        instance = ConsoleCommunity(
            make_config("en", db_url),
            clock=clock,
            animators={"camille"},
            features=lambda: [*default_features(), Reminders(fired)],
        )
        await instance.start()
        assert instance.app is not None
        instance.app.courier.worker = worker
        instances.append(instance)
    a, b = instances
    yield a, b, fired
    await a.stop()
    await b.stop()


def posted(*instances: ConsoleCommunity) -> list[str]:
    return sorted(p.text for h in instances for p in h.chat.posts("announcements"))


async def test_each_outbox_entry_is_delivered_by_one_of_two_instances(
    pair: tuple[ConsoleCommunity, ConsoleCommunity, list[tuple[str, datetime]]],
) -> None:
    a, b, _ = pair
    await a.join("alice")
    await b.join("bruno", delivery_id="b:1")  # each instance numbers its console deliveries from 1
    await record_posts(a, 120)
    assert a.app is not None and b.app is not None
    for _ in range(3):  # both sweep the outbox at once, several times
        await asyncio.gather(a.app.courier.deliver_due(), b.app.courier.deliver_due())

    assert posted(a, b) == sorted(f"post {n}" for n in range(120))
    assert len(a.chat.dms("alice")) == 1 and not b.chat.dms("alice")
    assert len(b.chat.dms("bruno")) == 1 and not a.chat.dms("bruno")


async def test_an_entry_held_by_a_process_that_died_is_taken_over_once_its_lease_runs_out(
    pair: tuple[ConsoleCommunity, ConsoleCommunity, list[tuple[str, datetime]]],
) -> None:
    a, b, _ = pair
    await a.join("alice")
    await record_posts(a, 3, claimed_by="dead", lease_until=a.clock.now() + LEASE)
    assert a.app is not None and b.app is not None
    await asyncio.gather(a.app.courier.deliver_due(), b.app.courier.deliver_due())
    assert posted(a, b) == []  # its holder may still be delivering them

    a.clock.advance(LEASE + timedelta(seconds=1))
    await asyncio.gather(a.app.courier.deliver_due(), b.app.courier.deliver_due())
    assert posted(a, b) == ["post 0", "post 1", "post 2"]


class SlowChat(ConsoleChat):
    """A platform that takes ``seconds`` to accept each post (a rate limit, a slow network): the network edge."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds

    async def post(self, channel: ChannelRef, message: Message) -> MessageRef:
        await asyncio.sleep(self.seconds)
        return await super().post(channel, message)


async def test_a_delivery_slower_than_the_lease_is_not_taken_over_while_its_process_lives(
    pair: tuple[ConsoleCommunity, ConsoleCommunity, list[tuple[str, datetime]]],
) -> None:
    a, _, _ = pair
    await a.join("alice")
    assert a.database is not None
    # Two processes on real time, with a lease of a second and a half; a's platform takes three leases to accept
    # a post.
    lease = timedelta(seconds=1.5)
    slow, quick = SlowChat(3 * lease.total_seconds()), ConsoleChat()
    couriers = []
    for worker, chat in (("a", slow), ("b", quick)):
        clock = SystemClock()
        courier = Courier(a.database, clock, VirtualScheduler(FakeClock()), lambda _platform, c=chat: c)
        courier.worker, courier.lease = worker, lease
        couriers.append(courier)
    first, second = couriers
    await record_posts(a, 1, claimed_by="a", lease_until=SystemClock().now() + lease)

    # a delivers it; meanwhile b looks for entries whose lease ran out every half lease, as agora run does.
    delivering = asyncio.create_task(first.deliver_due())
    looks = 0
    while not delivering.done():
        await second.deliver_due()
        looks += 1
        await asyncio.sleep(lease.total_seconds() / 4)
    assert await delivering == 1

    assert looks >= 8  # b looked well after the first lease had run out
    assert [sent.message.text for sent in slow.posts("announcements") if sent.message] == ["post 0"]
    assert quick.posts() == []  # never taken over: posted once


async def test_a_timer_and_a_recurring_rule_fire_once_across_two_instances(
    pair: tuple[ConsoleCommunity, ConsoleCommunity, list[tuple[str, datetime]]],
) -> None:
    a, b, fired = pair
    await a.command("camille", 'tick every "30 9 * * *"')
    await a.command("camille", "remind in 20")
    await b.restart()  # b reads the rule and the timer a recorded, as a second process started now would
    assert b.app is not None
    b.app.courier.worker = "b"
    assert a.scheduler is not None and b.scheduler is not None
    target = a.clock.now() + timedelta(days=3)
    await asyncio.gather(a.scheduler.run_until(target), b.scheduler.run_until(target))
    await asyncio.gather(a.app.settle() if a.app else asyncio.sleep(0), b.app.settle())

    assert sorted(fired) == [
        ("reminder", paris(2026, 3, 23, 8, 20)),
        ("tick", paris(2026, 3, 23, 9, 30)),
        ("tick", paris(2026, 3, 24, 9, 30)),
        ("tick", paris(2026, 3, 25, 9, 30)),
    ]


async def test_a_setting_changed_in_one_instance_reaches_the_other(
    pair: tuple[ConsoleCommunity, ConsoleCommunity, list[tuple[str, datetime]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, b, _ = pair
    await a.join("alice", delivery_id="a:alice")
    await b.join("bruno", delivery_id="b:bruno")  # b keeps the community as it was (English)
    monkeypatch.setattr("bot.app.SHARED_FOR", 0.0)  # what 5 seconds later would be
    await a.command("camille", "setup locale=fr", delivery_id="a:setup")
    await b.join("chloe", delivery_id="b:chloe")

    [welcome] = b.chat.dms("chloe")
    assert "Bienvenue" in welcome.text, welcome.text


async def test_a_rule_set_in_one_instance_after_the_other_started_fires_there_too(
    pair: tuple[ConsoleCommunity, ConsoleCommunity, list[tuple[str, datetime]]],
) -> None:
    a, b, fired = pair
    await a.command("camille", 'tick every "30 9 * * *"', delivery_id="a:tick")
    await a.stop()  # a dies; b never heard of the rule, and reads it with its next hour's timers
    assert b.scheduler is not None
    await b.scheduler.advance(timedelta(days=2))

    assert sorted(fired) == [("tick", paris(2026, 3, 23, 9, 30)), ("tick", paris(2026, 3, 24, 9, 30))]
