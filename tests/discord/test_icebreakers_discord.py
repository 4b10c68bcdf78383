"""Icebreaker questions on Discord, end to end: the real discord.py against the loopback Discord fake (the bed
of ``tests/discord/conftest.py``). An animator sets the schedule with ``/agora icebreaker schedule``; a member
suggests a question; the animator approves it from the direct message with its button; on Tuesday at 9:30 in
Paris (virtual clock) the question is posted in the icebreakers channel, credited, with a thread for answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest_asyncio
from sqlalchemy import select

from bot.features.icebreakers import IcebreakersFeature
from storage.tables.icebreakers import IcebreakerAsked, IcebreakerQuestion
from tests.discord.support import (
    EPHEMERAL,
    TIMEOUT,
    Bot,
    custom_ids,
    discord_config,
    dm_to,
    eventually,
    make_world,
    text_of,
)
from tests.fakes.fake_discord import FakeDiscord
from tests.support import paris

QUESTION = "Which tool did you discover thanks to a colleague?"


@pytest_asyncio.fixture
async def bot_and_world(fake: FakeDiscord, db_url: str) -> AsyncIterator[tuple[Bot, Any, Any]]:
    world = make_world(fake)
    icebreakers = fake.add_channel(world.guild, "icebreakers")
    config = discord_config(
        fake,
        world,
        db_url,
        channels={
            "welcome": world.welcome.id,
            "announcements": world.announcements.id,
            "icebreakers": icebreakers.id,
        },
        # camille animates through the Animators role; listing her id is what lets suggestions reach her by DM.
        animators=[world.camille.id],
    )
    bot = Bot(config, probe=IcebreakersFeature(), virtual_time=True)  # type: ignore[arg-type]
    await bot.start()
    yield bot, world, icebreakers
    await bot.stop()
    fake.assert_all_handled()


async def test_a_suggested_question_is_approved_then_asked_in_its_channel_with_a_thread(
    fake: FakeDiscord,
    bot_and_world: tuple[Bot, Any, Any],
) -> None:
    bot, world, icebreakers = bot_and_world

    scheduled = await fake.slash_command(
        world.guild, world.camille, "agora icebreaker schedule", {"rule": "30 9 * * tue"}
    )
    answer = await fake.wait_for_answer(scheduled)
    assert answer["data"]["flags"] & EPHEMERAL
    # A Discord timestamp: Tuesday 6 January 2026 at 9:30 in Paris, each member reading it in their own zone.
    next_one = int(paris(2026, 1, 6, 9, 30).timestamp())
    assert answer["data"]["content"].endswith(f"The next one comes on <t:{next_one}:F>.")

    # A member suggests a question; the animator gets it by direct message, with Approve and Reject.
    suggested = await fake.slash_command(
        world.guild, world.alice, "agora icebreaker suggest", {"question": QUESTION}
    )
    thanks = await fake.wait_for_answer(suggested)
    assert thanks["data"]["content"].startswith("Thank you! Your question is with the animators")
    review = await dm_to(fake, world.camille)
    assert QUESTION in text_of(review)
    # In a DM the button's id also names the guild, which a DM doesn't say.
    approve, reject = custom_ids(review)
    assert approve.endswith(":icebreaker:approve:1") and reject.endswith(":icebreaker:reject:1")

    # She approves it: the DM loses its buttons, the member hears the good news.
    mark = fake.mark()
    pressed = await fake.press_button(approve, world.camille, message=review["id"])
    await fake.wait_for_answer(pressed)
    news = await dm_to(fake, world.alice, since=mark)
    assert text_of(news).startswith(f"Good news: your question “{QUESTION}” was approved.")
    await eventually(lambda: custom_ids(fake.message(review["id"])) == [], "the review loses its buttons")

    # Tuesday, 9:30 in Paris: the question, credited, in the icebreakers channel, and a thread for the answers.
    mark = fake.mark()
    assert bot.app is not None
    await bot.app.scheduler.advance(timedelta(days=1))  # type: ignore[attr-defined]
    await bot.settle()
    posted = await fake.wait_for_request(
        "POST", rf"^/channels/{icebreakers.id}/messages$", status=200, since=mark, timeout=TIMEOUT
    )
    post = fake.message(posted.response["id"])
    shown = text_of(post)
    assert "Let's get to know each other" in shown and QUESTION in shown
    assert f"Question suggested by <@{world.alice.id}>" in shown
    assert "Answer in the thread below, or simply react." in shown
    opened = await fake.wait_for_request(
        "POST", rf"^/channels/{icebreakers.id}/messages/{post['id']}/threads$", timeout=TIMEOUT
    )
    assert opened.body["name"] == QUESTION

    assert bot.database is not None
    async with bot.database.transaction() as session:
        [asked] = (await session.scalars(select(IcebreakerAsked))).all()
        [question] = (await session.scalars(select(IcebreakerQuestion))).all()
    assert asked.question_id == question.id and question.status == "approved"
    assert asked.asked_at.isoformat() == "2026-01-06T08:30:00+00:00"

    # Anyone sees when the next one comes.
    status = await fake.slash_command(world.guild, world.alice, "agora icebreaker status")
    shown = text_of((await fake.wait_for_answer(status))["data"])
    assert f"<t:{int(paris(2026, 1, 13, 9, 30).timestamp())}:F>" in shown  # Tuesday 13 January, 9:30 in Paris
