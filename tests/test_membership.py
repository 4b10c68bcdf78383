"""Agora arrives in a community that already has members, and catches up with what happened while it was down:
it reads the platform's member list (the console's here; Discord and Slack in their own tests), records those who
were already there without welcoming them, welcomes once whoever joined while it was not listening, and takes
whoever left meanwhile for gone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from adapters.console import ConsoleCommunity
from bot.chat import ListedMember
from bot.events import MemberRef
from bot.membership import Known, plan
from storage.models import Member
from tests.support import charter_dms


async def members(h: ConsoleCommunity) -> dict[str, Member]:
    assert h.database is not None
    async with h.database.transaction() as session:
        return {m.external_id: m for m in (await session.scalars(select(Member))).all()}


async def test_members_already_there_are_learnt_without_a_welcome_and_counted(h: ConsoleCommunity) -> None:
    for name in ("camille", "alice", "bob", "chloe"):
        h.arrive_unseen(name)

    found = await h.reconcile()

    assert (found.listed, found.existing, found.joined, found.left) == (4, 4, 0, 0)
    assert [s for s in h.chat.sent if s.kind in ("dm", "post")] == []
    known = await members(h)
    assert sorted(known) == ["alice", "bob", "camille", "chloe"]
    assert all(m.existing_at is not None and m.left_at is None for m in known.values())
    status = await h.command("camille", "charter status")
    assert "0 of 4 members accepted version 1" in status.replies[0].plain()

    # Reading the list again changes nothing.
    again = await h.reconcile()
    assert (again.existing, again.joined, again.left) == (0, 0, 0)
    assert [s for s in h.chat.sent if s.kind == "dm"] == []


async def test_joins_and_departures_while_down_are_handled_once_after_the_restart(
    h: ConsoleCommunity,
) -> None:
    for name in ("camille", "alice", "bob"):
        h.arrive_unseen(name)
    await h.reconcile()
    await h.join("dan")  # seen: welcomed as usual
    assert len(charter_dms(h, "dan")) == 1

    await h.stop()
    h.arrive_unseen("erin")  # joins while Agora is down
    h.leave_unseen("bob")  # leaves while Agora is down
    await h.start()
    found = await h.reconcile()

    assert (found.existing, found.joined, found.left) == (0, 1, 1)
    assert [m.title for m in charter_dms(h, "erin")] == ["Welcome to The Indies!"]
    known = await members(h)
    assert known["erin"].existing_at is None and known["erin"].left_at is None
    assert known["bob"].left_at is not None
    assert known["alice"].left_at is None and known["dan"].left_at is None

    # A second connection (a new gateway session) reads the same list: nobody is welcomed twice.
    await h.reconcile()
    await h.restart()
    await h.reconcile()
    assert len(charter_dms(h, "erin")) == 1 and len(charter_dms(h, "dan")) == 1

    # bob comes back while Agora is down again: he is welcomed as a returning member.
    await h.stop()
    h.arrive_unseen("bob")
    await h.start()
    found = await h.reconcile()
    assert found.joined == 1
    bob = (await members(h))["bob"]
    assert bob.left_at is None and bob.existing_at is None  # a newcomer again
    assert len(charter_dms(h, "bob")) == 1


async def test_a_join_time_tells_who_was_there_before_agora_from_who_joined_while_it_was_down(
    h: ConsoleCommunity,
) -> None:
    h.arrive_unseen("camille")
    await h.command("camille", "help")  # the community is set up now, and knows camille
    set_up = h.clock.now()
    h.arrive_unseen("old-timer", joined_at=set_up - timedelta(days=400))
    h.arrive_unseen("newcomer", joined_at=set_up + timedelta(minutes=5))
    await h.advance(hours=1)

    found = await h.reconcile()

    assert (found.existing, found.joined, found.left) == (1, 1, 0)
    assert charter_dms(h, "old-timer") == []
    assert [m.title for m in charter_dms(h, "newcomer")] == ["Welcome to The Indies!"]
    known = await members(h)
    assert known["old-timer"].existing_at is not None
    assert known["old-timer"].joined_at == set_up - timedelta(days=400)


async def test_an_empty_list_never_makes_everyone_leave(h: ConsoleCommunity) -> None:
    await h.join("alice")
    h.leave_unseen("alice")  # the list is now empty: a platform that answered wrong, most likely

    found = await h.reconcile()

    assert found.left == 0
    assert (await members(h))["alice"].left_at is None


SET_UP = datetime(2026, 1, 1, tzinfo=UTC)


def test_the_plan_skips_bots_and_repeats() -> None:
    now = ListedMember(MemberRef("console", "ana", "Ana"))
    bot = ListedMember(MemberRef("console", "robot", "Robot", is_bot=True))
    planned = plan([now, now, bot], {}, set_up_at=SET_UP, imported=False)
    assert [e.member.id for e in planned.existing] == ["ana"] and planned.joins == []
    planned = plan([now], {"zoe": Known(SET_UP)}, set_up_at=SET_UP, imported=True)
    assert [e.member.id for e in planned.joins] == ["ana"] and planned.leaves == ["zoe"]
