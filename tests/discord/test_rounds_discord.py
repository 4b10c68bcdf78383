"""Grouping rounds on Discord, end to end: the real discord.py against the loopback Discord fake (the bed of
``tests/discord/conftest.py``). Bots can't open group DMs on Discord, so each group gets a private thread in
the rounds channel with its members added; three days later (virtual clock) each member is asked once by DM
whether they met, and a press records the answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest_asyncio
from sqlalchemy import select

from bot.features.rounds import RoundsFeature
from storage.models import Member
from storage.tables.rounds import RoundGroupMember
from tests.discord.support import (
    EPHEMERAL,
    TIMEOUT,
    Bot,
    custom_ids,
    discord_config,
    dm_to,
    eventually,
    followups,
    make_world,
    text_of,
)
from tests.fakes.fake_discord import FakeDiscord

PRIVATE_THREAD = 12
UPDATE_MESSAGE = 7


@pytest_asyncio.fixture
async def bot_and_world(fake: FakeDiscord, db_url: str) -> AsyncIterator[tuple[Bot, Any, Any]]:
    world = make_world(fake)
    rounds = fake.add_channel(world.guild, "coffee-rounds")
    config = discord_config(
        fake,
        world,
        db_url,
        channels={"welcome": world.welcome.id, "announcements": world.announcements.id, "rounds": rounds.id},
    )
    bot = Bot(config, probe=RoundsFeature(), virtual_time=True)  # type: ignore[arg-type]
    await bot.start()
    yield bot, world, rounds
    await bot.stop()
    fake.assert_all_handled()


async def test_a_round_on_discord_opens_a_private_thread_and_asks_did_you_meet(
    fake: FakeDiscord,
    bot_and_world: tuple[Bot, Any, Any],
) -> None:
    bot, world, rounds = bot_and_world
    bob = fake.add_member(world.guild, "bob").user

    for user in (world.alice, bob):
        joined = await fake.wait_for_answer(await fake.slash_command(world.guild, user, "agora round join"))
        assert joined["data"]["flags"] & EPHEMERAL
        assert joined["data"]["content"].startswith("You're in! At each round I'll put you in a small group")
        await bot.settle()

    mark = len(fake.requests)
    started = await fake.slash_command(world.guild, world.camille, "agora round start")
    answer = await fake.wait_for_answer(started)
    assert answer["data"]["content"] == "Round 1 is out: 2 members in 1 group."

    # A private thread in the rounds channel, both members added, then the introduction posted in it.
    opened = await fake.wait_for_request(
        "POST", rf"^/channels/{rounds.id}/threads$", status=200, since=mark, timeout=TIMEOUT
    )
    assert opened.body["type"] == PRIVATE_THREAD and opened.body["name"] == "Round 1"
    thread_id = opened.response["id"]
    for user in (world.alice, bob):
        await fake.wait_for_request(
            "PUT", rf"^/channels/{thread_id}/thread-members/{user.id}$", timeout=TIMEOUT
        )
    posted = await fake.wait_for_request(
        "POST", rf"^/channels/{thread_id}/messages$", status=200, since=mark, timeout=TIMEOUT
    )
    intro = fake.message(posted.response["id"])
    shown = text_of(intro)
    assert "Round 1: meet each other" in shown
    assert f"<@{world.alice.id}>" in shown and f"<@{bob.id}>" in shown
    assert "To get the conversation going" in shown

    # Three days later: one question by DM, with its three answers.
    mark = len(fake.requests)
    assert bot.app is not None
    await bot.app.scheduler.advance(timedelta(days=3, hours=1))  # type: ignore[attr-defined]
    await bot.settle()
    question = await dm_to(fake, world.alice, since=mark)
    assert "Round 1: did you meet?" in text_of(question)
    ids = custom_ids(question)
    # The adapter scopes the ids to the guild: agora@<guild>:rounds:met:<seat>.
    assert [":".join(i.split(":")[1:3]) for i in ids] == ["rounds:met", "rounds:not_yet", "rounds:wont"]

    pressed = await fake.press_button(ids[0], world.alice, message=question["id"])
    updated = await fake.wait_for_answer(pressed)
    assert updated["type"] == UPDATE_MESSAGE  # the question turns into the answer, in place
    assert "✅ You met bob." in text_of(updated["data"]) and updated["data"]["components"] == []
    [thanks] = await followups(fake, pressed)
    assert thanks["content"] == "Wonderful! Thank you for telling me." and thanks["flags"] & EPHEMERAL
    await bot.settle()
    await eventually(lambda: custom_ids(fake.message(question["id"])) == [], "the question loses its buttons")

    assert bot.database is not None
    async with bot.database.transaction() as session:
        answers = dict(
            (
                await session.execute(
                    select(Member.external_id, RoundGroupMember.answer).join(
                        Member, Member.id == RoundGroupMember.member_id
                    )
                )
            ).all()
        )
    assert answers == {world.alice.id: "met", bob.id: None}


async def test_the_captain_finds_a_time_in_the_groups_thread_and_the_invitation_follows(
    fake: FakeDiscord,
    bot_and_world: tuple[Bot, Any, Any],
) -> None:
    """The captain's date poll on Discord: "Find a time" under the introduction opens a modal, the poll is posted
    in the group's private thread, each member answers with its buttons, and the time is posted with an .ics."""
    bot, world, rounds = bot_and_world
    bob = fake.add_member(world.guild, "bob").user
    for user in (world.alice, bob):
        await fake.wait_for_answer(await fake.slash_command(world.guild, user, "agora round join"))
        await bot.settle()
    mark = len(fake.requests)
    await fake.wait_for_answer(await fake.slash_command(world.guild, world.camille, "agora round start"))
    opened = await fake.wait_for_request(
        "POST", rf"^/channels/{rounds.id}/threads$", status=200, since=mark, timeout=TIMEOUT
    )
    thread_id = opened.response["id"]
    posted = await fake.wait_for_request(
        "POST", rf"^/channels/{thread_id}/messages$", status=200, since=mark, timeout=TIMEOUT
    )
    intro = fake.message(posted.response["id"])
    assert f"<@{world.alice.id}>, you're this round's captain" in text_of(intro)
    [find_time] = [c for c in custom_ids(intro) if ":rounds:find_time:" in c]

    press = await fake.press_button(find_time, world.alice, message=intro["id"])
    modal = await fake.wait_for_answer(press)
    assert modal["type"] == 9 and modal["data"]["title"] == "Find a time"
    form_id = modal["data"]["custom_id"]
    [field] = [(row.get("component") or row["components"][0]) for row in fake.modals[form_id].components]
    mark = len(fake.requests)
    submitted = await fake.submit_modal(
        form_id, world.alice, {field["custom_id"]: "in 2 days at 12:30\nin 3 days at 18:00"}
    )
    await fake.wait_for_answer(submitted)
    await bot.settle()
    polled = await fake.wait_for_request(
        "POST", rf"^/channels/{thread_id}/messages$", status=200, since=mark, timeout=TIMEOUT
    )
    poll = fake.message(polled.response["id"])
    assert "Find a time" in text_of(poll)
    votes = custom_ids(poll)
    assert [v.split(".")[-1] for v in votes] == ["yes", "maybe", "no", "yes", "maybe", "no"]

    mark = len(fake.requests)
    for user, chosen in ((world.alice, (0, 5)), (bob, (1, 3))):  # alice: yes 1, no 2; bob: maybe 1, yes 2
        for index in chosen:
            pressed = await fake.press_button(votes[index], user, message=poll["id"])
            updated = await fake.wait_for_answer(pressed)
            assert updated["type"] == UPDATE_MESSAGE
            await bot.settle()
    # Everyone answered: the time that suits best (the first: a yes and an if-need-be) comes with its invitation.
    settled = await fake.wait_for_request(
        "POST", rf"^/channels/{thread_id}/messages$", status=200, since=mark, timeout=TIMEOUT
    )
    invitation = fake.message(settled.response["id"])
    assert "It's a date!" in text_of(invitation)
    [ics] = invitation["attachments"]
    assert ics["filename"].endswith(".ics")
    assert b"BEGIN:VEVENT" in fake.attachments[ics["id"]]
    await eventually(
        lambda: custom_ids(fake.message(poll["id"])) == [], "the poll loses its buttons once settled"
    )
