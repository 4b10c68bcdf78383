"""Planning off the event loop and outside the community's lock: while a round is being planned (a search of a
few seconds, in the worker process), the members of the same community are answered at once, the database is
not held, and the round comes out once, even if the process stops while planning."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable

from adapters.console import ConsoleCommunity
from bot.features.rounds.grouping import Person, plan_round
from bot.features.rounds.planning import fitted
from tests.support import Watched, groups_opened, members_of, rounds_and_groups, thirty_six_join, typed

PLAN_TIME = 3.0


async def test_a_member_of_the_same_community_is_answered_within_100_ms_while_its_round_is_planned(
    make_harness: Callable[..., ConsoleCommunity], watched: Watched
) -> None:
    h = make_harness("en", rounds={"group_size": 4, "planning_budget": f"{PLAN_TIME:g}s"})
    async with h:
        await thirty_six_join(h)
        await h.command("alice", "help")
        assert h.app is not None

        planning = asyncio.create_task(h.command("camille", "round start"))
        await watched.computing.wait()
        waits = []
        while not watched.computed.is_set():
            started = time.perf_counter()
            answer = await h.app.dispatch(typed(h, "alice", "help"))
            elapsed = time.perf_counter() - started
            assert answer.replies and answer.error is None
            if not watched.computed.is_set():  # answered while the plan was still being computed
                waits.append(elapsed)
            await asyncio.sleep(0.02)  # a member's pace, and room for the worker on a shared machine

        shown = [round(w * 1000) for w in waits]
        print(f"answers in ms while planning: {shown}")
        assert len(waits) >= 10, f"answers came while the plan was being computed: {shown}"
        # Typically ~10 ms each. On a busy shared machine one answer may meet the loop's ordinary noise, so the
        # median is held to 100 ms and the slowest to a tenth of the plan: an answer waiting for the plan (the
        # community's lock, or SQLite's writer) would take seconds.
        assert statistics.median(waits) < 0.1, f"answers in ms: {shown}"
        assert max(waits) < PLAN_TIME / 10, f"answers in ms: {shown}"

        started = await planning
        # Not "out" before it is: the plan took longer than the command waits, so the animator is told it is
        # being planned, and told in a direct message once it is out.
        assert started.replies[0].text.startswith("Planning round 1:")
        assert [d.message.text for d in h.chat.dms("camille") if d.message] == [
            "Round 1 is out: 36 members in 9 groups."
        ]
        assert len(groups_opened(h)) == 9
        assert await rounds_and_groups(h) == (1, 9)

        await h.advance(minutes=5)  # the planning timer's own time passes: nothing more
        assert await rounds_and_groups(h) == (1, 9)
        [announcement] = h.chat.posts("announcements")
        assert announcement.text.startswith("Round 1 is out: 36 members in 9 groups")


async def test_a_round_planned_when_the_process_stopped_comes_out_once_after_the_restart(
    make_harness: Callable[..., ConsoleCommunity], watched: Watched
) -> None:
    h = make_harness("en", rounds={"group_size": 4, "planning_budget": f"{PLAN_TIME:g}s"})
    async with h:
        await thirty_six_join(h)
        assert h.app is not None

        command = asyncio.create_task(h.app.dispatch(typed(h, "camille", "round start")))
        await watched.computing.wait()
        # The process dies while planning: the plan and the command's wait with it.
        for task in list(h.app._tasks):
            task.cancel()
        command.cancel()
        await asyncio.gather(command, return_exceptions=True)
        await h.restart()
        assert await rounds_and_groups(h) == (0, 0)

        watched.computing.clear()
        await h.advance(minutes=2)  # the planning timer comes due: planned again, then out
        assert watched.computing.is_set()
        assert await rounds_and_groups(h) == (1, 9)
        assert [d.message.text for d in h.chat.dms("camille") if d.message] == [
            "Round 1 is out: 36 members in 9 groups."
        ]
        await h.advance(minutes=5)
        await h.restart()
        await h.advance(minutes=5)
        assert await rounds_and_groups(h) == (1, 9)


async def test_a_member_who_joins_while_the_round_is_planned_is_in_it(
    make_harness: Callable[..., ConsoleCommunity], watched: Watched
) -> None:
    h = make_harness("en", rounds={"group_size": 4, "planning_budget": f"{PLAN_TIME:g}s"})
    async with h:
        await thirty_six_join(h)
        assert h.app is not None
        planning = asyncio.create_task(h.command("camille", "round start"))
        await watched.computing.wait()
        joined = await h.app.dispatch(typed(h, "zoe", "round join"))
        assert joined.error is None and not watched.computed.is_set()
        await planning

        # The plan was made for 36; applied, it has zoe too (the groups it can keep, the others planned again).
        assert [d.message.text for d in h.chat.dms("camille") if d.message] == [
            "Round 1 is out: 37 members in 9 groups."
        ]
        assert any("zoe" in members_of(opened) for opened, _thread in groups_opened(h))
        assert await rounds_and_groups(h) == (1, 9)


def test_a_plan_computed_for_an_earlier_roster_is_fitted_to_who_is_there_now() -> None:
    before = [Person(f"m{i:02d}") for i in range(12)]
    plan = plan_round(before, size=4, seed=1)
    # While it was computed, m00 left and two members joined.
    now = [p for p in before if p.id != "m00"] + [Person("m12"), Person("m13")]
    fit = fitted(plan, now, {"size": 4, "seed": 1})
    placed = [m for group in fit.groups for m in group] + list(fit.unplaced)
    assert sorted(placed) == sorted(p.id for p in now)  # everyone there once, nobody who left
    untouched = [group for group in plan.groups if "m00" not in group]
    assert len(untouched) == 2 and all(group in fit.groups for group in untouched)
    assert sorted(len(group) for group in fit.groups) == [4, 4, 5]
