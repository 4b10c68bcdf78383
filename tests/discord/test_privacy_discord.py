"""Privacy on Discord, end to end: the real discord.py against the loopback Discord fake. A member who introduced
herself asks what Agora keeps, gets her export by DM (a JSON file and a summary), erases her data after the
confirmation: her introduction post is deleted from the channel and nothing stored names her any more."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest_asyncio

from bot.features.privacy import PrivacyFeature
from tests.discord.support import EPHEMERAL, TIMEOUT, Bot, World, custom_ids, dm_to
from tests.fakes.fake_discord import FakeChannel, FakeDiscord, FakeUser
from tests.support import traces_in

PROFILE = {"name": "Nina Durand", "what": "Céramiste à Montreuil", "where": "Montreuil", "interests": "raku"}


@pytest_asyncio.fixture
async def bot(onboarding_bot: Callable[..., Awaitable[Bot]]) -> Bot:
    return await onboarding_bot(PrivacyFeature())


async def introduced(fake: FakeDiscord, world: World, bot: Bot, intros: FakeChannel) -> tuple[FakeUser, str]:
    """Nina joins, accepts the charter and introduces herself; returns her and her introduction post's id."""
    user = (await fake.member_join(world.guild, "nina")).user
    welcome = await dm_to(fake, user)
    mark = fake.mark()
    await fake.wait_for_answer(await fake.press_button(custom_ids(welcome)[0], user, message=welcome["id"]))
    invitation = await dm_to(fake, user, since=mark)
    await bot.settle()
    introduce = next(c for c in custom_ids(invitation) if ":onboarding:introduce:" in c)
    first = await fake.wait_for_answer(await fake.press_button(introduce, user, message=invitation["id"]))
    submitted = await fake.submit_modal(first["data"]["custom_id"], user, {**PROFILE, "offers": ""})
    saved = await fake.wait_for_answer(submitted)
    press = await fake.press_button(custom_ids(saved["data"])[0], user, message=submitted.original_message_id)
    second = await fake.wait_for_answer(press)
    await fake.wait_for_answer(await fake.submit_modal(second["data"]["custom_id"], user, {"needs": ""}))
    post = await fake.wait_for_request(
        "POST", rf"^/channels/{intros.id}/messages$", status=200, timeout=TIMEOUT
    )
    await bot.settle()
    return user, post.response["id"]


async def test_a_member_exports_then_erases_her_data_on_discord(
    fake: FakeDiscord, world: World, bot: Bot, intros: FakeChannel
) -> None:
    user, post_id = await introduced(fake, world, bot, intros)
    page = await fake.wait_for_answer(await fake.slash_command(world.guild, user, "agora privacy show"))
    assert page["data"]["flags"] & EPHEMERAL
    assert "Your data" in json.dumps(page["data"]), page
    export_id, erase_id = custom_ids(page["data"])
    assert export_id.endswith(":privacy:export:") and erase_id.endswith(":privacy:erase:")

    mark = fake.mark()
    answer = await fake.wait_for_answer(await fake.press_button(export_id, user))
    assert answer["data"]["content"].startswith("I'm sending your data by direct message.")
    export = await dm_to(fake, user, since=mark)
    files = {a["filename"].rsplit(".", 1)[1]: fake.attachments[a["id"]] for a in export["attachments"]}
    data = json.loads(files["json"])
    [profile] = next(d["entries"] for d in data["data"] if d["what"].startswith("Your introduction"))
    assert profile["what"] == "Céramiste à Montreuil"
    assert "Céramiste à Montreuil" in files["txt"].decode("utf-8")

    confirm = await fake.wait_for_answer(await fake.press_button(erase_id, user))
    assert confirm["data"]["embeds"][0]["title"] == "Erase your data?"
    mark = fake.mark()
    yes = next(c for c in custom_ids(confirm["data"]) if c.endswith(":privacy:erase-confirm:"))
    done = await fake.wait_for_answer(await fake.press_button(yes, user))
    assert "Done: your data is erased" in json.dumps(done["data"])
    await fake.wait_for_request(
        "DELETE", rf"^/channels/{intros.id}/messages/{post_id}$", since=mark, timeout=TIMEOUT
    )
    await bot.settle()
    assert bot.database is not None
    assert await traces_in(bot.database, [str(user.id), "nina", *PROFILE.values()]) == []


async def test_a_member_who_left_is_erased_after_90_days_on_discord(
    fake: FakeDiscord, world: World, bot: Bot, intros: FakeChannel
) -> None:
    user, post_id = await introduced(fake, world, bot, intros)
    await fake.member_leave(world.guild, user)
    await bot.settle()
    assert bot.database is not None
    assert await traces_in(bot.database, [str(user.id)])  # kept for now

    mark = fake.mark()
    await bot.app.scheduler.advance(timedelta(days=91))  # type: ignore[attr-defined]
    await fake.wait_for_request(
        "DELETE", rf"^/channels/{intros.id}/messages/{post_id}$", since=mark, timeout=TIMEOUT
    )
    await bot.settle()
    assert await traces_in(bot.database, [str(user.id), "nina", *PROFILE.values()]) == []
