"""Agora arrives in a Discord server that already has 300 members, and catches up after downtime: the real
discord.py against the loopback fake, which sends a large guild's members in chunks (REQUEST_GUILD_MEMBERS, op 8 →
GUILD_MEMBERS_CHUNK). The members already there are learnt without a direct message; those who joined while Agora
was down are welcomed once after the restart (or a new gateway session), those who left are gone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest_asyncio
from sqlalchemy import select

from storage.models import Member
from tests.discord.support import (
    BEFORE_AGORA,
    Bot,
    World,
    custom_ids,
    discord_config,
    dm_to,
    eventually,
    make_world,
    text_of,
)
from tests.fakes.fake_discord import FakeDiscord, FakeUser


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(bot_name="Agora", member_chunk_size=100) as server:
        yield server


@pytest_asyncio.fixture
async def bot_and_world(fake: FakeDiscord, db_url: str) -> AsyncIterator[tuple[Bot, World]]:
    world = make_world(fake)
    bot = Bot(discord_config(fake, world, db_url), virtual_time=True)
    yield bot, world
    await bot.stop()
    fake.assert_all_handled()


def populate(fake: FakeDiscord, world: World, humans: int) -> None:
    """Members who were in the server long before Agora, up to ``humans`` humans (the owner, camille, alice...)."""
    present = sum(1 for m in world.guild.members.values() if not m.user.bot)
    for number in range(humans - present):
        fake.add_member(world.guild, f"member{number:03d}").joined_at = BEFORE_AGORA


def dm_channels_opened(fake: FakeDiscord) -> int:
    return len(fake.find_requests("POST", r"^/users/@me/channels$"))


async def members(bot: Bot) -> dict[str, Member]:
    assert bot.database is not None
    async with bot.database.transaction() as session:
        return {m.external_id: m for m in (await session.scalars(select(Member))).all()}


async def welcomes(fake: FakeDiscord, user: FakeUser) -> int:
    return sum(
        1
        for m in fake.bot_messages(fake.dm_channel(user))
        if (m.get("embeds") or [{}])[0].get("title") == "Welcome to The Indies!"
    )


async def test_a_300_member_server_is_learnt_in_chunks_without_a_direct_message(
    fake: FakeDiscord, bot_and_world: tuple[Bot, World]
) -> None:
    bot, world = bot_and_world
    populate(fake, world, 300)

    await bot.start()
    await bot.settle()

    # The guild is large: its GUILD_CREATE carries the bot only, the 300 come in chunks of 100.
    [request] = fake.member_requests
    assert str(request["guild_id"]) == world.guild.id and request["query"] == ""
    assert [(c["chunk_index"], c["chunk_count"]) for c in fake.member_chunks] == [(i, 4) for i in range(4)]
    known = await members(bot)
    assert len(known) == 300 and fake.bot_user.id not in known
    assert all(m.existing_at is not None and m.left_at is None for m in known.values())
    assert dm_channels_opened(fake) == 0 and fake.bot_messages() == []


async def test_charter_status_counts_the_four_humans_already_there(
    fake: FakeDiscord, bot_and_world: tuple[Bot, World]
) -> None:
    bot, world = bot_and_world
    populate(fake, world, 4)
    await bot.start()

    status = await fake.wait_for_answer(
        await fake.slash_command(world.guild, world.camille, "agora charter status")
    )

    assert status["data"]["embeds"][0]["description"].startswith("0 of 4 members accepted version 1 (0%).")


async def test_joins_and_departures_while_down_are_handled_once_after_a_restart_and_a_new_session(
    fake: FakeDiscord, bot_and_world: tuple[Bot, World]
) -> None:
    bot, world = bot_and_world
    populate(fake, world, 6)
    await bot.start()
    await bot.stop()

    # While Agora is down, zoe joins and alice leaves: no gateway event reaches anyone.
    zoe = fake.add_member(world.guild, "zoe")
    world.guild.members.pop(world.alice.id)
    await bot.start()
    await bot.settle()

    welcome = await dm_to(fake, zoe.user)
    assert welcome["embeds"][0]["title"] == "Welcome to The Indies!"
    known = await members(bot)
    assert known[zoe.user.id].existing_at is None and known[zoe.user.id].left_at is None
    assert known[world.alice.id].left_at is not None
    assert sum(1 for m in known.values() if m.left_at is None) == 6

    # The gateway delivers zoe's join late after all: the same membership, no second welcome.
    await fake.dispatch("GUILD_MEMBER_ADD", {"guild_id": world.guild.id, **zoe.to_dict()})
    # A new gateway session (not a RESUME) reads the list again: yann, who joined meanwhile, is welcomed.
    assert bot.adapter is not None and bot.adapter.client is not None
    client: Any = bot.adapter.client

    async def no_wait(*args: Any, **kwargs: Any) -> None:
        return None

    client.before_identify_hook = no_wait  # discord.py waits 5 s before identifying again
    yann = fake.add_member(world.guild, "yann")
    sessions = len(fake.identifies)
    await fake.invalidate_sessions()
    yann_welcome = await dm_to(fake, yann.user)
    assert text_of(yann_welcome).startswith("Welcome to The Indies!")
    assert len(fake.identifies) == sessions + 1
    await bot.settle()

    # And a restart reads it once more: everyone was welcomed once.
    await bot.stop()
    await bot.start()
    await bot.settle()
    assert await welcomes(fake, zoe.user) == 1 and await welcomes(fake, yann.user) == 1
    assert dm_channels_opened(fake) == 2


async def test_the_300_members_already_there_are_invited_at_a_pace_and_keep_their_role_until_the_grace_ends(
    fake: FakeDiscord, bot_and_world: tuple[Bot, World]
) -> None:
    bot, world = bot_and_world
    for number in range(297):  # and the owner, camille, alice: 300
        fake.add_member(
            world.guild, f"member{number:03d}", roles=[world.member_role]
        ).joined_at = BEFORE_AGORA
    fake.member(world.guild, world.alice).roles.append(world.member_role.id)
    await bot.start()
    assert bot.app is not None
    scheduler: Any = bot.app.scheduler

    started = await fake.wait_for_answer(
        await fake.slash_command(world.guild, world.camille, "agora charter invite-existing")
    )
    assert started["data"]["content"].startswith("300 members who were here before Agora are invited")
    assert "1 invitation every 60 seconds" in started["data"]["content"]
    await bot.settle()
    assert dm_channels_opened(fake) == 1  # not 300 direct messages at once

    await scheduler.advance(timedelta(minutes=10))
    await bot.settle()
    assert dm_channels_opened(fake) == 11
    status = await fake.wait_for_answer(
        await fake.slash_command(world.guild, world.camille, "agora charter status")
    )
    assert "11 of 300 sent so far" in text_of(status["data"])

    # alice accepts from her invitation; running the command again invites nobody twice.
    invitation = await dm_to(fake, world.alice)
    assert invitation["embeds"][0]["title"] == "The Indies and its charter"
    press = await fake.press_button(custom_ids(invitation)[0], world.alice, message=invitation["id"])
    await fake.wait_for_answer(press)
    again = await fake.wait_for_answer(
        await fake.slash_command(world.guild, world.camille, "agora charter invite-existing")
    )
    assert "already under way" in again["data"]["content"]

    await scheduler.advance(timedelta(hours=5))
    await bot.settle()
    assert dm_channels_opened(fake) == 300
    assert all(
        world.member_role.id in m.roles
        for m in world.guild.members.values()
        if not m.user.bot and m.user.id not in (world.guild.owner_id, world.camille.id)
    )

    # The grace period ends: the member role waits for the agreement of those who haven't given it.
    await scheduler.advance(timedelta(days=14))
    await bot.settle()
    member = fake.member(world.guild, "member000")
    await eventually(lambda: world.member_role.id not in member.roles, "member000 loses the member role")
    assert world.member_role.id in fake.member(world.guild, world.alice).roles


async def test_a_server_the_bot_is_added_to_is_learnt_without_a_direct_message(
    fake: FakeDiscord, bot_and_world: tuple[Bot, World]
) -> None:
    bot, _world = bot_and_world
    await bot.start()
    other = fake.add_guild("The Makers")
    for number in range(120):
        fake.add_member(other, f"maker{number:03d}")
    for member in other.members.values():  # the owner too
        member.joined_at = BEFORE_AGORA

    await fake.bot_join_guild(other)
    await eventually(
        lambda: bot.adapter and bot.adapter.client and bot.adapter.client.get_guild(int(other.id)), "joined"
    )
    await bot.settle()

    async def learnt() -> bool:
        return (
            await bot.count(Member, Member.existing_at.is_not(None)) == 3 + 121
        )  # this server's and the new

    await eventually(learnt, "the new server's members are learnt")
    await bot.settle()
    assert await bot.count(Member, Member.existing_at.is_(None)) == 0
    assert dm_channels_opened(fake) == 0
