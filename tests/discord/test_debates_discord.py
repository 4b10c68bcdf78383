"""Debates on Discord, end to end: the real discord.py against the loopback Discord fake (the bed of
``tests/discord/conftest.py``). An animator starts a debate with ``/agora debate start``; the motion is
posted in the debates channel as an embed with one button per position and a thread under it; members take and
change positions; the deadline (virtual clock) posts the before/after summary and closes the post."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, timedelta
from typing import Any

import pytest_asyncio
from sqlalchemy import select

from bot.features.debates import DebatesFeature
from storage.models import Member
from storage.tables.debates import Debate, DebateStance
from tests.discord.support import (
    EPHEMERAL,
    TIMEOUT,
    Bot,
    custom_ids,
    discord_config,
    eventually,
    make_world,
    text_of,
)
from tests.fakes.fake_discord import FakeDiscord

YES, NO, DEPENDS = "Yes, distance thins the ties", "No, it widens them", "It depends on the rituals"


@pytest_asyncio.fixture
async def bot_and_world(fake: FakeDiscord, db_url: str) -> AsyncIterator[tuple[Bot, Any, Any]]:
    world = make_world(fake)
    debates = fake.add_channel(world.guild, "debates")
    config = discord_config(
        fake,
        world,
        db_url,
        channels={
            "welcome": world.welcome.id,
            "announcements": world.announcements.id,
            "debates": debates.id,
        },
    )
    bot = Bot(config, probe=DebatesFeature(), virtual_time=True)  # type: ignore[arg-type]
    await bot.start()
    yield bot, world, debates
    await bot.stop()
    fake.assert_all_handled()


async def test_a_debate_on_discord_positions_changed_and_the_summary_at_the_deadline(
    fake: FakeDiscord,
    bot_and_world: tuple[Bot, Any, Any],
) -> None:
    bot, world, debates = bot_and_world
    bob = fake.add_member(world.guild, "bob").user

    started = await fake.slash_command(
        world.guild, world.camille, "agora debate start", {"motion": "remote-networks", "duration": "2d"}
    )
    answer = await fake.wait_for_answer(started)
    assert answer["data"]["flags"] & EPHEMERAL
    assert answer["data"]["content"].startswith(f"Debate #1 is open in <#{debates.id}> until")

    # The motion as an embed, its positions as buttons, and a thread under it for the arguments.
    posted = await fake.wait_for_request(
        "POST", rf"^/channels/{debates.id}/messages$", status=200, timeout=TIMEOUT
    )
    post = fake.message(posted.response["id"])
    assert post["embeds"][0]["title"] == "Debate: Remote work weakens professional networks."
    # Its deadline is a Discord timestamp: each member reads it in their own time zone.
    assert bot.database is not None
    async with bot.database.transaction() as session:
        closes_at = await session.scalar(select(Debate.closes_at))
    assert closes_at is not None
    deadline = f"<t:{int(closes_at.replace(tzinfo=UTC).timestamp())}:F>"
    assert answer["data"]["content"].startswith(f"Debate #1 is open in <#{debates.id}> until {deadline}")
    assert deadline in text_of(post)
    assert custom_ids(post) == ["agora:debate:take:1.0", "agora:debate:take:1.1", "agora:debate:take:1.2"]
    labels = [c["label"] for row in post["components"] for c in row["components"]]
    assert labels == [YES, NO, DEPENDS]
    opened = await fake.wait_for_request(
        "POST", rf"^/channels/{debates.id}/messages/{post['id']}/threads$", timeout=TIMEOUT
    )
    assert opened.body["name"] == "Remote work weakens professional networks."
    thread_id = opened.response["id"]
    intro = await fake.wait_for_request("POST", rf"^/channels/{thread_id}/messages$", timeout=TIMEOUT)
    assert intro.body["content"].startswith("Arguments here, one idea per message.")

    # Members take positions; alice changes her mind.
    async def press(user: Any, index: int) -> dict[str, Any]:
        interaction = await fake.press_button(f"agora:debate:take:1.{index}", user, message=post["id"])
        response = await fake.wait_for_answer(interaction)
        await bot.settle()
        return response

    taken = await press(world.alice, 0)
    await press(bob, 0)
    moved = await press(world.alice, 2)
    for response in (taken, moved):
        assert response["data"]["flags"] & EPHEMERAL
    assert moved["data"]["content"].startswith(f"You moved from “{YES}” to “{DEPENDS}”.")
    await eventually(
        lambda: "2 members so far" in text_of(fake.message(post["id"])), "the count shows on the post"
    )
    assert bot.database is not None
    async with bot.database.transaction() as session:
        rows = await session.execute(
            select(Member.external_id, DebateStance.first_position, DebateStance.position).join(
                Member, Member.id == DebateStance.member_id
            )
        )
        assert sorted(rows.all()) == sorted([(world.alice.id, 0, 2), (bob.id, 0, 0)])

    # A member who doesn't animate can't close it; the deadline does, on the virtual clock.
    refused = await fake.slash_command(world.guild, world.alice, "agora debate close")
    assert (await fake.wait_for_answer(refused))["data"]["content"].startswith(
        "Only the animators of this community can do that."
    )
    assert bot.app is not None
    await bot.app.scheduler.advance(timedelta(days=2))  # type: ignore[attr-defined]
    await bot.settle()

    def summary() -> dict[str, Any] | None:
        for request in fake.find_requests("POST", rf"^/channels/{debates.id}/messages$"):
            message = fake.message(request.response["id"]) if request.response else None
            if (
                message
                and message.get("embeds")
                and message["embeds"][0]["title"].startswith("Debate closed")
            ):
                return message
        return None

    await eventually(summary, "the summary is posted")
    shown = text_of(summary() or {})
    assert "2 members took a position. 1 of them changed their mind during the debate." in shown
    assert f"• {YES}: 1 (50%), 2 at the start" in shown
    assert f"• 1 member went from “{YES}” to “{DEPENDS}”" in shown
    await eventually(lambda: custom_ids(fake.message(post["id"])) == [], "the post loses its buttons")
    async with bot.database.transaction() as session:
        debate = await session.scalar(select(Debate))
        assert debate is not None and (debate.status, debate.closed_by) == ("closed", "deadline")
