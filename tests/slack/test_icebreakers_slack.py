"""Icebreaker questions on Slack, end to end: the real slack-bolt and slack-sdk against the loopback Slack fake.

An animator sets the schedule with a slash command; a member suggests a question; the animator approves it from
the direct message the bot sent, with its button; at the community's time the question is posted in the
icebreakers channel, credited to the member, and the answers go to its thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from adapters.slack import create
from bot.app import Agora
from bot.clock import FakeClock
from bot.config import SlackConfig
from bot.features.icebreakers import IcebreakersFeature
from bot.scheduler import VirtualScheduler
from storage.database import Database
from storage.models import OutboxEntry
from storage.tables.icebreakers import IcebreakerAsked, IcebreakerQuestion
from tests.fakes.fake_slack import FakeSlack
from tests.slack.support import CAMILLE, SECRET, TIMEOUT, WELCOME, buttons, texts
from tests.support import make_config

ALEX = "U0ALEX0001"  # a member
ICEBREAKERS = "C0ICEBRK01"


class Bed:
    """The app (with the icebreakers only) and the Slack adapter in HTTP mode, on ``fake``."""

    def __init__(self, fake: FakeSlack, db_url: str) -> None:
        self.fake = fake
        base = make_config(
            "en",
            db_url,
            channels={"welcome": WELCOME, "icebreakers": ICEBREAKERS},
            animators=[CAMILLE],
        )
        slack = SlackConfig.model_validate(
            {
                "bot_token": "xoxb-test",
                "mode": "http",
                "signing_secret": SECRET,
                "api_base_url": fake.api_base,
                "http": {"host": "127.0.0.1", "port": 0},
            }
        )
        self.config = base.model_copy(update={"slack": slack})
        self.database = Database(self.config.database.url)
        self.clock = FakeClock()  # Monday 5 January 2026, 10:00 in Paris
        self.scheduler = VirtualScheduler(self.clock)
        self.app = Agora(
            self.config,
            self.database,
            clock=self.clock,
            scheduler=self.scheduler,
            features=[IcebreakersFeature()],
        )
        self.scheduler.after_job = self.app.settle
        self.adapter = create(self.app, self.config)

    async def start(self) -> None:
        await self.database.upgrade()
        await self.app.start()
        await asyncio.wait_for(self.adapter.start(), TIMEOUT)

    async def stop(self) -> None:
        await self.adapter.stop()
        await self.app.stop()
        await self.database.close()

    async def send(self, payload: dict[str, Any]) -> int:
        url = f"http://127.0.0.1:{self.adapter.http_port}/slack/events"
        response = await self.fake.requester(url).send(payload)
        return response.status

    async def command(self, user: str, text: str) -> dict[str, Any]:
        """``user`` types ``/agora <text>``; the ephemeral answer posted to the response URL."""
        since = len(self.fake.responses)
        assert await self.send(self.fake.slash_command(user, text, channel_id=WELCOME)) == 200
        return (await self.fake.wait_for_response(since=since, timeout=TIMEOUT)).body

    async def settle(self) -> None:
        await asyncio.wait_for(self.adapter.settle(), TIMEOUT)


@pytest.fixture
async def bed(db_url: str) -> AsyncIterator[Bed]:
    async with FakeSlack(signing_secret=SECRET, team_name="Agora Test") as fake:
        fake.add_user(
            ALEX, "alex", "Alex Martin", "en-US"
        )  # the community's language: see test_language_slack
        fake.add_user(CAMILLE, "camille", "Camille Durand", "en-US", is_admin=True)
        fake.add_channel(WELCOME, "welcome", members=[ALEX, CAMILLE])
        fake.add_channel(ICEBREAKERS, "icebreakers", members=[ALEX, CAMILLE])
        b = Bed(fake, db_url)
        await b.start()
        try:
            yield b
        finally:
            await b.stop()


async def test_a_suggested_question_is_approved_then_asked_in_its_channel_with_a_thread(bed: Bed) -> None:
    fake = bed.fake

    scheduled = await bed.command(CAMILLE, 'icebreaker schedule "30 9 * * tue"')
    assert scheduled["response_type"] == "ephemeral"
    assert "The next one comes on Tuesday 6 January 2026 at 9:30 AM." in (
        scheduled["text"] + texts(scheduled.get("blocks") or [])
    )

    # A member suggests a question, typed without quotes; the animator gets it by direct message.
    thanks = await bed.command(ALEX, "icebreaker suggest Which tool did you discover thanks to a colleague?")
    assert thanks["text"].startswith("Thank you! Your question is with the animators")
    dm = fake.dm_channel_id(CAMILLE)
    review = await fake.wait_for_call("chat.postMessage", lambda c: c.args.get("channel") == dm, TIMEOUT)
    assert "Which tool did you discover thanks to a colleague?" in texts(review.args["blocks"])
    assert [b["text"]["text"] for b in buttons(review.args["blocks"])] == ["Approve", "Reject"]

    # She approves it from the message: it is updated in place, and the member hears the good news.
    approve = next(b for b in buttons(review.args["blocks"]) if b["text"]["text"] == "Approve")
    press = fake.block_actions(CAMILLE, approve["action_id"], channel=dm)
    assert await bed.send(press) == 200
    update = await fake.wait_for_call("chat.update", timeout=TIMEOUT)
    assert buttons(update.args["blocks"]) == []
    assert "✅ Approved by <@U0CAMILLE1>" in texts(update.args["blocks"])
    alex_dm = fake.dm_channel_id(ALEX)
    news = await fake.wait_for_call("chat.postMessage", lambda c: c.args.get("channel") == alex_dm, TIMEOUT)
    assert news.args["text"].startswith("Good news: your question")

    # Tuesday, 9:30 in Paris: the question is posted in the icebreakers channel, credited.
    since = len(fake.calls)
    await bed.scheduler.advance(timedelta(days=1))
    await bed.settle()
    post = await fake.wait_for_call(
        "chat.postMessage", lambda c: c.args.get("channel") == ICEBREAKERS, TIMEOUT, since=since
    )
    assert "Which tool did you discover thanks to a colleague?" in post.args["text"]
    assert "Question suggested by <@U0ALEX0001>" in post.args["text"]
    assert "Answer in the thread below, or simply react." in post.args["text"]

    async with bed.database.transaction() as session:
        [asked] = (await session.scalars(select(IcebreakerAsked))).all()
        [question] = (await session.scalars(select(IcebreakerQuestion))).all()
        entry = await session.get(OutboxEntry, asked.entry_id)
    assert asked.question_id == question.id and question.status == "approved"
    # The answers go to the thread under the post (on Slack, the replies to its ts).
    assert entry is not None and entry.result is not None
    assert entry.result["thread"] == f"{ICEBREAKERS}/{entry.result['message_id']}"
    assert asked.asked_at.isoformat() == "2026-01-06T08:30:00+00:00"

    status = await bed.command(ALEX, "icebreaker status")
    shown = status["text"] + texts(status.get("blocks") or [])
    assert "Tuesday 13 January 2026 at 9:30 AM" in shown
