"""Timers and recurring rules: APScheduler's triggers, the community's time zone, restarts and catch-up."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.interval import IntervalTrigger

from adapters.console import ConsoleCommunity
from bot.app import default_features
from bot.clock import FakeClock, SystemClock
from bot.context import Context
from bot.events import CommandInvoked, TimerFired
from bot.i18n import N_
from bot.router import Feature, Option, command, timer
from bot.scheduler import APScheduler, VirtualScheduler, cron_trigger, next_fire_time


class Ticker(Feature):
    """A test feature: a recurring rule set by command, whose fires are remembered."""

    name = "ticker"

    def __init__(self, fired: list[datetime]) -> None:
        self.fired = fired

    @command("tick every", N_("test"), options=[Option("rule", N_("cron"), required=True)])
    async def every(self, ctx: Context) -> None:
        assert isinstance(ctx.event, CommandInvoked)
        await ctx.set_schedule("tick", ctx.event.args["rule"])

    @command("tick pause", N_("test"))
    async def pause(self, ctx: Context) -> None:
        await ctx.set_schedule("tick", "0 0 * * *", paused=True)

    @timer("tick")
    async def tick(self, ctx: Context) -> None:
        assert isinstance(ctx.event, TimerFired) and ctx.event.due is not None
        self.fired.append(ctx.event.due)


def paris(*args: int) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(*args, tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)


def ticker_harness(make_harness: Callable[..., ConsoleCommunity], fired: list[datetime]) -> ConsoleCommunity:
    h = make_harness("en")
    ticker = Ticker(fired)
    h._features = lambda: [*default_features(), ticker]
    h.clock = FakeClock(paris(2026, 3, 23, 8, 0))  # a Monday, before the change to summer time
    return h


async def test_a_weekly_rule_fires_at_the_communitys_local_time_across_daylight_saving(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    fired: list[datetime] = []
    h = ticker_harness(make_harness, fired)
    async with h:
        await h.command("camille", 'tick every "30 9 * * tue"')
        await h.advance(days=14)

    assert fired == [paris(2026, 3, 24, 9, 30), paris(2026, 3, 31, 9, 30)]
    # 9:30 in Paris is 8:30 UTC in winter and 7:30 UTC in summer.
    assert [f.hour for f in fired] == [8, 7]


async def test_fires_missed_while_stopped_are_caught_up_once_at_start(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    fired: list[datetime] = []
    h = ticker_harness(make_harness, fired)
    async with h:
        await h.command("camille", 'tick every "30 9 * * tue"')
        await h.advance(days=1, hours=2)
        assert len(fired) == 1
        await h.stop()
        h.clock.advance(timedelta(days=21))  # three Tuesdays pass while the bot is down
        await h.start()
        assert len(fired) == 2  # one catch-up, not three
        await h.advance(days=7)
        assert len(fired) == 3


async def test_a_paused_rule_does_not_fire(make_harness: Callable[..., ConsoleCommunity]) -> None:
    fired: list[datetime] = []
    h = ticker_harness(make_harness, fired)
    async with h:
        await h.command("camille", 'tick every "30 9 * * tue"')
        await h.command("camille", "tick pause")
        await h.advance(days=14)
    assert fired == []


async def test_a_bad_cron_rule_is_explained() -> None:
    try:
        cron_trigger("every tuesday", "Europe/Paris")
    except ValueError as exc:
        assert "is not a cron rule" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("accepted a bad rule")


def test_next_fire_time_is_strictly_after() -> None:
    trigger = cron_trigger("30 9 * * tue", "Europe/Paris")
    first = next_fire_time(trigger, paris(2026, 3, 24, 9, 30))
    assert first == paris(2026, 3, 31, 9, 30)


async def test_the_virtual_scheduler_runs_jobs_in_time_order() -> None:
    clock = FakeClock()
    scheduler = VirtualScheduler(clock)
    ran: list[tuple[str, datetime]] = []

    def job(name: str) -> Callable[[], asyncio.Future[None]]:
        async def run() -> None:
            ran.append((name, clock.now()))

        return run  # type: ignore[return-value]

    start = clock.now()
    scheduler.at("b", start + timedelta(hours=2), job("b"))
    scheduler.at("a", start + timedelta(hours=1), job("a"))
    scheduler.at("c", start + timedelta(hours=3), job("c"))
    scheduler.cancel("c")
    await scheduler.advance(timedelta(days=1))
    assert ran == [("a", start + timedelta(hours=1)), ("b", start + timedelta(hours=2))]
    assert clock.now() == start + timedelta(days=1)


async def test_the_production_scheduler_runs_one_off_and_recurring_jobs() -> None:
    clock = SystemClock()
    scheduler = APScheduler(clock)
    await scheduler.start()
    once, twice = asyncio.Event(), asyncio.Event()
    ticks: list[datetime] = []

    async def one_off() -> None:
        once.set()

    async def recurring(when: datetime) -> None:
        ticks.append(when)
        if len(ticks) == 2:
            twice.set()

    try:
        scheduler.at("once", clock.now() + timedelta(milliseconds=50), one_off)
        scheduler.recurring("every", IntervalTrigger(seconds=1, timezone="UTC"), recurring, clock.now())
        await asyncio.wait_for(once.wait(), timeout=5)
        await asyncio.wait_for(twice.wait(), timeout=10)
    finally:
        await scheduler.stop()
    assert ticks[1] - ticks[0] == timedelta(seconds=1)
