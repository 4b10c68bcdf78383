"""Onboarding on Discord, end to end: the real discord.py against the loopback Discord fake (the world of
``tests/discord/conftest.py``). A newcomer joins the guild, accepts the charter by DM, gets the invitation
to introduce herself, fills the six-field form (split by the adapter over two modals), and her introduction is
posted in the introductions channel, mentioning her and the member she should meet; then the directory."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest_asyncio

from bot.features.onboarding import DirectoryFeature
from tests.discord.support import (
    EPHEMERAL,
    TIMEOUT,
    Bot,
    World,
    arrive,
    custom_ids,
    followups,
    introduce,
    text_of,
)
from tests.fakes.fake_discord import FakeChannel, FakeDiscord


@pytest_asyncio.fixture
async def bot(onboarding_bot: Callable[..., Awaitable[Bot]]) -> Bot:
    """The Agora app with the onboarding and directory features, and the Discord adapter, on the virtual clock."""
    return await onboarding_bot(DirectoryFeature())


async def test_a_newcomer_introduces_herself_on_discord_and_meets_a_member(
    fake: FakeDiscord,
    world: World,
    bot: Bot,
    intros: FakeChannel,
) -> None:
    bob, invitation = await arrive(fake, world, bot, "bob")
    await introduce(
        fake, bob, invitation, {"name": "Bob", "what": "Developer", "interests": "écologie, vélo"}
    )
    await fake.wait_for_request("POST", rf"^/channels/{intros.id}/messages$", status=200, timeout=TIMEOUT)

    nina, invitation = await arrive(fake, world, bot, "nina")
    assert invitation["embeds"][0]["title"] == "Introduce yourself in two lines"
    assert [c.split(":", 1)[1] for c in custom_ids(invitation)] == [
        "onboarding:introduce:",
        "onboarding:later:",
    ]

    mark = fake.mark()
    [done] = await introduce(
        fake,
        nina,
        invitation,
        {"name": "Nina Durand", "what": "UX designer", "interests": "Ecologie, design", "needs": "a mentor"},
    )
    assert done["data"]["flags"] & EPHEMERAL
    assert done["data"]["content"].startswith(f"Thank you! Your introduction is now in <#{intros.id}>")

    post = await fake.wait_for_request(
        "POST", rf"^/channels/{intros.id}/messages$", status=200, since=mark, timeout=TIMEOUT
    )
    message = fake.message(post.response["id"])
    # The mentions are in the content, where Discord notifies: nina, and bob whom she should meet.
    assert message["content"].splitlines() == [
        f"<@{nina.id}>: UX designer",
        "",
        "Nina Durand, a few members you should meet:",
        f"• <@{bob.id}> — You both care about: Ecologie",
    ]
    assert message["embeds"][0]["title"] == "Say hello to Nina Durand!"
    assert "Interests and skills Ecologie, design" in text_of(message)

    # The invitation's buttons are retired.
    await bot.settle()
    assert custom_ids(fake.message(invitation["id"])) == []

    # The directory, by slash command with a typed option: accents and case don't matter.
    search = await fake.slash_command(world.guild, world.camille, "agora members", {"search": "écologie"})
    found = await fake.wait_for_answer(search)
    listing = found["data"] if found["type"] == 4 else (await followups(fake, search))[0]
    assert "Nina Durand" in text_of(listing) and "Bob" in text_of(listing)
