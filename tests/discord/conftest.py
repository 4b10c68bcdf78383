"""Fixtures of the Discord end-to-end tests: the loopback Discord fake, a guild set up by an animator (``world``),
and ``start_bot``, the real Agora app with the Discord adapter on the test's database (``db_url``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import pytest_asyncio

from tests.discord.support import Bot, World, discord_config, make_world
from tests.fakes.fake_discord import FakeDiscord


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

    async def start(locale: str = "en", *, virtual_time: bool = False, **community: Any) -> Bot:
        bot = Bot(discord_config(fake, world, db_url, locale, **community), virtual_time=virtual_time)
        bots.append(bot)
        return await bot.start()

    yield start
    for bot in bots:
        await bot.stop()
    fake.assert_all_handled()
