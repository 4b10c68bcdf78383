"""The dashboard on Discord (the real discord.py against the loopback Discord fake): every request asks the guild's
member cache, which Discord keeps current, whether the animator still animates. Taking their animator role away,
or the role that made them an administrator, or their leaving the server, closes their session at the next
request."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from bot.config import WebConfig
from bot.events import CommunityRef
from bot.features.dashboard import DashboardFeature
from bot.web import Dashboard
from tests.discord.support import Bot, World, discord_config, eventually
from tests.fakes.fake_discord import FakeDiscord, FakeUser, PermissionBits
from tests.web.support import LINK, PUBLIC_URL, Browser

TIMEOUT = 10.0


@contextlib.asynccontextmanager
async def running(fake: FakeDiscord, world: World, db_url: str) -> AsyncIterator[tuple[Bot, Browser]]:
    """The bot with the dashboard on, served, and a browser."""
    config = discord_config(fake, world, db_url).model_copy(
        update={"web": WebConfig(enabled=True, host="127.0.0.1", port=0, public_url=PUBLIC_URL)}
    )
    bot = await Bot(config, virtual_time=True, features=[DashboardFeature()], with_probe=False).start()
    assert bot.app is not None
    dashboard = Dashboard(bot.app, config.web)
    await dashboard.start()
    browser = Browser(dashboard)
    try:
        yield bot, browser
    finally:
        await browser.close()
        await dashboard.stop()
        await bot.stop()


async def sign_in(fake: FakeDiscord, world: World, browser: Browser, user: FakeUser) -> str:
    """``user`` runs /agora dashboard and opens the link they alone are answered with; returns the settings page,
    open."""
    asked = await fake.slash_command(world.guild, user, "agora dashboard")
    answer = await fake.wait_for_answer(asked, timeout=TIMEOUT)
    found = LINK.search(answer["data"]["content"])
    assert found, answer
    await browser.sign_in(found.group(1))
    settings = browser.path.rsplit("/", 1)[0] + "/settings"
    await browser.get(settings)
    assert browser.status == 200, browser.text
    return settings


def roles_seen(bot: Bot, world: World, user: FakeUser) -> set[str]:
    """The role names discord.py's member cache holds for ``user`` (None: not a member any more)."""
    assert bot.adapter is not None and bot.adapter.client is not None
    guild = bot.adapter.client.get_guild(int(world.guild.id))
    assert guild is not None
    member = guild.get_member(int(user.id))
    return {"(gone)"} if member is None else {role.name for role in member.roles}


async def test_an_animator_whose_role_is_taken_away_is_refused(
    fake: FakeDiscord, world: World, db_url: str
) -> None:
    async with running(fake, world, db_url) as (bot, browser):
        settings = await sign_in(fake, world, browser, world.camille)

        await fake.member_update(world.guild, world.camille, roles=[])
        await eventually(lambda: "Animators" not in roles_seen(bot, world, world.camille), "the role is gone")
        await browser.get(settings)

        assert browser.status == 403
        assert "/agora dashboard" in browser.text


async def test_an_administrator_demoted_is_refused(fake: FakeDiscord, world: World, db_url: str) -> None:
    admins = fake.add_role(world.guild, "Admins", permissions=PermissionBits.ADMINISTRATOR)
    dora = fake.add_member(world.guild, "dora", roles=[admins]).user
    async with running(fake, world, db_url) as (bot, browser):
        settings = await sign_in(fake, world, browser, dora)

        await fake.member_update(world.guild, dora, roles=[])
        await eventually(lambda: "Admins" not in roles_seen(bot, world, dora), "she is no longer an admin")
        await browser.get(settings)

        assert browser.status == 403


async def test_an_animator_who_left_the_server_is_refused(
    fake: FakeDiscord, world: World, db_url: str
) -> None:
    async with running(fake, world, db_url) as (bot, browser):
        settings = await sign_in(fake, world, browser, world.camille)

        await fake.member_leave(world.guild, world.camille)
        await eventually(lambda: roles_seen(bot, world, world.camille) == {"(gone)"}, "she left")
        await browser.get(settings)

        assert browser.status == 403


async def test_a_process_whose_shards_do_not_hold_the_guild_asks_discord(
    fake: FakeDiscord, world: World, db_url: str
) -> None:
    """With shards across processes, the dashboard may be served by a process that does not hold the guild:
    its member is then read from Discord itself, roles and administrator flag alike."""
    elsewhere = 1 - (int(world.guild.id) >> 22) % 2  # the shard that does not carry this guild
    config = discord_config(fake, world, db_url)
    assert config.discord is not None
    section = config.discord.model_copy(update={"shard_count": 2, "shard_ids": [elsewhere]})
    bot = await Bot(config.model_copy(update={"discord": section})).start()
    try:
        assert bot.app is not None
        chat = bot.app.chats["discord"]
        guild = CommunityRef("discord", world.guild.id, world.guild.name)

        camille = await chat.describe_member(guild, world.camille.id)
        alice = await chat.describe_member(guild, world.alice.id)
        stranger = await chat.describe_member(guild, fake.add_user("stranger").id)

        assert camille is not None and "Animators" in camille.roles and not camille.is_admin
        assert alice is not None and not alice.roles
        assert stranger is None
        assert fake.find_requests("GET", rf"/guilds/{world.guild.id}/members/{world.camille.id}$")
    finally:
        await bot.stop()
