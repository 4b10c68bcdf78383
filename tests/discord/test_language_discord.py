"""Each member's language on Discord, end to end (the real discord.py against the loopback fake): in a French
community, a member whose Discord speaks American English (``interaction.locale``) is answered in English, gets
her direct messages and forms in English once Agora has seen her locale, while her introduction is posted in
French for everybody; ``/agora language fr`` makes her read French."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

import pytest_asyncio

from bot.features.language import LanguageFeature
from tests.discord.support import EPHEMERAL, TIMEOUT, Bot, World, custom_ids, dm_to
from tests.every_feature import catalog_phrases
from tests.fakes.fake_discord import FakeChannel, FakeDiscord

PROFILE = {"name": "Nina Durand", "what": "Ceramist in Montreuil", "where": "Montreuil", "interests": "raku"}


@pytest_asyncio.fixture
async def bot(onboarding_bot: Callable[..., Awaitable[Bot]]) -> Bot:
    return await onboarding_bot(LanguageFeature(), locale="fr")


def french_in(data: object) -> list[str]:
    text = json.dumps(data, ensure_ascii=False)
    return [phrase for phrase in catalog_phrases()[0] if phrase in text]


def english_in(data: object) -> list[str]:
    text = json.dumps(data, ensure_ascii=False)
    return [phrase for phrase in catalog_phrases()[1] if phrase in text]


async def test_an_english_speaker_is_answered_in_english_in_a_french_community_on_discord(
    fake: FakeDiscord, world: World, bot: Bot, intros: FakeChannel
) -> None:
    user = (await fake.member_join(world.guild, "nina")).user
    welcome = await dm_to(fake, user)
    assert "Bienvenue" in json.dumps(welcome, ensure_ascii=False)  # her language is not known yet

    # She accepts from her Discord in American English: the answer, and every DM from then on, are English.
    mark = fake.mark()
    accepted = await fake.wait_for_answer(
        await fake.press_button(custom_ids(welcome)[0], user, message=welcome["id"], locale="en-US")
    )
    assert "You accepted" in json.dumps(accepted) and french_in(accepted) == []
    invitation = await dm_to(fake, user, since=mark)
    assert french_in(invitation) == [] and english_in(invitation)
    await bot.settle()

    introduce = next(c for c in custom_ids(invitation) if ":onboarding:introduce:" in c)
    form = await fake.wait_for_answer(
        await fake.press_button(introduce, user, message=invitation["id"], locale="en-US")
    )
    assert form["data"]["title"].startswith("Introduce yourself") and french_in(form) == []
    submitted = await fake.submit_modal(
        form["data"]["custom_id"], user, {**PROFILE, "offers": ""}, locale="en-US"
    )
    saved = await fake.wait_for_answer(submitted)
    assert french_in(saved) == []
    press = await fake.press_button(
        custom_ids(saved["data"])[0], user, message=submitted.original_message_id, locale="en-US"
    )
    second = await fake.wait_for_answer(press)
    await fake.wait_for_answer(
        await fake.submit_modal(second["data"]["custom_id"], user, {"needs": ""}, locale="en-US")
    )
    post = await fake.wait_for_request(
        "POST", rf"^/channels/{intros.id}/messages$", status=200, timeout=TIMEOUT
    )
    assert "Dites bonjour" in json.dumps(post.json, ensure_ascii=False)  # the channel reads French
    assert english_in(post.json) == []

    # She chooses French: the confirmation is already in it, and so is the rest.
    chosen = await fake.wait_for_answer(
        await fake.slash_command(world.guild, user, "agora language", {"language": "fr"}, locale="en-US")
    )
    assert chosen["data"]["flags"] & EPHEMERAL
    assert chosen["data"]["content"].startswith("Je vous parlerai désormais en français.")
    shown = await fake.wait_for_answer(
        await fake.slash_command(world.guild, user, "agora help", locale="en-US")
    )
    assert "Ce que vous pouvez faire avec Agora" in json.dumps(shown, ensure_ascii=False)
