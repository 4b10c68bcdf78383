"""The habits of the best pairing tools, through the console: pairs who did not meet may meet again sooner, quiet
members are asked once then paused, and the animators' figures."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import select

from adapters.console import ConsoleCommunity
from adapters.console.chat import Sent
from adapters.console.community import ScriptError
from storage.models import Member
from tests.support import everyone_joins, groups_opened, members_of

STILL_UP = "Still up for the rounds?"


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


def questions_to(h: ConsoleCommunity, name: str, title: str) -> list[Sent]:
    return [d for d in h.chat.dms(name) if d.message is not None and d.message.title == title]


@pytest.fixture
async def by_hand(make_harness: Callable[..., ConsoleCommunity]) -> AsyncIterator[ConsoleCommunity]:
    """A community whose rounds start only by hand (no weekly round in the middle of a story)."""
    community = make_harness("en", rounds={"enabled": False})
    await community.start()
    yield community
    await community.stop()


async def a_round_where_all_but_chloe_answer(h: ConsoleCommunity) -> None:
    await h.command("camille", "round start")
    await all_but_chloe_answer(h)


async def all_but_chloe_answer(h: ConsoleCommunity) -> None:
    await h.advance(days=3, hours=1)  # "Did you meet?" goes out
    for name in ("alice", "bob", "dan"):
        try:
            await h.press(name, "Yes, we met")
        except ScriptError:
            pass  # not grouped this round
    await h.advance(days=4)


async def test_a_quiet_member_is_asked_once_then_paused_and_told_how_to_come_back(
    by_hand: ConsoleCommunity,
) -> None:
    h = by_hand
    await everyone_joins(h, "alice", "bob", "chloe", "dan")
    await a_round_where_all_but_chloe_answer(h)
    await a_round_where_all_but_chloe_answer(h)
    assert not questions_to(h, "chloe", STILL_UP)

    await h.command("camille", "round start")  # round 3: chloe left the last two questions unanswered
    [asked] = questions_to(h, "chloe", STILL_UP)
    assert asked.message is not None
    assert [b.label for b in asked.message.buttons] == ["Keep me in", "Pause me for a month", "Take me out"]
    assert "I'll only ask this once" in (asked.message.footer or "")
    assert all("chloe" not in members_of(o) for o, _ in groups_opened(h)[-1:])  # nobody waits for her

    await h.advance(days=3, hours=1)  # no answer
    [paused] = [d for d in h.chat.dms("chloe") if "I've paused the rounds for you" in d.text]
    assert paused.message is not None and [b.label for b in paused.message.buttons] == ["Count me in"]
    assert "/agora round join" in paused.text
    page = await h.command("chloe", "round")
    assert page.replies[0].text.startswith("The rounds are paused for you.")
    status = (await h.command("camille", "round status")).replies[0].plain()
    assert "3 taking part, 0 skipping the next round, 0 left the rounds." in status
    assert "Paused: 1 as quiet" in status

    before = len(groups_opened(h))
    await h.advance(days=4)
    await h.command("camille", "round start")  # round 4: she is paused, and not asked again
    assert all("chloe" not in members_of(o) for o, _ in groups_opened(h)[before:])
    assert len(questions_to(h, "chloe", STILL_UP)) == 1

    back = await h.press("chloe", "Count me in")
    assert back.replies[0].text.startswith("You're in!")
    await h.command("camille", "round start")
    assert "chloe" in set().union(*(members_of(o) for o, _ in groups_opened(h)[-2:]))


async def test_a_quiet_member_may_pause_for_a_month_or_stay_in(by_hand: ConsoleCommunity) -> None:
    h = by_hand
    await everyone_joins(h, "alice", "bob", "chloe", "dan")
    await a_round_where_all_but_chloe_answer(h)
    await a_round_where_all_but_chloe_answer(h)
    await h.command("camille", "round start")
    chose = await h.press("chloe", "Pause me for a month")
    assert chose.replies[0].text.startswith("Done: no rounds for you until")
    assert chose.update is not None and not chose.update.buttons
    await all_but_chloe_answer(h)
    await a_round_where_all_but_chloe_answer(h)
    assert all("chloe" not in members_of(o) for o, _ in groups_opened(h)[-2:])
    await h.advance(days=20)
    await h.command("camille", "round start")  # the month is over: back automatically
    assert "chloe" in set().union(*(members_of(o) for o, _ in groups_opened(h)[-2:]))

    kept = await h.press("chloe", "Pause me for a month")  # the old question's button still answers
    assert kept.replies[0].text.startswith("Done: no rounds for you until")
    stay = await h.command("chloe", "round join")
    assert stay.replies[0].text.startswith("You're in!")


async def test_a_question_that_cannot_reach_the_quiet_member_pauses_nobody(by_hand: ConsoleCommunity) -> None:
    h = by_hand
    await everyone_joins(h, "alice", "bob", "chloe", "dan")
    await a_round_where_all_but_chloe_answer(h)
    await a_round_where_all_but_chloe_answer(h)
    h.chat.closed_dms.add("chloe")  # DMs refused, and the welcome channel to fall back on is read-only
    h.chat.read_only_channels.add("welcome")
    await h.command("camille", "round start")
    told = [s for s in h.chat.sent if "could not ask <@chloe> whether they want to stay in" in s.text]
    assert told, "the animator who started the round hears that chloe was not asked"
    await h.advance(days=3, hours=1)
    assert not [d for d in h.chat.sent if "I've paused the rounds for you" in d.text]
    page = await h.command("chloe", "round")
    assert page.replies[0].text.startswith("You take part in the rounds.")


async def test_a_quiet_member_who_answers_did_you_meet_meanwhile_is_not_paused(
    by_hand: ConsoleCommunity,
) -> None:
    h = by_hand
    await everyone_joins(h, "alice", "bob", "chloe", "dan")
    await a_round_where_all_but_chloe_answer(h)
    await a_round_where_all_but_chloe_answer(h)
    await h.command("camille", "round start")
    assert questions_to(h, "chloe", STILL_UP)
    await h.press("chloe", "We won't")  # her last question, answered at last
    await h.advance(days=3, hours=1)
    assert not [d for d in h.chat.dms("chloe") if "I've paused the rounds for you" in d.text]
    page = await h.command("chloe", "round")
    assert page.replies[0].text.startswith("You take part in the rounds.")
