"""``/agora health`` on Discord (the real discord.py against the loopback Discord fake): the animator's private
answer carries the chart as a PNG file; posted for everyone, the report and its chart go in the channel; a member
is refused."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from bot.features.health import HealthFeature
from tests.discord.support import EPHEMERAL, Bot, World, discord_config, text_of
from tests.fakes.fake_discord import FakeDiscord


@contextlib.asynccontextmanager
async def running(fake: FakeDiscord, world: World, db_url: str, locale: str = "en") -> AsyncIterator[Bot]:
    config = discord_config(fake, world, db_url, locale)
    bot = await Bot(config, virtual_time=True, features=[HealthFeature()], with_probe=False).start()
    try:
        yield bot
    finally:
        await bot.stop()


# Computing the report and drawing its chart takes seconds on a loaded test machine.
SLOW = 30.0


def png_of(fake: FakeDiscord, message: dict[str, Any]) -> bytes:
    [attachment] = message["attachments"]
    assert attachment["filename"].endswith(".png")
    return fake.attachments[attachment["id"]]


async def test_the_animator_gets_the_report_privately_with_its_chart(
    fake: FakeDiscord, world: World, db_url: str
) -> None:
    async with running(fake, world, db_url):
        asked = await fake.slash_command(world.guild, world.camille, "agora health show", {"period": "30d"})
        answer = await fake.wait_for_answer(asked, timeout=SLOW)
        assert answer["data"]["flags"] & EPHEMERAL
        shown = fake.message(asked.original_message_id)
        assert "Community health, last 30 days" in text_of(shown)
        assert png_of(fake, shown).startswith(b"\x89PNG")

        refused = await fake.wait_for_answer(
            await fake.slash_command(world.guild, world.alice, "agora health show"), timeout=SLOW
        )
        assert refused["data"]["content"].startswith("Only the animators of this community can do that.")


async def test_posted_for_everyone_in_french(fake: FakeDiscord, world: World, db_url: str) -> None:
    async with running(fake, world, db_url, "fr") as bot:
        mark = fake.mark()
        asked = await fake.slash_command(
            world.guild, world.camille, "agora health show", {"post": True}, channel_id=world.general.id
        )
        said = await fake.wait_for_answer(asked, timeout=SLOW)
        await bot.settle()
        post = await fake.wait_for_request(
            "POST", rf"^/channels/{world.general.id}/messages$", status=200, since=mark, timeout=SLOW
        )
        message = fake.message(post.response["id"])
        assert "Santé de la communauté, 90 derniers jours" in text_of(message)
        assert png_of(fake, message).startswith(b"\x89PNG")
        # camille's Discord speaks English: what she alone reads is in English.
        assert said["data"]["content"] == "The health report is posted."
