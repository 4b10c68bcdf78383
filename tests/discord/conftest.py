"""Fixtures of the Discord end-to-end tests: the loopback Discord fake, a guild set up by an animator (``world``),
``start_bot``, the real Agora app with the Discord adapter on the test's database (``db_url``), and
``onboarding_bot``, the same with onboarding and a feature's own, on the virtual clock, with an introductions
channel (``intros``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import pytest_asyncio

from bot.features.onboarding import OnboardingFeature
from bot.router import Feature
from tests.discord.support import Bot, World, discord_config, make_world
from tests.fakes.fake_discord import FakeChannel, FakeDiscord


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(bot_name="Agora") as server:
        yield server


@pytest.fixture
def world(fake: FakeDiscord) -> World:
    return make_world(fake)


@pytest_asyncio.fixture
async def start_bot(fake: FakeDiscord, world: World, db_url: str) -> AsyncIterator[Callable[..., Any]]:
    bots: list[Bot] = []

    async def start(
        locale: str = "en",
        *,
        virtual_time: bool = False,
        features: tuple[Feature, ...] = (),
        with_probe: bool = True,
        **community: Any,
    ) -> Bot:
        config = discord_config(fake, world, db_url, locale, **community)
        bot = Bot(config, virtual_time=virtual_time, features=features, with_probe=with_probe)
        bots.append(bot)
        return await bot.start()

    yield start
    for bot in bots:
        await bot.stop()
    fake.assert_all_handled()


@pytest_asyncio.fixture
async def intros(fake: FakeDiscord, world: World) -> FakeChannel:
    return fake.add_channel(world.guild, "introductions")


@pytest.fixture
def onboarding_bot(
    start_bot: Callable[..., Awaitable[Bot]], world: World, intros: FakeChannel
) -> Callable[..., Awaitable[Bot]]:
    """Starts Agora with onboarding and ``features`` (``onboarding_bot(PrivacyFeature())``), on the virtual
    clock, in a community whose welcome, announcements and introductions channels are set (and ``channels``,
    a name → channel id more); stopped after the test, every request to the fake answered."""

    async def start(*features: Feature, locale: str = "en", **channels: int) -> Bot:
        return await start_bot(
            locale,
            virtual_time=True,
            features=(OnboardingFeature(), *features),
            with_probe=False,
            channels={
                "welcome": world.welcome.id,
                "announcements": world.announcements.id,
                "introductions": intros.id,
                **channels,
            },
        )

    return start
