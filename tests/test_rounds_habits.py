"""The habits of the best pairing tools, through the console: pairs who did not meet may meet again sooner, quiet
members are asked once then paused, and the animators' figures."""

from __future__ import annotations

from sqlalchemy import select

from adapters.console import ConsoleCommunity
from storage.models import Member
from tests.test_rounds import everyone_joins, groups_opened, members_of


async def interested(h: ConsoleCommunity, **interests: list[str]) -> None:
    """Profiles saying what each member is into (the optimizer's soft preference for shared interests)."""
    from storage.tables.profiles import Profile

    assert h.database is not None
    async with h.database.transaction() as session:
        ids = dict((await session.execute(select(Member.external_id, Member.id))).all())
        for who, things in interests.items():
            now = h.clock.now()
            session.add(
                Profile(
                    community_id=1,
                    member_id=ids[who],
                    name=who.title(),
                    what="",
                    interests=things,
                    introduced_at=now,
                    updated_at=now,
                )
            )


async def test_a_member_who_could_not_meet_their_group_may_be_grouped_with_them_again(
    h: ConsoleCommunity,
) -> None:
    """In a trio, alice and bob met but chloe said "we won't": only alice and bob count as having met. With dan
    in the next round (and keeping away from alice), chloe goes back with alice rather than alice with bob,
    although alice and bob share an interest."""
    await everyone_joins(h, "alice", "bob", "chloe")
    await h.command("camille", "round start")
    await h.advance(days=3, hours=1)
    await h.press("alice", "Yes, we met")
    await h.press("bob", "Yes, we met")
    await h.press("chloe", "We won't")

    await everyone_joins(h, "dan")
    await h.command("dan", "round avoid @alice")
    await interested(h, alice=["Chess"], bob=["chess"])
    await h.command("camille", "round start")

    second = [members_of(o) for o, _ in groups_opened(h)[1:]]
    assert sorted(map(sorted, second)) == [["alice", "chloe"], ["bob", "dan"]]
