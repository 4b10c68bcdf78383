"""Mutual help on Discord, end to end: the real discord.py against the loopback Discord fake. A member asks
through the modal; the public ask is posted in the help channel; two members are asked by DM, one declines and
one accepts; the two meet in a private thread of the help channel; the ask is marked solved and the thanks
posted. A discreet ask is posted in no channel."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest_asyncio

from bot.features.mutual_help import MutualHelpFeature
from tests.discord.support import (
    EPHEMERAL,
    TIMEOUT,
    Bot,
    World,
    arrive,
    custom_ids,
    dm_to,
    introduce,
    text_of,
)
from tests.fakes.fake_discord import FakeChannel, FakeDiscord, FakeUser

PRIVATE_THREAD = 12
UPDATE_MESSAGE = 7
MODAL = 9


@pytest_asyncio.fixture
async def help_channel(fake: FakeDiscord, world: World) -> FakeChannel:
    return fake.add_channel(world.guild, "help")


@pytest_asyncio.fixture
async def bot(onboarding_bot: Callable[..., Awaitable[Bot]], help_channel: FakeChannel) -> Bot:
    return await onboarding_bot(MutualHelpFeature(), help=help_channel.id)


def button(message: dict[str, Any], action: str) -> str:
    return next(c for c in custom_ids(message) if f":{action}:" in c)


async def ask(fake: FakeDiscord, world: World, user: FakeUser, values: dict[str, str]) -> dict[str, Any]:
    """``user`` types /agora ask and fills the modal; returns the answer to the submission."""
    command = await fake.slash_command(world.guild, user, "agora ask")
    modal = await fake.wait_for_answer(command)
    assert modal["type"] == MODAL and modal["data"]["title"] == "Ask the network for help"
    submitted = await fake.submit_modal(
        modal["data"]["custom_id"], user, {"details": "", "when": "", "visibility": "public", **values}
    )
    return await fake.wait_for_answer(submitted)


async def test_an_ask_on_discord_meets_a_helper_in_a_private_thread_and_is_solved_with_thanks(
    fake: FakeDiscord, world: World, bot: Bot, help_channel: FakeChannel
) -> None:
    carol, invitation = await arrive(fake, world, bot, "carol")
    await introduce(fake, carol, invitation, {"what": "Avocate", "offers": "droit des contrats"})
    bob, invitation = await arrive(fake, world, bot, "bob")
    await introduce(fake, bob, invitation, {"what": "Developer", "offers": "contract reviews"})
    nina, _invitation = await arrive(fake, world, bot, "nina")
    await bot.settle()

    mark = fake.mark()
    answer = await ask(fake, world, nina, {"need": "a lawyer who knows freelance contracts"})
    assert answer["data"]["flags"] & EPHEMERAL
    assert answer["data"]["content"].startswith(f"Your ask is posted in <#{help_channel.id}>.")
    posted = await fake.wait_for_request(
        "POST", rf"^/channels/{help_channel.id}/messages$", status=200, since=mark, timeout=TIMEOUT
    )
    post = fake.message(posted.response["id"])
    assert f"<@{nina.id}> is looking for: a lawyer who knows freelance contracts" in text_of(post)
    assert [c.split(":")[1] + ":" + c.split(":")[2] for c in custom_ids(post)] == ["help:can", "help:knows"]

    to_carol = await dm_to(fake, carol, since=mark)
    to_bob = await dm_to(fake, bob, since=mark)
    assert "Could you help?" in text_of(to_carol) and "offers: contract." in text_of(to_bob)

    declined = await fake.wait_for_answer(
        await fake.press_button(button(to_bob, "help:no"), bob, message=to_bob["id"])
    )
    assert declined["type"] == UPDATE_MESSAGE and "nobody is told" in text_of(declined["data"])

    mark = fake.mark()
    await fake.press_button(button(to_carol, "help:yes"), carol, message=to_carol["id"])
    opened = await fake.wait_for_request(
        "POST", rf"^/channels/{help_channel.id}/threads$", status=200, since=mark, timeout=TIMEOUT
    )
    assert opened.body["type"] == PRIVATE_THREAD
    thread = opened.response["id"]
    for user in (nina, carol):
        await fake.wait_for_request("PUT", rf"^/channels/{thread}/thread-members/{user.id}$", timeout=TIMEOUT)
    intro_request = await fake.wait_for_request(
        "POST", rf"^/channels/{thread}/messages$", status=200, since=mark, timeout=TIMEOUT
    )
    intro = fake.message(intro_request.response["id"])
    assert f"<@{nina.id}>, meet <@{carol.id}>" in text_of(intro)
    assert not [d for d in fake.messages_in(fake.dm_channel(nina)) if "bob" in text_of(d).lower()]

    opened_form = await fake.wait_for_answer(
        await fake.press_button(button(intro, "help:solved"), nina, message=intro["id"])
    )
    assert opened_form["type"] == MODAL and opened_form["data"]["title"] == "Solved!"
    mark = fake.mark()
    done = await fake.wait_for_answer(
        await fake.submit_modal(
            opened_form["data"]["custom_id"], nina, {"helper": f"<@{carol.id}>", "thanks": "Merci Carol !"}
        )
    )
    assert "Your thank-you is posted." in done["data"]["content"]
    thanks = await fake.wait_for_request(
        "POST", rf"^/channels/{help_channel.id}/messages$", status=200, since=mark, timeout=TIMEOUT
    )
    assert f"<@{nina.id}> thanks <@{carol.id}>" in text_of(fake.message(thanks.response["id"]))

    # A week later (nobody is asked twice a week), a discreet ask: Carol is asked by DM, no channel of the guild
    # ever shows it.
    assert bot.app is not None
    await bot.app.scheduler.advance(timedelta(days=8))  # type: ignore[attr-defined]
    await bot.settle()
    mark = fake.mark()
    answer = await ask(
        fake, world, nina, {"need": "a lawyer for a contract dispute", "visibility": "discreet"}
    )
    assert "posted nowhere" in answer["data"]["content"]
    assert "contract dispute" in text_of(await dm_to(fake, carol, since=mark))
    await bot.settle()
    for channel in world.guild.channels.values():
        if channel.type in (0, 5, 11):  # text, announcement, public thread: what members may read
            assert not [m for m in fake.messages_in(channel) if "contract dispute" in text_of(m)], channel
