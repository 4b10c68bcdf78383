"""Posts on Discord that the platform refuses for good (403/50013 Missing Permissions in a read-only channel):
the animator who acted is told what is missing instead of "Asked in #read-only", and the feature's state does not
move past the post (the icebreaker question is not counted as asked)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest_asyncio
from sqlalchemy import select

from bot.features.icebreakers import IcebreakersFeature
from storage.models import OutboxEntry, OutboxStatus
from storage.tables.icebreakers import IcebreakerAsked
from tests.discord.support import EPHEMERAL, Bot, World, discord_config, make_world, text_of
from tests.fakes.fake_discord import FakeDiscord, PermissionBits


@pytest_asyncio.fixture
async def read_only(fake: FakeDiscord, db_url: str) -> AsyncIterator[tuple[Bot, Any, Any]]:
    world = make_world(fake)
    channel = fake.add_channel(world.guild, "read-only")
    fake.overwrite(channel, world.guild.id, deny=PermissionBits.SEND_MESSAGES)  # @everyone, the bot included
    config = discord_config(
        fake,
        world,
        db_url,
        channels={
            "welcome": world.welcome.id,
            "announcements": world.announcements.id,
            "icebreakers": channel.id,
        },
    )
    bot = Bot(config, probe=IcebreakersFeature(), virtual_time=True)  # type: ignore[arg-type]
    await bot.start()
    yield bot, world, channel
    await bot.stop()
    fake.assert_all_handled()


async def test_a_question_asked_in_a_read_only_channel_is_not_counted_and_the_animator_is_told_why(
    fake: FakeDiscord, read_only: tuple[Bot, Any, Any]
) -> None:
    bot, world, channel = read_only

    asked = await fake.slash_command(world.guild, world.camille, "agora icebreaker now")
    answer = await fake.wait_for_answer(asked)
    shown = answer["data"]["content"]
    assert answer["data"]["flags"] & EPHEMERAL
    assert "Asked in" not in shown
    assert shown.startswith(
        f"⚠️ I could not post in <#{channel.id}>. Please give me these permissions there: Send Messages."
    )
    assert "was not asked: it goes back among the questions to ask." in shown
    refused = [r for r in fake.requests if r.path == f"/channels/{channel.id}/messages"]
    assert [(r.status, (r.response or {}).get("code")) for r in refused] == [(403, 50013)]

    await bot.settle()
    assert bot.database is not None
    async with bot.database.transaction() as session:
        assert (await session.scalars(select(IcebreakerAsked))).all() == []
        [entry] = (await session.scalars(select(OutboxEntry).where(OutboxEntry.op == "post"))).all()
    assert (entry.status, entry.origin, entry.actor_id) == (
        OutboxStatus.FAILED,
        "icebreaker",
        world.camille.id,
    )
    assert entry.problem == "send_messages"
    # No second notice: neither a DM to her nor a post in the announcements channel.
    assert not [r for r in fake.requests if r.method == "POST" and r.path == "/users/@me/channels"]
    assert not [r for r in fake.requests if r.path == f"/channels/{world.announcements.id}/messages"]

    status = await fake.slash_command(world.guild, world.camille, "agora icebreaker status")
    shown = text_of((await fake.wait_for_answer(status))["data"])
    assert "Last question" not in shown and "0 questions asked out of" in shown


async def test_setup_names_the_permissions_the_bot_lacks_in_a_channel_at_once(
    fake: FakeDiscord, world: World, start_bot: Callable[..., Any]
) -> None:
    read_only = fake.add_channel(world.guild, "read-only")
    fake.overwrite(read_only, world.guild.id, deny=PermissionBits.SEND_MESSAGES)
    no_threads = fake.add_channel(world.guild, "no-threads")
    fake.overwrite(no_threads, world.guild.id, deny=PermissionBits.CREATE_PUBLIC_THREADS)
    hidden = fake.add_channel(world.guild, "hidden")
    fake.overwrite(hidden, world.guild.id, deny=PermissionBits.VIEW_CHANNEL)
    await start_bot()

    chosen = await fake.slash_command(
        world.guild,
        world.camille,
        "agora setup",
        {"icebreakers_channel": read_only, "debates_channel": no_threads, "meetings_channel": hidden},
    )
    [embed] = (await fake.wait_for_answer(chosen))["data"]["embeds"]
    access = next(f["value"] for f in embed["fields"] if f["name"] == "Access")
    # In the order of the channels' purposes, each with what Discord would need granted there.
    assert access.splitlines() == [
        f"⚠️ <#{read_only.id}>: Please give me these permissions there: Send Messages.",
        f"⚠️ <#{no_threads.id}>: Please give me these permissions there: "
        "Create Public Threads and Send Messages in Threads.",
        f"⚠️ <#{hidden.id}>: Please give me these permissions there: View Channel, Send Messages.",
    ]

    fine = await fake.slash_command(
        world.guild, world.camille, "agora setup", {"debates_channel": world.general}
    )
    [embed] = (await fake.wait_for_answer(fine))["data"]["embeds"]
    assert next(f["value"] for f in embed["fields"] if f["name"] == "Access") == (
        "✅ I can do my work in the channels you chose."
    )


async def test_setup_says_when_the_bot_cannot_give_the_member_role(fake: FakeDiscord, db_url: str) -> None:
    world = make_world(fake, bot_permissions=PermissionBits.EVERYONE_DEFAULT)  # no Manage Roles
    bot = Bot(discord_config(fake, world, db_url))
    await bot.start()
    try:
        chosen = await fake.slash_command(
            world.guild, world.camille, "agora setup", {"member_role": world.member_role}
        )
        [embed] = (await fake.wait_for_answer(chosen))["data"]["embeds"]
        access = next(f["value"] for f in embed["fields"] if f["name"] == "Access")
        assert access == (
            f"⚠️ <#{world.welcome.id}>: Please give me these permissions there: "
            "Manage Roles (with my role above the roles I give)."
        )
    finally:
        await bot.stop()
