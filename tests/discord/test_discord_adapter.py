"""The Discord adapter end to end: the real, unmodified discord.py against the loopback Discord fake, the real
Agora app on a temporary SQLite file. Nothing sleeps: every wait is on something the fake or the database shows,
with a timeout."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import discord
import pytest
from sqlalchemy import select

from adapters.discord.components import AgoraButton, FormButton
from adapters.discord.render import Payload, render
from bot.chat import Capability, PermanentChatError, ScheduledEvent
from bot.events import ChannelRef, CommunityRef, MemberRef
from bot.i18n import translator
from bot.messages import Button, Field, Message
from storage.models import Charter, Community, Member, OutboxEntry, ProcessedDelivery
from tests.discord.support import (
    EPHEMERAL,
    TIMEOUT,
    Bot,
    World,
    custom_ids,
    discord_config,
    dm_to,
    eventually,
    every_command_tree,
    followups,
    long_text,
    make_world,
    text_of,
)
from tests.fakes.fake_discord import FakeDiscord, PermissionBits

# ------------------------------------------------------------------------------------------------- helpers


def posts_since(fake: FakeDiscord, mark: int) -> list[Any]:
    return [r for r in fake.requests[mark:] if r.matches("POST", r"^/channels/\d+/messages$")]


# ------------------------------------------------------------------------------------------------- start-up


async def test_start_up_logs_in_connects_and_syncs_the_agora_tree(
    fake: FakeDiscord, world: World, start_bot: Callable[..., Any]
) -> None:
    bot = await start_bot()

    assert bot.adapter.ready
    assert [r.path for r in fake.requests[:2]] == ["/users/@me", "/oauth2/applications/@me"]
    identify = fake.identifies[0]
    assert identify["token"] == "fake-bot-token"
    intents = discord.Intents._from_value(identify["intents"])
    assert intents.guilds and intents.members and intents.guild_reactions and intents.dm_reactions
    assert not intents.message_content
    # GUILD_CREATE made the guild a community, with its own charter.
    assert (
        await bot.count(Community, Community.external_id == world.guild.id, Community.name == "Agora Test")
        == 1
    )
    assert await bot.count(Charter) == 1

    [put] = fake.find_requests("PUT", rf"^/applications/{fake.application_id}/commands$")
    assert [c["name"] for c in put.body] == ["agora"]
    [agora] = fake.synced_commands[None]
    assert agora["contexts"] == [0] or agora["dm_permission"] is False  # a community is a server
    assert agora["description_localizations"]["fr"] == "Agora, l'assistant d'animation de cette communauté"
    subcommands = {o["name"]: o for o in agora["options"]}
    assert {"setup", "help", "profile", "city"} <= set(subcommands)
    setup = subcommands["setup"]
    assert setup["type"] == 1
    french = translator("fr")
    assert setup["description_localizations"]["fr"] == french(bot.app.router.commands["setup"].description)
    options = {o["name"]: o for o in setup["options"]}
    assert options["locale"]["type"] == 3
    # Each language in its own words, the familiar French among them; the value is the locale.
    assert options["locale"]["choices"] == [
        {"name": "français (vouvoiement)", "value": "fr"},
        {"name": "français (tutoiement)", "value": "fr-tu"},
        {"name": "English", "value": "en"},
    ]
    assert options["timezone"]["type"] == 3
    assert options["animator_role"]["type"] == 8 and options["member_role"]["type"] == 8
    assert options["add_animator"]["type"] == 6 and options["remove_animator"]["type"] == 6
    assert options["welcome_channel"]["type"] == 7 and options["welcome_channel"]["channel_types"] == [0, 5]
    assert options["locale"]["description_localizations"]["fr"] == french(
        "Language of the community: fr (French, “vous”), fr-tu (French, “tu”) or en (English)"
    )
    assert all(not o["required"] for o in setup["options"])
    # Past Discord's 25 choices, an option is completed as the member types instead.
    [name] = subcommands["city"]["options"]
    assert name["autocomplete"] is True and "choices" not in name


async def test_every_core_command_fits_discord(fake: FakeDiscord) -> None:
    """The tree built from every feature Agora ships syncs as Discord wants it (names, nesting, 25 per level,
    100-character descriptions), so a new feature's commands can't break the start-up."""
    _router, _tree, payload = await every_command_tree()

    def check(node: dict[str, Any], depth: int) -> None:
        assert len(node["description"]) <= 100, node["name"]
        assert all(len(t) <= 100 for t in node.get("description_localizations", {}).values()), node["name"]
        children = node.get("options", [])
        assert len(children) <= 25, node["name"]
        for child in children:
            if child["type"] in (1, 2):
                assert depth < 2, f"{child['name']} is nested too deep"
                check(child, depth + 1)
            else:
                assert len(child["description"]) <= 100 and len(child.get("choices", [])) <= 25

    check(payload, 0)
    assert {"setup", "help"} <= {o["name"] for o in payload["options"]}


# ------------------------------------------------------------------------------------------------- the walking skeleton


async def test_a_newcomer_gets_the_welcome_by_dm_accepts_and_gets_the_role(
    fake: FakeDiscord, world: World, start_bot: Callable[..., Any]
) -> None:
    bot = await start_bot()

    bob = await fake.member_join(world.guild, "bob")
    welcome = await dm_to(fake, bob.user)
    assert welcome["embeds"][0]["title"] == "Welcome to The Indies!"
    assert "Our objective" in text_of(welcome) and "three years" in text_of(welcome)
    [accept] = custom_ids(welcome)
    # A DM has no guild: the button names the community's.
    assert accept.startswith(f"agora@{world.guild.id}:charter:accept:")
    assert len(accept) <= 100
    await bot.settle()
    assert await bot.count(ProcessedDelivery, ProcessedDelivery.delivery_id.like("discord:join:%")) == 1

    press = await fake.press_button(accept, bob.user, message=welcome["id"])
    response = await fake.wait_for_response(press)

    # The DM turns into "accepted", in place, without its button...
    assert response["type"] == 7
    assert response["data"]["components"] == []
    assert "You accepted this charter" in response["data"]["embeds"][0]["description"]
    # ...the confirmation is for bob only...
    [thanks] = await followups(fake, press)
    assert thanks["flags"] & EPHEMERAL and thanks["content"].startswith("Thank you! You accepted the charter")
    # ...the member role is his, and the acknowledgement is stored.
    put = await fake.wait_for_request(
        "PUT", rf"^/guilds/{world.guild.id}/members/{bob.id}/roles/{world.member_role.id}$", timeout=TIMEOUT
    )
    assert put.status == 204 and world.member_role.id in fake.member(world.guild, bob.user).roles
    assert await bot.acknowledgements(bob.user) == 1
    assert (
        await bot.count(ProcessedDelivery, ProcessedDelivery.delivery_id == f"discord:interaction:{press.id}")
        == 1
    )


async def test_closed_dms_fall_back_to_a_private_thread_in_the_welcome_channel(
    fake: FakeDiscord, world: World, start_bot: Callable[..., Any]
) -> None:
    bot = await start_bot()

    dora = await fake.member_join(world.guild, fake.add_user("dora", accepts_dms=False))
    refused = await fake.wait_for_request("POST", rf"^/channels/{fake.dm_channel(dora.user).id}/messages$")
    assert refused.status == 403 and refused.response["code"] == 50007

    opened = await fake.wait_for_request("POST", rf"^/channels/{world.welcome.id}/threads$", timeout=TIMEOUT)
    assert opened.body["type"] == 12 and opened.body["invitable"] is False
    assert opened.body["name"] == "Welcome to The Indies"
    thread = fake.channel(opened.response["id"])
    await fake.wait_for_request("PUT", rf"^/channels/{thread.id}/thread-members/{dora.id}$", timeout=TIMEOUT)
    assert dora.id in thread.thread_members
    posted = await fake.wait_for_request("POST", rf"^/channels/{thread.id}/messages$", timeout=TIMEOUT)
    welcome = fake.message(posted.response["id"])
    assert welcome["embeds"][0]["title"] == "Welcome to The Indies!"
    await bot.settle()
    async with bot.database.transaction() as session:
        entry = await session.scalar(select(OutboxEntry).where(OutboxEntry.op == "dm"))
    assert entry.status == "sent" and entry.result["fallback"] == "private_thread"

    # The onboarding goes on in the thread: her button works there.
    [accept] = custom_ids(welcome)
    press = await fake.press_button(accept, dora.user, message=welcome["id"])
    assert (await fake.wait_for_response(press))["type"] == 7
    await fake.wait_for_request("PUT", rf"/members/{dora.id}/roles/{world.member_role.id}$", timeout=TIMEOUT)
    assert await bot.acknowledgements(dora.user) == 1


async def test_an_old_button_works_after_a_restart_and_a_repeated_interaction_has_one_effect(
    fake: FakeDiscord, world: World, start_bot: Callable[..., Any]
) -> None:
    bot = await start_bot()
    bob = await fake.member_join(world.guild, "bob")
    welcome = await dm_to(fake, bob.user)
    await bot.settle()
    await bot.stop()
    assert not fake.find_requests("PUT", r"/roles/")

    await bot.start()  # a new client, a new app, the same database
    [accept] = custom_ids(welcome)
    press = await fake.press_button(accept, bob.user, message=welcome["id"], interaction_id=777)
    assert (await fake.wait_for_response(press))["type"] == 7
    await fake.wait_for_request("PUT", rf"/members/{bob.id}/roles/{world.member_role.id}$", timeout=TIMEOUT)
    [thanks] = await followups(fake, press)
    assert thanks["content"].startswith("Thank you!")
    await bot.settle()

    mark = fake.mark()
    again = await fake.press_button(accept, bob.user, message=welcome["id"], interaction_id=777)
    assert again is press and again.deliveries == 2
    await eventually(lambda: not bot.handler.inflight and fake.requests[mark:], "the re-delivery is handled")
    await bot.settle()
    # Seen as a duplicate: acknowledged quietly (Discord refuses, it was answered the first time), no effect.
    assert [r.status for r in fake.requests[mark:] if r.path.endswith("/callback")] == [400]
    assert len(press.responses) == 1  # nothing new answered, no second confirmation
    assert len(fake.find_requests("POST", rf"^/webhooks/\d+/{press.token}$")) == 1
    assert len(fake.find_requests("PUT", r"/roles/")) == 1
    assert await bot.acknowledgements(bob.user) == 1


# ------------------------------------------------------------------------------------------------- commands


async def test_a_member_who_does_not_animate_is_refused_an_animator_command(
    fake: FakeDiscord, world: World, start_bot: Callable[..., Any]
) -> None:
    bot = await start_bot()

    refused = await fake.slash_command(world.guild, world.alice, "agora setup", {"locale": "fr"})
    answer = await fake.wait_for_response(refused)
    assert answer["type"] == 4 and answer["data"]["flags"] & EPHEMERAL
    assert answer["data"]["content"].startswith("Only the animators of this community can do that.")
    assert (await bot.settings(world.guild)).locale == "en"

    # Holding the animator role is enough; so is owning the server.
    allowed = await fake.slash_command(
        world.guild,
        world.camille,
        "agora setup",
        {"locale": "fr", "welcome_channel": world.general},
        locale="fr",  # camille's Discord speaks French: she is answered in it
    )
    saved = await fake.wait_for_response(allowed)
    assert saved["data"]["flags"] & EPHEMERAL
    assert saved["data"]["embeds"][0]["title"] == translator("fr")("Settings saved.")
    settings = await bot.settings(world.guild)
    assert settings.locale == "fr" and settings.channels["welcome"] == world.general.id
    owner = await fake.slash_command(
        world.guild, fake.owner, "agora setup", {"member_role": world.member_role}
    )
    await fake.wait_for_response(owner)
    assert (await bot.settings(world.guild)).member_role == world.member_role.id


async def test_a_command_that_is_also_a_group_is_its_show_subcommand(
    fake: FakeDiscord, world: World, start_bot: Callable[..., Any]
) -> None:
    await start_bot()
    [agora] = fake.synced_commands[None]
    charter = next(o for o in agora["options"] if o["name"] == "charter")
    # "/agora charter" next to "/agora charter <something>" (when the charter has subcommands) is "charter show".
    name = "agora charter show" if charter["type"] == 2 else "agora charter"

    shown = await fake.slash_command(world.guild, world.alice, name)
    answer = (await fake.wait_for_response(shown))["data"]
    assert answer["flags"] & EPHEMERAL and answer["embeds"][0]["title"] == "The charter of The Indies"


async def test_a_slow_core_is_deferred_then_answered(
    fake: FakeDiscord, world: World, start_bot: Callable[..., Any]
) -> None:
    bot = await start_bot()
    bot.handler.response_budget = 0.05

    private = await fake.slash_command(world.guild, world.alice, "agora slow")
    deferred = await fake.wait_for_response(private)
    assert deferred == {"type": 5, "data": {"flags": EPHEMERAL}}  # "thinking…", within the deadline
    bot.probe.gate.set()
    [answer] = await followups(fake, private)
    assert answer["content"] == "Slow answer" and answer["flags"] & EPHEMERAL
    assert fake.message(private.original_message_id)["content"] == "Slow answer"

    bot.probe.gate.clear()
    public = await fake.slash_command(world.guild, world.alice, "agora slow", {"public": True})
    assert (await fake.wait_for_response(public))["type"] == 5
    bot.probe.gate.set()
    [answer] = await followups(fake, public)
    assert not answer.get("flags", 0) & EPHEMERAL  # a public answer replaces the ephemeral placeholder
    assert fake.find_requests("DELETE", rf"^/webhooks/\d+/{public.token}/messages/@original$")


async def test_an_answer_over_two_thousand_characters_is_split(
    fake: FakeDiscord, world: World, start_bot: Callable[..., Any]
) -> None:
    await start_bot()

    asked = await fake.slash_command(world.guild, world.alice, "agora long")
    first = await fake.wait_for_response(asked)
    rest = await followups(fake, asked, 2)
    parts = [first["data"]["content"]] + [m["content"] for m in rest]
    assert all(len(p) <= 2000 for p in parts) and len(parts) == 3
    assert "\n\n".join(parts) == long_text(5000)
    assert all(m["flags"] & EPHEMERAL for m in [first["data"], *rest])


async def test_choices_past_twenty_five_are_completed(
    fake: FakeDiscord, world: World, start_bot: Callable[..., Any]
) -> None:
    await start_bot()

    typing = await fake.autocomplete(world.guild, world.alice, "agora city", {"name": "l"}, focused="name")
    assert (await fake.wait_for_response(typing))["type"] == 8
    assert [c["value"] for c in typing.autocomplete_choices or []] == ["Lyon", "Lille"]
    chosen = await fake.slash_command(world.guild, world.alice, "agora city", {"name": "Lyon"})
    assert (await fake.wait_for_response(chosen))["data"]["content"] == "City: Lyon"


# ------------------------------------------------------------------------------------------------- forms


async def test_a_form_longer_than_a_modal_is_split_and_submitted_once(
    fake: FakeDiscord, world: World, start_bot: Callable[..., Any]
) -> None:
    bot = await start_bot()

    opener = await fake.slash_command(world.guild, world.alice, "agora profile")
    first = await fake.wait_for_response(opener)
    assert first["type"] == 9
    step_one = first["data"]["custom_id"]
    assert step_one.startswith("agora-step:") and first["data"]["title"] == "Your profile (1/2)"
    assert len(fake.modals[step_one].components) == 5  # a modal takes five inputs at most
    submitted = await fake.submit_modal(step_one, world.alice, {f"f{i}": f"answer {i}" for i in range(5)})
    saved = await fake.wait_for_response(submitted)
    assert saved["data"]["flags"] & EPHEMERAL and saved["data"]["content"].startswith("Step 1 of 2 saved.")
    [go_on] = [c["custom_id"] for row in saved["data"]["components"] for c in row["components"]]
    assert go_on.startswith("agora-form:") and not bot.probe.forms

    press = await fake.press_button(go_on, world.alice, message=submitted.original_message_id)
    second = await fake.wait_for_response(press)
    assert second["type"] == 9 and second["data"]["title"] == "Your profile (2/2)"
    step_two = second["data"]["custom_id"]
    assert len(fake.modals[step_two].components) == 2
    last = await fake.submit_modal(step_two, world.alice, {"f5": "answer 5", "f6": "answer 6"})
    done = await fake.wait_for_response(last)
    assert done["data"]["content"] == "Profile saved."
    assert bot.probe.forms == [{f"f{i}": f"answer {i}" for i in range(7)}]


async def test_form_errors_are_listed_with_a_button_to_correct_them(
    fake: FakeDiscord, world: World, start_bot: Callable[..., Any]
) -> None:
    bot = await start_bot()
    opener = await fake.slash_command(world.guild, world.alice, "agora profile")
    step_one = (await fake.wait_for_response(opener))["data"]["custom_id"]
    submitted = await fake.submit_modal(step_one, world.alice, {"f0": "bad", "f1": "kept"})
    go_on = custom_ids((await fake.wait_for_response(submitted))["data"])[0]
    press = await fake.press_button(go_on, world.alice, message=submitted.original_message_id)
    step_two = (await fake.wait_for_response(press))["data"]["custom_id"]

    refused = await fake.submit_modal(step_two, world.alice, {"f5": "x"})
    answer = (await fake.wait_for_response(refused))["data"]
    assert answer["flags"] & EPHEMERAL
    assert answer["content"] == "Some answers need a correction:\n• Question 0: Say it another way."
    [correct] = custom_ids(answer)
    assert not bot.probe.forms

    reopen = await fake.press_button(correct, world.alice, message=refused.original_message_id)
    modal = (await fake.wait_for_response(reopen))["data"]
    values = {c["component"]["custom_id"]: c["component"].get("value") for c in modal["components"]}
    assert values["f0"] == "bad" and values["f1"] == "kept"  # prefilled with what was submitted


# ------------------------------------------------------------------------------------------------- gateway events


async def test_reactions_on_the_bots_prompts_reach_the_core(
    fake: FakeDiscord, world: World, start_bot: Callable[..., Any]
) -> None:
    bot = await start_bot()
    prompt = await bot.adapter.chat.post(
        ChannelRef("discord", world.general.id), Message("Who's in on Friday?")
    )
    member_post = await fake.user_message(world.general, world.alice, "me!")

    await fake.reaction_add(world.general, prompt.id, world.alice, "👍")
    await fake.reaction_add(world.general, member_post["id"], world.camille, "👍")  # not the bot's: ignored
    await fake.reaction_remove(world.general, prompt.id, world.alice, "👍")
    await eventually(lambda: len(bot.probe.reactions) >= 2, "both reactions are handled")
    await bot.settle()
    assert bot.probe.reactions == [
        (prompt.id, "👍", True, world.alice.id),
        (prompt.id, "👍", False, world.alice.id),
    ]


async def test_a_member_leaving_is_recorded(
    fake: FakeDiscord, world: World, start_bot: Callable[..., Any]
) -> None:
    bot = await start_bot()
    bob = await fake.member_join(world.guild, "bob")
    await dm_to(fake, bob.user)
    await fake.member_leave(world.guild, bob.user)

    async def left() -> bool:
        return await bot.count(Member, Member.external_id == bob.id, Member.left_at.is_not(None)) == 1

    await eventually(left, "bob is recorded as gone")
    await bot.settle()
    assert await bot.count(ProcessedDelivery, ProcessedDelivery.delivery_id.like("discord:leave:%")) == 1


# ------------------------------------------------------------------------------------------------- several guilds


async def test_each_guild_is_its_own_community(
    fake: FakeDiscord, world: World, start_bot: Callable[..., Any]
) -> None:
    other = make_world(fake, "Les Indés de Lyon")
    bot = await start_bot()

    setup = await fake.slash_command(other.guild, fake.owner, "agora setup", {"locale": "fr"})
    await fake.wait_for_response(setup)
    french = await fake.member_join(other.guild, "zoé")
    english = await fake.member_join(world.guild, "zack")

    bonjour = await dm_to(fake, french.user)
    hello = await dm_to(fake, english.user)
    assert bonjour["embeds"][0]["title"].startswith("Bienvenue dans")
    assert hello["embeds"][0]["title"] == "Welcome to The Indies!"
    assert custom_ids(bonjour)[0].startswith(f"agora@{other.guild.id}:")
    await bot.settle()
    assert await bot.count(Community) == 2 and await bot.count(Charter) == 2

    # A member of both servers gets both welcomes in one DM channel: each button knows its community.
    xavier = fake.add_user("xavier")
    await fake.member_join(world.guild, xavier)
    english_for_xavier = await dm_to(fake, xavier)
    mark = fake.mark()
    await fake.member_join(other.guild, xavier)
    french_for_xavier = await dm_to(fake, xavier, since=mark)
    assert french_for_xavier["embeds"][0]["title"].startswith("Bienvenue")
    assert english_for_xavier["channel_id"] == french_for_xavier["channel_id"]
    press = await fake.press_button(
        custom_ids(french_for_xavier)[0], xavier, message=french_for_xavier["id"], locale="fr"
    )
    [merci] = await followups(fake, press)
    assert merci["content"].startswith("Merci")
    await fake.wait_for_request(
        "PUT", rf"^/guilds/{other.guild.id}/members/{xavier.id}/roles/", timeout=TIMEOUT
    )


# ------------------------------------------------------------------------------------------------- permissions and errors


async def test_missing_manage_roles_is_logged_and_the_animators_are_told_once(
    fake: FakeDiscord, world: World, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    world.guild.bot_role.permissions &= ~PermissionBits.MANAGE_ROLES
    caplog.set_level(logging.ERROR, logger="agora.discord")
    bot = await Bot(discord_config(fake, world, db_url)).start()
    try:
        for name in ("bob", "carla"):
            newcomer = await fake.member_join(world.guild, name)
            welcome = await dm_to(fake, newcomer.user)
            press = await fake.press_button(custom_ids(welcome)[0], newcomer.user, message=welcome["id"])
            await fake.wait_for_response(press)
            await fake.wait_for_request("PUT", rf"/members/{newcomer.id}/roles/", status=403, timeout=TIMEOUT)
            await bot.settle()

        async with bot.database.transaction() as session:
            failed = (await session.scalars(select(OutboxEntry).where(OutboxEntry.op == "grant_role"))).all()
        assert [e.status for e in failed] == ["failed", "failed"]
        assert all(e.last_error.startswith("MissingPermission") for e in failed)
        problems = [r for r in caplog.records if r.getMessage().startswith("discord permission problem")]
        assert problems and problems[0].agora["problem"] == "manage_roles"
        assert "Manage Roles" in problems[0].getMessage()

        notices = fake.bot_messages(world.announcements)
        assert len(notices) == 1  # once per problem, not once per member
        assert notices[0]["content"].startswith(f"<@&{world.animator_role.id}> ⚠️ I could not give <@")
        assert "I don't have the Manage Roles permission" in notices[0]["content"]
    finally:
        await bot.stop()


async def test_a_member_role_above_the_bots_is_explained_in_the_communitys_language(
    fake: FakeDiscord, world: World, db_url: str
) -> None:
    fake.set_role_position(world.guild, world.member_role, world.guild.bot_role.position + 1)
    bot = await Bot(discord_config(fake, world, db_url, "fr")).start()
    try:
        bob = await fake.member_join(world.guild, "bob")
        welcome = await dm_to(fake, bob.user)
        press = await fake.press_button(custom_ids(welcome)[0], bob.user, message=welcome["id"])
        await fake.wait_for_response(press)
        await fake.wait_for_request("PUT", r"/roles/", status=403, timeout=TIMEOUT)
        await bot.settle()
        [notice] = fake.bot_messages(world.announcements)
        assert "Je n'ai pas pu donner le rôle « Members »" in notice["content"]
        assert "Mon rôle « Agora » est placé sous « Members »" in notice["content"]
    finally:
        await bot.stop()


async def test_without_private_threads_the_newcomer_is_mentioned_in_the_welcome_channel(
    fake: FakeDiscord, world: World, start_bot: Callable[..., Any]
) -> None:
    bot = await start_bot()
    fake.fail_always("POST", rf"^/channels/{world.welcome.id}/threads$", 403)

    dora = await fake.member_join(world.guild, fake.add_user("dora", accepts_dms=False))
    await fake.wait_for_request(
        "POST", rf"^/channels/{world.welcome.id}/threads$", status=403, timeout=TIMEOUT
    )
    await bot.settle()
    mention, welcome = fake.bot_messages(world.welcome)
    assert mention["content"] == f"<@{dora.id}>" and dora.id in [u["id"] for u in mention["mentions"]]
    assert welcome["embeds"][0]["title"] == "Welcome to The Indies!"
    [notice] = fake.bot_messages(world.announcements)
    assert "Create Private Threads" in notice["content"]


async def test_a_rate_limited_dm_is_retried_by_discord_py(
    fake: FakeDiscord, world: World, start_bot: Callable[..., Any]
) -> None:
    bot = await start_bot()
    newcomer = fake.add_user("bob")
    dm = fake.dm_channel(newcomer)
    rule = fake.fail_next("POST", rf"^/channels/{dm.id}/messages$", 429, retry_after=0.05)

    await fake.member_join(world.guild, newcomer)
    welcome = await dm_to(fake, newcomer)
    assert rule.hits == 1 and welcome["embeds"][0]["title"] == "Welcome to The Indies!"
    assert [r.status for r in fake.find_requests("POST", rf"^/channels/{dm.id}/messages$")] == [429, 200]
    await bot.settle()
    assert await bot.count(OutboxEntry, OutboxEntry.status == "sent", OutboxEntry.attempts == 1) == 1


async def test_what_discord_py_gives_up_on_is_retried_by_the_outbox(
    fake: FakeDiscord, world: World, start_bot: Callable[..., Any]
) -> None:
    bot = await start_bot(virtual_time=True)
    newcomer = fake.add_user("bob")
    dm = fake.dm_channel(newcomer)
    # A 429 without "Via" looks like a Cloudflare ban to discord.py: it raises at once.
    fake.fail_next("POST", rf"^/channels/{dm.id}/messages$", 429, headers={"Via": ""}, retry_after=7)

    await fake.member_join(world.guild, newcomer)
    await fake.wait_for_request("POST", rf"^/channels/{dm.id}/messages$", status=429, timeout=TIMEOUT)
    await bot.settle()
    async with bot.database.transaction() as session:
        entry = await session.scalar(select(OutboxEntry).where(OutboxEntry.op == "dm"))
    assert entry.status == "pending" and entry.attempts == 1 and "429" in entry.last_error

    await bot.app.scheduler.advance(timedelta(seconds=10))
    await bot.settle()
    welcome = await dm_to(fake, newcomer)
    assert welcome["embeds"][0]["title"] == "Welcome to The Indies!"


async def test_long_posts_are_split_or_attached_never_refused(
    fake: FakeDiscord, world: World, start_bot: Callable[..., Any]
) -> None:
    bot = await start_bot()
    chat = bot.adapter.chat
    general = ChannelRef("discord", world.general.id)

    mark = fake.mark()
    ref = await chat.post(general, Message(long_text(4500), buttons=(Button("poll:vote", "Vote", ref="1"),)))
    sent = [fake.message(r.response["id"]) for r in posts_since(fake, mark)]
    assert len(sent) == 3 and all(len(m["content"]) <= 2000 for m in sent)
    assert ref.id == sent[-1]["id"] and custom_ids(sent[-1]) == ["agora:poll:vote:1"]  # buttons under the end

    mark = fake.mark()
    rich = Message("Read this", title="A long charter", fields=(Field("Rights", long_text(7000)),))
    await chat.post(general, rich)
    sent = [fake.message(r.response["id"]) for r in posts_since(fake, mark)]
    assert len(sent) == 4 and all(len(m["content"]) <= 2000 for m in sent)

    mark = fake.mark()
    await chat.post(general, Message(long_text(20000)))
    [attached] = posts_since(fake, mark)
    assert [f.filename for f in attached.files] == ["message.txt"]
    assert attached.files[0].text() == long_text(20000) and len(attached.body["content"]) <= 2000


async def test_the_chat_port_does_what_features_ask(
    fake: FakeDiscord, world: World, start_bot: Callable[..., Any]
) -> None:
    bot = await start_bot()
    chat = bot.adapter.chat
    community = CommunityRef("discord", world.guild.id, world.guild.name)
    alice = MemberRef("discord", world.alice.id)
    camille = MemberRef("discord", world.camille.id)

    # A prompt with a reply thread under it, updated later, with the bot's own reaction.
    prompt = await chat.post(
        ChannelRef("discord", world.general.id), Message("What did you learn this week?")
    )
    thread = await chat.start_thread(prompt, "Answers")
    assert thread.id == prompt.id and fake.channel(thread.id).type == 11
    answer = await chat.post(thread, Message("Mine: patience."))
    assert fake.message(answer.id)["channel_id"] == thread.id
    await chat.update(prompt, Message("What did you learn this week? (closed)"))
    assert fake.message(prompt.id)["content"] == "What did you learn this week? (closed)"
    await chat.react(prompt, "✅")
    assert fake.message(prompt.id)["reactions"][0]["me"] is True

    # A round's group: a private thread with its members, whom nobody else can add.
    group = await chat.open_group(
        community, [alice, camille], "Round 1", ChannelRef("discord", world.general.id)
    )
    channel = fake.channel(group.id)
    assert channel.type == 12 and not channel.invitable
    assert {world.alice.id, world.camille.id} <= set(channel.thread_members)

    # Roles by name or id, and a meeting in the server's calendar.
    await chat.grant_role(community, alice, "Members")
    assert world.member_role.id in fake.member(world.guild, world.alice).roles
    await chat.revoke_role(community, alice, world.member_role.id)
    assert world.member_role.id not in fake.member(world.guild, world.alice).roles
    start = datetime.now(UTC) + timedelta(days=3)
    event_id = await chat.create_event(
        community, ScheduledEvent("Monthly meetup", start, start + timedelta(hours=2), "Le Comptoir, Lyon")
    )
    event = world.guild.scheduled_events[event_id]
    assert event["entity_type"] == 3 and event["entity_metadata"]["location"] == "Le Comptoir, Lyon"

    # What can't be done is said in the core's terms.
    with pytest.raises(PermanentChatError):
        await chat.post(ChannelRef("discord", "424242424242424242"), Message("nowhere"))
    with pytest.raises(PermanentChatError):
        await chat.invite_to_channels(community, alice, [])


# ------------------------------------------------------------------------------------------------- persistence


async def test_every_view_the_adapter_sends_is_persistent(
    fake: FakeDiscord, world: World, start_bot: Callable[..., Any]
) -> None:
    bot = await start_bot()
    client = bot.adapter.client
    # The items discord.py finds by custom id alone, after any restart, are registered in setup_hook.
    registered = set(client._connection._view_store._dynamic_items.values())  # no public accessor
    assert {AgoraButton, FormButton} <= registered

    bob = await fake.member_join(world.guild, "bob")
    await dm_to(fake, bob.user)
    await bot.settle()
    assert all(view.is_persistent() for view in client.persistent_views)
    messages = [
        Message(
            "Pick one", buttons=tuple(Button(f"poll:vote:{i}", f"Option {i}", ref=str(i)) for i in range(7))
        ),
        Message("Long", title="With a title", fields=(Field("f", "v"),), buttons=(Button("a", "b"),)),
        Message(long_text(9000), buttons=(Button("a", "b", ref="x"),)),
    ]
    views = [
        p.view(guild_id) for m in messages for p in render(m) for guild_id in (None, int(world.guild.id))
    ]
    views.append(Payload(content="x", form_button=("0123456789abcdef", "Continue")).view())
    assert [v for v in views if v is not None]
    assert all(v.is_persistent() for v in views if v is not None)
    assert all(
        v.timeout is None and all(i.is_persistent() for i in v.children) for v in views if v is not None
    )


async def test_delete_removes_the_bots_message_and_one_already_gone_is_no_error(
    fake: FakeDiscord, world: World, start_bot: Callable[..., Any]
) -> None:
    bot = await start_bot()
    chat = bot.adapter.chat
    assert Capability.DELETE in chat.capabilities
    posted = await chat.post(ChannelRef("discord", world.general.id), Message("Say hello to Alice!"))
    mark = fake.mark()
    await chat.delete(posted)
    await fake.wait_for_request(
        "DELETE", rf"^/channels/{world.general.id}/messages/{posted.id}$", since=mark, timeout=TIMEOUT
    )
    await chat.delete(posted)  # gone already (404): what was asked is done
