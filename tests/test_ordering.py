"""Events of one community that touch different things run at once; those that touch the same poll, the same
member, or the whole community (a settings change) keep their order; a transaction PostgreSQL refuses for a
concurrent one's sake runs again, once.

No timing anywhere: a handler that must run beside another waits, inside its transaction, until the other one
has finished, which only happens if they do run side by side (else the test stops at its deadlock guard)."""

from __future__ import annotations

import asyncio
from itertools import count

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from adapters.console import ConsoleCommunity
from bot.context import Context
from bot.events import ButtonPressed, ChannelRef, CommandInvoked, MemberRef, SettingsChanged
from bot.router import Feature, action, on
from storage.models import Member, ProcessedDelivery
from tests.conftest import is_postgresql

# Long enough never to be reached by a test that works: it only turns a deadlock into a failure.
DEADLOCK_GUARD = 30


class PollsFeature(Feature):
    """Buttons on polls that write down when they run: "poll:hold" waits, inside its transaction, for a signal;
    "poll:answer" says when it is done; "poll:conflict" is refused by PostgreSQL as a concurrent transaction
    would be, the first ``conflicts`` times it runs."""

    name = "polls-test"

    def __init__(self) -> None:
        self.log: list[str] = []
        self.holding = asyncio.Event()
        self.release = asyncio.Event()
        self.answered = asyncio.Event()
        self.conflicts = 0
        self.runs = 0

    @action("poll:hold")
    async def hold(self, ctx: Context[ButtonPressed]) -> None:
        self.log.append(f"hold {ctx.event.ref} begins")
        self.holding.set()
        await self.release.wait()
        self.log.append(f"hold {ctx.event.ref} ends")

    @action("poll:answer")
    async def answer(self, ctx: Context[ButtonPressed]) -> None:
        assert ctx.actor is not None
        self.log.append(f"{ctx.actor.id} answers {ctx.event.ref}")
        self.answered.set()

    @action("poll:conflict")
    async def conflict(self, ctx: Context[ButtonPressed]) -> None:
        self.runs += 1
        await ctx.member()
        if self.conflicts:
            self.conflicts -= 1
            # What PostgreSQL says to the loser of two serializable transactions.
            await ctx.session.execute(
                text("DO $$ BEGIN RAISE EXCEPTION 'could not serialize' USING ERRCODE = '40001'; END $$")
            )
        ctx.reply("Counted.")

    @action("poll:mention")
    async def mention(self, ctx: Context[ButtonPressed]) -> None:
        """Names Dana, a member not seen yet (stored on first sight); "poll:mention" on poll 1 then waits."""
        self.runs += 1
        await ctx.member(MemberRef(ctx.community_ref.platform, "dana", "Dana"))
        if ctx.event.ref == "1":
            self.holding.set()
            await self.release.wait()
        self.log.append(f"{ctx.event.ref} mentions dana")

    @on(SettingsChanged)
    async def settings_changed(self, ctx: Context[SettingsChanged]) -> None:
        self.log.append("settings change")


_deliveries = count()


def press(h: ConsoleCommunity, who: str, action_name: str, ref: str) -> ButtonPressed:
    return ButtonPressed(
        community=h.ref,
        actor=h.member(who),
        action=action_name,
        ref=ref,
        delivery_id=f"ordering:{next(_deliveries)}",
    )


def settings_change(h: ConsoleCommunity, who: str, **changes: str) -> CommandInvoked:
    return CommandInvoked(
        community=h.ref,
        actor=h.member(who),
        name="setup",
        args=changes,
        channel=ChannelRef("console", h.channel),
        delivery_id=f"ordering:{next(_deliveries)}",
    )


async def polls(h: ConsoleCommunity) -> PollsFeature:
    feature = PollsFeature()
    assert h.app is not None
    h.app.router.add(feature)
    await h.join("alice")
    await h.join("bob")
    return feature


async def test_answers_on_two_polls_run_side_by_side_on_postgresql(h: ConsoleCommunity) -> None:
    if not is_postgresql(h.config.database.url):
        pytest.skip("SQLite runs one transaction at a time")
    feature = await polls(h)
    assert h.app is not None
    # Alice's press on poll 1 holds its transaction open until Bob's answer on poll 2 has been handled.
    feature.release = feature.answered
    async with asyncio.timeout(DEADLOCK_GUARD):
        held = asyncio.ensure_future(h.app.dispatch(press(h, "alice", "poll:hold", "1")))
        await feature.holding.wait()
        answered = await h.app.dispatch(press(h, "bob", "poll:answer", "2"))
        await held
    assert answered.handled
    assert feature.log == ["hold 1 begins", "bob answers 2", "hold 1 ends"]


@pytest.mark.parametrize(
    ("second", "ref"),
    [("bob", "1"), ("alice", "2")],
    ids=["another member on the same poll", "the same member on another poll"],
)
async def test_events_about_the_same_poll_or_member_keep_their_order(
    h: ConsoleCommunity, second: str, ref: str
) -> None:
    feature = await polls(h)
    assert h.app is not None
    async with asyncio.timeout(DEADLOCK_GUARD):
        held = asyncio.ensure_future(h.app.dispatch(press(h, "alice", "poll:hold", "1")))
        await feature.holding.wait()
        waiting = asyncio.ensure_future(h.app.dispatch(press(h, second, "poll:answer", ref)))
        await asyncio.sleep(0)  # it has arrived: it waits for its turn, which needs nothing else to run
        assert not waiting.done()
        feature.release.set()
        await asyncio.gather(held, waiting)
    assert feature.log == ["hold 1 begins", "hold 1 ends", f"{second} answers {ref}"]


async def test_a_settings_change_waits_for_what_runs_and_holds_up_what_comes_after(
    h: ConsoleCommunity,
) -> None:
    feature = await polls(h)
    assert h.app is not None
    async with asyncio.timeout(DEADLOCK_GUARD):
        held = asyncio.ensure_future(h.app.dispatch(press(h, "alice", "poll:hold", "1")))
        await feature.holding.wait()
        setup = asyncio.ensure_future(h.app.dispatch(settings_change(h, "camille", locale="fr")))
        # Bob's answer is about another poll, but it came after the settings change: it reads the new ones.
        after = asyncio.ensure_future(h.app.dispatch(press(h, "bob", "poll:answer", "2")))
        await asyncio.sleep(0)
        assert not setup.done() and not after.done()
        feature.release.set()
        await asyncio.gather(held, setup, after)
    assert feature.log == ["hold 1 begins", "hold 1 ends", "settings change", "bob answers 2"]


async def test_a_transaction_refused_for_a_concurrent_ones_sake_runs_again_once(h: ConsoleCommunity) -> None:
    if not is_postgresql(h.config.database.url):
        pytest.skip("SQLite runs one transaction at a time: nothing to refuse")
    feature = await polls(h)
    assert h.app is not None

    feature.conflicts = 1
    outcome = await h.app.dispatch(press(h, "alice", "poll:conflict", "1"))
    assert [m.text for m in outcome.replies] == ["Counted."]
    assert feature.runs == 2

    # Refused twice: the second refusal is not hidden (the event stays in the inbox, the platform's retry or the
    # next start runs it again), and nothing of it was kept.
    feature.conflicts, feature.runs = 2, 0
    event = press(h, "bob", "poll:conflict", "1")
    with pytest.raises(DBAPIError, match="could not serialize"):
        await h.app.dispatch(event)
    assert feature.runs == 2
    assert h.database is not None
    async with h.database.transaction() as session:
        recorded = await session.scalar(
            select(func.count()).where(ProcessedDelivery.delivery_id == event.delivery_id)
        )
    assert recorded == 0


async def test_a_member_first_seen_by_two_events_at_once_is_stored_once_the_second_running_again(
    h: ConsoleCommunity,
) -> None:
    if not is_postgresql(h.config.database.url):
        pytest.skip("SQLite runs one transaction at a time: nothing to refuse")
    feature = await polls(h)
    assert h.app is not None and h.database is not None
    async with asyncio.timeout(DEADLOCK_GUARD):
        held = asyncio.ensure_future(h.app.dispatch(press(h, "alice", "poll:mention", "1")))
        await feature.holding.wait()
        # Bob's event, about another poll, runs beside Alice's: storing Dana too, it waits for Alice's
        # transaction (the same member's row, not committed yet), then is refused when that one commits.
        second = asyncio.ensure_future(h.app.dispatch(press(h, "bob", "poll:mention", "2")))
        # Only PostgreSQL knows when it waits: ask it until it does (no event to await).
        while not await waiting_for_a_lock(h):  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        feature.release.set()
        await held
        outcome = await second
    assert outcome.handled and not outcome.duplicate
    assert feature.runs == 3  # Alice's once, Bob's twice
    assert feature.log == ["1 mentions dana", "2 mentions dana"]
    async with h.database.transaction() as session:
        assert await session.scalar(select(func.count()).where(Member.external_id == "dana")) == 1


async def waiting_for_a_lock(h: ConsoleCommunity) -> bool:
    """Whether a transaction of this database waits for a lock another holds."""
    assert h.database is not None
    async with h.database.transaction() as session:
        waiting = await session.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
        )
    return bool(waiting)


async def test_an_event_given_up_while_waiting_for_its_turn_holds_nobody_up(h: ConsoleCommunity) -> None:
    feature = await polls(h)
    assert h.app is not None
    async with asyncio.timeout(DEADLOCK_GUARD):
        held = asyncio.ensure_future(h.app.dispatch(press(h, "alice", "poll:hold", "1")))
        await feature.holding.wait()
        # A settings change and an answer about the same poll wait; their callers give up (a shutdown).
        setup = asyncio.ensure_future(h.app.dispatch(settings_change(h, "camille", locale="fr")))
        same = asyncio.ensure_future(h.app.dispatch(press(h, "bob", "poll:answer", "1")))
        await asyncio.sleep(0)
        setup.cancel()
        same.cancel()
        feature.release.set()
        await held
        answered = await h.app.dispatch(press(h, "bob", "poll:answer", "1"))
    assert answered.handled and setup.cancelled() and same.cancelled()
    assert feature.log == ["hold 1 begins", "hold 1 ends", "bob answers 1"]
