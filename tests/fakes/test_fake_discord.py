"""The Discord fake drives a plain, unmodified discord.py Client / commands.Bot over its gateway and REST API."""

from __future__ import annotations

import asyncio
import datetime
import io
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest
import pytest_asyncio
from discord import app_commands
from discord.ext import commands

from .fake_discord import (
    FakeDiscord,
    FakeGuild,
    FakeRole,
    FakeUser,
    PermissionBits,
    patched_discord,
    running_client,
)

TIMEOUT = 5.0


# ---------------------------------------------------------------------------------------------------- fixtures


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(bot_name="Agora") as server:
        yield server


class World:
    """A guild with a few members, built before the client connects."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.guild: FakeGuild = fake.add_guild("Agora Test")
        self.general = self.guild.channel_named("general")
        self.welcome = fake.add_channel(self.guild, "welcome")
        self.member_role: FakeRole = fake.add_role(self.guild, "Member")
        self.alice: FakeUser = fake.add_member(self.guild, "alice").user
        self.bob: FakeUser = fake.add_member(self.guild, "bob", roles=[self.member_role]).user


def intents(*, members: bool = True) -> discord.Intents:
    return discord.Intents(
        guilds=True,
        members=members,
        guild_messages=True,
        guild_reactions=True,
        dm_messages=True,
        message_content=True,
    )


class RecordingBot(commands.Bot):
    """A plain Bot that puts what it sees on queues, and does not sleep 5 s before re-identifying."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("intents", intents())
        super().__init__(command_prefix="!", guild_ready_timeout=0.1, **options)
        self.seen: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.ready_count = 0

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None

    async def on_ready(self) -> None:
        self.ready_count += 1
        await self.seen.put(("ready", self.ready_count))

    async def next_seen(self, kind: str) -> Any:
        async def pick() -> Any:
            while True:
                seen_kind, value = await self.seen.get()
                if seen_kind == kind:
                    return value

        return await asyncio.wait_for(pick(), TIMEOUT)


@pytest.fixture
def world(fake: FakeDiscord) -> World:
    return World(fake)


# ---------------------------------------------------------------------------------------------------- the basics


@pytest.mark.asyncio
async def test_json_answers_have_exact_content_type(fake: FakeDiscord) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{fake.api_base}/users/@me") as response,
    ):
        assert response.headers["Content-Type"] == "application/json"
        assert (await response.json())["id"] == fake.bot_user.id
    assert fake.api_base.startswith("http://127.0.0.1:") and fake.port != 0
    assert fake.gateway_url == f"ws://127.0.0.1:{fake.port}/"


@pytest.mark.asyncio
async def test_patched_discord_sets_and_restores_urls(fake: FakeDiscord) -> None:
    before = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    with patched_discord(fake):
        assert discord.http.Route.BASE == fake.api_base
        assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == fake.gateway_url
    assert (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == before


@pytest.mark.asyncio
async def test_plain_client_gets_ready_with_guild_and_members_cached(fake: FakeDiscord, world: World) -> None:
    ready = asyncio.Event()
    client = discord.Client(intents=discord.Intents(guilds=True, members=True), guild_ready_timeout=0.1)

    @client.event
    async def on_ready() -> None:
        ready.set()

    async with running_client(client, fake):
        await asyncio.wait_for(ready.wait(), TIMEOUT)
        assert client.user is not None and str(client.user.id) == fake.bot_user.id
        assert client.application_id == int(fake.application_id)
        guild = client.get_guild(int(world.guild.id))
        assert guild is not None and guild.name == "Agora Test"
        assert guild.chunked
        assert guild.member_count == len(world.guild.members) == 4  # bot, owner, alice, bob
        assert {m.name for m in guild.members} == {"Agora", "owner", "alice", "bob"}
        assert guild.owner_id == int(fake.owner.id)
        assert {c.name for c in guild.text_channels} == {"general", "welcome"}
        bob = guild.get_member(int(world.bob.id))
        assert bob is not None and [r.name for r in bob.roles] == ["@everyone", "Member"]
        assert guild.me.top_role.name == "Agora" and guild.me.top_role.is_bot_managed()
        assert guild.me.top_role > guild.get_role(int(world.member_role.id))
        app = await client.application_info()
        assert app.owner.name == "owner"
    assert fake.identifies[0]["intents"] == discord.Intents(guilds=True, members=True).value
    assert fake.identifies[0]["token"] == "fake-bot-token"
    fake.assert_all_handled()


@pytest.mark.asyncio
async def test_without_members_intent_member_events_do_not_arrive(fake: FakeDiscord, world: World) -> None:
    bot = RecordingBot(intents=intents(members=False))
    async with running_client(bot, fake):
        guild = bot.get_guild(int(world.guild.id))
        assert guild is not None and guild.get_member(int(world.alice.id)) is None
        assert await fake.dispatch("GUILD_MEMBER_ADD", {"guild_id": world.guild.id, "user": {}}) == 0


@pytest.mark.asyncio
async def test_member_join_and_leave_reach_the_bot(fake: FakeDiscord, world: World) -> None:
    bot = RecordingBot()

    @bot.event
    async def on_member_join(member: discord.Member) -> None:
        await bot.seen.put(("join", member))

    @bot.event
    async def on_member_remove(member: discord.Member) -> None:
        await bot.seen.put(("remove", member))

    async with running_client(bot, fake):
        carol = await fake.member_join(world.guild, "carol")
        joined = await bot.next_seen("join")
        assert joined.name == "carol" and joined.guild.id == int(world.guild.id)
        assert bot.get_guild(int(world.guild.id)).get_member(int(carol.id)) is not None
        await fake.member_leave(world.guild, carol.user)
        removed = await bot.next_seen("remove")
        assert removed.id == int(carol.id)
        assert carol.id not in world.guild.members


# ---------------------------------------------------------------------------------------------------- app commands


def add_commands(bot: commands.Bot, guild: discord.abc.Snowflake | None = None) -> None:
    roles = app_commands.Group(name="roles", description="Role tools")
    admin = app_commands.Group(name="admin", description="Admin tools")
    admin_roles = app_commands.Group(name="roles", description="Role tools", parent=admin)

    @roles.command(name="grant", description="Grant a role")
    async def grant(interaction: discord.Interaction, member: discord.Member, role: discord.Role) -> None:
        await interaction.response.defer(ephemeral=True)
        try:
            await member.add_roles(role, reason="granted by test")
        except discord.Forbidden as exc:
            await interaction.followup.send(f"forbidden {exc.code}", ephemeral=True)
            return
        await interaction.followup.send(f"granted {role.name} to {member.name}", ephemeral=True)

    @admin_roles.command(name="count", description="Count members with a role")
    async def count(interaction: discord.Interaction, role: discord.Role, verbose: bool = False) -> None:
        await interaction.response.send_message(f"{role.name}: {len(role.members)} verbose={verbose}")

    @app_commands.command(name="ping", description="Ping")
    async def ping(interaction: discord.Interaction, times: int = 1) -> None:
        await interaction.response.send_message("pong " * times)

    for command in (roles, admin, ping):
        bot.tree.add_command(command, guild=guild)


@pytest.mark.asyncio
async def test_tree_sync_is_recorded_and_echoed(fake: FakeDiscord, world: World) -> None:
    bot = RecordingBot()
    add_commands(bot)
    async with running_client(bot, fake):
        synced = await bot.tree.sync()
        assert sorted(c.name for c in synced) == ["admin", "ping", "roles"]
        assert sorted(fake.command_names()) == ["admin", "ping", "roles"]
        assert all(c.application_id == int(fake.application_id) for c in synced)
        again = await bot.tree.sync()
        assert {c.name: c.id for c in again} == {c.name: c.id for c in synced}  # ids are stable across syncs
        fetched = await bot.tree.fetch_commands()
        assert {c.id for c in fetched} == {c.id for c in synced}

        guild_object = discord.Object(int(world.guild.id))
        bot.tree.copy_global_to(guild=guild_object)
        guild_synced = await bot.tree.sync(guild=guild_object)
        assert {c.guild_id for c in guild_synced} == {int(world.guild.id)}
        assert sorted(fake.command_names(world.guild)) == ["admin", "ping", "roles"]
    request = fake.find_requests("PUT", rf"^/applications/{fake.application_id}/commands$")[0]
    roles = next(c for c in request.body if c["name"] == "roles")
    assert roles["options"][0]["type"] == 1 and roles["options"][0]["name"] == "grant"


@pytest.mark.asyncio
async def test_slash_subcommand_grants_a_role_and_updates_member_cache(
    fake: FakeDiscord, world: World
) -> None:
    bot = RecordingBot()
    add_commands(bot)

    @bot.event
    async def on_member_update(before: discord.Member, after: discord.Member) -> None:
        await bot.seen.put(("member_update", after))

    async with running_client(bot, fake):
        await bot.tree.sync()
        inter = await fake.slash_command(
            world.guild.id, world.alice.id, "roles grant", {"member": world.bob, "role": world.member_role}
        )
        options = inter.payload["data"]["options"]
        assert options[0]["type"] == 1 and options[0]["name"] == "grant"
        assert {o["type"] for o in options[0]["options"]} == {6, 8}

        # bob already has the role: no change, no member update. Grant it to alice instead.
        helper = fake.add_role(world.guild, "Helper")
        await fake.bot_join_guild(world.guild)  # re-sends GUILD_CREATE so the client sees the new role
        inter = await fake.slash_command(
            world.guild, world.bob, "roles grant", {"member": world.alice, "role": helper}
        )
        put = await fake.wait_for_request(
            "PUT", rf"^/guilds/{world.guild.id}/members/{world.alice.id}/roles/{helper.id}$"
        )
        assert put.status == 204 and put.headers["X-Audit-Log-Reason"] == "granted by test"
        assert helper.id in fake.member(world.guild, world.alice).roles
        updated = await bot.next_seen("member_update")
        assert updated.id == int(world.alice.id) and "Helper" in [r.name for r in updated.roles]

        assert (await fake.wait_for_response(inter))["type"] == 5
        followup = await fake.wait_for_request("POST", rf"^/webhooks/{fake.application_id}/{inter.token}$")
        assert followup.body["content"] == "granted Helper to alice"
        # The first followup after a deferral replaces the "thinking" message.
        assert fake.message(inter.original_message_id)["content"] == "granted Helper to alice"


@pytest.mark.asyncio
async def test_role_hierarchy_check_answers_missing_permissions(fake: FakeDiscord, world: World) -> None:
    above = fake.add_role(world.guild, "Moderator", position=world.guild.bot_role.position + 1)
    bot = RecordingBot()
    add_commands(bot)
    async with running_client(bot, fake):
        await bot.tree.sync()
        inter = await fake.slash_command(
            world.guild, world.alice, "roles grant", {"member": world.bob, "role": above}
        )
        put = await fake.wait_for_request("PUT", rf"/roles/{above.id}$")
        assert put.status == 403 and put.response == {"message": "Missing Permissions", "code": 50013}
        followup = await fake.wait_for_request("POST", rf"^/webhooks/\d+/{inter.token}$")
        assert followup.body["content"] == "forbidden 50013"
        assert above.id not in fake.member(world.guild, world.bob).roles


@pytest.mark.asyncio
async def test_subcommand_group_and_typed_options(fake: FakeDiscord, world: World) -> None:
    bot = RecordingBot()
    add_commands(bot)
    async with running_client(bot, fake):
        await bot.tree.sync()
        inter = await fake.slash_command(
            world.guild, world.alice, "admin roles count", {"role": world.member_role, "verbose": True}
        )
        group = inter.payload["data"]["options"][0]
        assert (group["type"], group["name"]) == (2, "roles")
        assert (group["options"][0]["type"], group["options"][0]["name"]) == (1, "count")
        response = await fake.wait_for_response(inter)
        assert response["type"] == 4 and response["data"]["content"] == "Member: 1 verbose=True"

        inter = await fake.slash_command(
            world.guild, world.alice, "ping", {"times": 2}, channel_id=world.welcome.id
        )
        assert (await fake.wait_for_response(inter))["data"]["content"] == "pong pong "
        message = fake.message(inter.original_message_id)
        assert message["channel_id"] == world.welcome.id and message["interaction_metadata"]["name"] == "ping"


@pytest.mark.asyncio
async def test_autocomplete_choices_are_recorded(fake: FakeDiscord, world: World) -> None:
    bot = RecordingBot()

    @bot.tree.command(name="topic", description="Pick a topic")
    async def topic(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(name)

    @topic.autocomplete("name")
    async def topic_autocomplete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=t, value=t)
            for t in ("python", "pytest", "rust")
            if t.startswith(current)
        ]

    async with running_client(bot, fake):
        await bot.tree.sync()
        inter = await fake.autocomplete(world.guild, world.alice, "topic", {"name": "py"}, focused="name")
        assert (await fake.wait_for_response(inter))["type"] == 8
        assert [c["value"] for c in inter.autocomplete_choices or []] == ["python", "pytest"]


# ---------------------------------------------------------------------------------------------------- REST behaviour


@pytest.mark.asyncio
async def test_a_channel_overwrite_denying_send_messages_answers_403_50013(
    fake: FakeDiscord, world: World
) -> None:
    read_only = fake.add_channel(world.guild, "read-only")
    fake.overwrite(read_only, world.guild.id, deny=PermissionBits.SEND_MESSAGES)
    hidden = fake.add_channel(world.guild, "hidden")
    fake.overwrite(hidden, world.guild.id, deny=PermissionBits.VIEW_CHANNEL)
    bot = RecordingBot()
    async with running_client(bot, fake):
        guild = bot.get_guild(int(world.guild.id))
        channel = guild.get_channel(int(read_only.id))
        # discord.py sees the overwrite in GUILD_CREATE, as Discord sends it.
        assert not channel.permissions_for(guild.me).send_messages
        with pytest.raises(discord.Forbidden) as caught:
            await channel.send("hello")
        assert (caught.value.status, caught.value.code, caught.value.text) == (
            403,
            50013,
            "Missing Permissions",
        )
        with pytest.raises(discord.Forbidden) as caught:
            await guild.get_channel(int(hidden.id)).send("hello")
        assert caught.value.code == 50001


@pytest.mark.asyncio
async def test_dm_to_closed_user_raises_forbidden_50007(fake: FakeDiscord, world: World) -> None:
    bot = RecordingBot()
    async with running_client(bot, fake):
        alice = bot.get_guild(int(world.guild.id)).get_member(int(world.alice.id))
        dm_id = fake.dm_channel(world.alice).id
        fake.fail_next(
            "POST",
            rf"^/channels/{dm_id}/messages$",
            403,
            code=50007,
            message="Cannot send messages to this user",
        )
        with pytest.raises(discord.Forbidden) as caught:
            await alice.send("Welcome!")
        assert caught.value.code == 50007 and caught.value.status == 403
        # The rule was used once: the next DM goes through.
        sent = await alice.send("Welcome again!")
        assert sent.content == "Welcome again!" and isinstance(sent.channel, discord.DMChannel)
        assert fake.find_requests("POST", r"^/users/@me/channels$")[0].body == {
            "recipient_id": int(world.alice.id)
        }

        # The model variant: a user who does not accept DMs.
        closed = await fake.member_join(world.guild, fake.add_user("dora", accepts_dms=False))
        dora = await bot.get_guild(int(world.guild.id)).fetch_member(int(closed.id))
        with pytest.raises(discord.Forbidden) as caught:
            await dora.send("hello")
        assert caught.value.code == 50007


@pytest.mark.asyncio
async def test_rate_limit_is_retried_then_succeeds(fake: FakeDiscord, world: World) -> None:
    bot = RecordingBot()
    async with running_client(bot, fake):
        channel = bot.get_channel(int(world.general.id))
        rule = fake.fail_next("POST", r"/channels/\d+/messages$", 429, retry_after=0.01)
        mark = fake.mark()
        message = await channel.send("hello")
        assert message.content == "hello" and rule.hits == 1
        attempts = [r for r in fake.requests[mark:] if r.matches("POST", r"/channels/\d+/messages$")]
        assert [r.status for r in attempts] == [429, 200]
        assert attempts[0].response["retry_after"] == 0.01
        assert fake.bot_messages(world.general)[-1]["content"] == "hello"


@pytest.mark.asyncio
async def test_server_error_is_retried(fake: FakeDiscord, world: World) -> None:
    bot = RecordingBot()
    async with running_client(bot, fake):
        channel = bot.get_channel(int(world.general.id))
        fake.fail_next("POST", r"/channels/\d+/messages$", 500)
        message = await channel.send("after a 500")  # discord.py waits 1 s before its retry
        assert message.content == "after a 500"
        assert [r.status for r in fake.find_requests("POST", r"/channels/\d+/messages$")] == [500, 200]


@pytest.mark.asyncio
async def test_permanent_failure_and_unknown_routes(fake: FakeDiscord, world: World) -> None:
    bot = RecordingBot()
    async with running_client(bot, fake):
        channel = bot.get_channel(int(world.welcome.id))
        rule = fake.fail_always("POST", rf"^/channels/{world.welcome.id}/messages$", 403)
        for _ in range(2):
            with pytest.raises(discord.Forbidden) as caught:
                await channel.send("nope")
            assert caught.value.code == 50013
        assert rule.hits == 2
        fake.clear_failures(rule)
        assert (await channel.send("yes")).content == "yes"

        with pytest.raises(discord.NotFound) as missing:
            await bot.get_guild(int(world.guild.id)).fetch_ban(discord.Object(int(world.alice.id)))
        assert missing.value.text == "Unknown route"
        assert [f"{r.method} {r.path}" for r in fake.unhandled] == [
            f"GET /guilds/{world.guild.id}/bans/{world.alice.id}"
        ]
        with pytest.raises(AssertionError, match="unhandled route"):
            fake.assert_all_handled()


@pytest.mark.asyncio
async def test_messages_files_edits_threads_reactions_and_events(fake: FakeDiscord, world: World) -> None:
    bot = RecordingBot()

    @bot.event
    async def on_thread_create(thread: discord.Thread) -> None:
        await bot.seen.put(("thread", thread))

    async with running_client(bot, fake):
        guild = bot.get_guild(int(world.guild.id))
        channel = guild.get_channel(int(world.general.id))

        message = await channel.send(
            "see attached", file=discord.File(io.BytesIO(b"hello file"), "notes.txt")
        )
        request = fake.find_requests("POST", rf"^/channels/{world.general.id}/messages$")[-1]
        assert request.body["content"] == "see attached"
        assert [(f.filename, f.data) for f in request.files] == [("notes.txt", b"hello file")]
        assert message.attachments[0].filename == "notes.txt"
        assert await message.attachments[0].read() == b"hello file"

        edited = await message.edit(content="edited")
        assert edited.content == "edited" and edited.edited_at is not None
        assert fake.message(message.id)["content"] == "edited"

        await message.add_reaction("\N{WHITE HEAVY CHECK MARK}")
        put = await fake.wait_for_request("PUT", r"/reactions/.+/@me$")
        assert put.status == 204 and "\N{WHITE HEAVY CHECK MARK}" in put.path

        private = await channel.create_thread(name="onboarding-alice", invitable=False)
        assert private.type is discord.ChannelType.private_thread and private.parent_id == channel.id
        assert (await bot.next_seen("thread")).id == private.id
        await private.add_user(discord.Object(int(world.alice.id)))
        assert world.alice.id in fake.channel(private.id).thread_members

        public = await message.create_thread(name="discussion")
        assert public.id == message.id and public.type is discord.ChannelType.public_thread

        fetched = await guild.fetch_member(int(world.bob.id))
        assert fetched.name == "bob"
        fetched_channel = await bot.fetch_channel(private.id)
        assert isinstance(fetched_channel, discord.Thread)

        start = discord.utils.utcnow() + datetime.timedelta(days=1)
        event = await guild.create_scheduled_event(
            name="Meetup",
            start_time=start,
            end_time=start + datetime.timedelta(hours=2),
            entity_type=discord.EntityType.external,
            location="Paris",
            privacy_level=discord.PrivacyLevel.guild_only,
        )
        assert event.name == "Meetup" and event.location == "Paris"
        assert next(iter(world.guild.scheduled_events.values()))["name"] == "Meetup"


@pytest.mark.asyncio
async def test_reactions_and_user_messages_reach_the_bot(fake: FakeDiscord, world: World) -> None:
    bot = RecordingBot()

    @bot.event
    async def on_raw_reaction_add(payload: discord.RawReactionActionEvent) -> None:
        await bot.seen.put(("reaction", payload))

    @bot.command()
    async def hello(ctx: commands.Context[commands.Bot]) -> None:
        await ctx.send(f"hello {ctx.author.name}")

    async with running_client(bot, fake):
        message = await bot.get_channel(int(world.general.id)).send("react here")
        await fake.reaction_add(world.general, message.id, world.alice, "\N{THUMBS UP SIGN}")
        payload = await bot.next_seen("reaction")
        assert payload.user_id == int(world.alice.id) and str(payload.emoji) == "\N{THUMBS UP SIGN}"
        assert payload.member is not None and payload.member.name == "alice"

        mark = fake.mark()
        await fake.user_message(world.general, world.alice, "!hello")
        reply = await fake.wait_for_request("POST", r"/channels/\d+/messages$", since=mark)
        assert reply.body["content"] == "hello alice"


# ---------------------------------------------------------------------------------------------------- components


class RsvpButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"rsvp:(?P<event_id>\d+)"):
    """A persistent button: found by custom_id alone, even after a restart."""

    def __init__(self, event_id: int) -> None:
        super().__init__(
            discord.ui.Button(label="RSVP", style=discord.ButtonStyle.primary, custom_id=f"rsvp:{event_id}")
        )
        self.event_id = event_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str]
    ) -> RsvpButton:
        return cls(int(match["event_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = interaction.client
        assert isinstance(bot, RecordingBot)
        await bot.seen.put(("rsvp", (self.event_id, interaction.user.id, interaction.guild_id)))
        try:
            await interaction.response.send_message(f"RSVP {self.event_id} noted", ephemeral=True)
        except discord.HTTPException as exc:
            await bot.seen.put(("rsvp_failed", exc.code))


@pytest.mark.asyncio
async def test_dynamic_button_press_reaches_callback(fake: FakeDiscord, world: World) -> None:
    bot = RecordingBot()
    bot.add_dynamic_items(RsvpButton)
    async with running_client(bot, fake):
        view = discord.ui.View(timeout=None)
        view.add_item(RsvpButton(42))
        message = await bot.get_channel(int(world.general.id)).send("Meetup on Friday", view=view)
        assert fake.message(message.id)["components"][0]["components"][0]["custom_id"] == "rsvp:42"

        inter = await fake.press_button("rsvp:42", world.alice.id)  # finds the message carrying rsvp:42
        assert await bot.next_seen("rsvp") == (42, int(world.alice.id), int(world.guild.id))
        response = await fake.wait_for_response(inter)
        assert response["type"] == 4 and response["data"]["content"] == "RSVP 42 noted"
        assert response["data"]["flags"] == 64
        assert inter.payload["message"]["id"] == str(message.id)

        # A DM press on a message the fake synthesizes.
        dm_press = await fake.press_button("rsvp:7", world.bob.id, guild_id=None)
        assert await bot.next_seen("rsvp") == (7, int(world.bob.id), None)
        assert (await fake.wait_for_response(dm_press))["type"] == 4

    # "Restart": a new client, same fake; the old button still works.
    restarted = RecordingBot()
    restarted.add_dynamic_items(RsvpButton)
    async with running_client(restarted, fake):
        again = await fake.press_button("rsvp:42", world.bob.id, message=message.id)
        assert await restarted.next_seen("rsvp") == (42, int(world.bob.id), int(world.guild.id))
        await fake.wait_for_response(again)


@pytest.mark.asyncio
async def test_duplicate_delivery_of_the_same_interaction(fake: FakeDiscord, world: World) -> None:
    bot = RecordingBot()
    bot.add_dynamic_items(RsvpButton)
    async with running_client(bot, fake):
        first = await fake.press_button("rsvp:5", world.alice, guild_id=world.guild, interaction_id=111)
        await bot.next_seen("rsvp")
        await fake.wait_for_request("POST", r"^/interactions/111/", status=200)
        second = await fake.press_button("rsvp:5", world.alice, guild_id=world.guild, interaction_id=111)
        assert second is first and second.deliveries == 2 and second.token == first.token
        await bot.next_seen("rsvp")
        again = await fake.wait_for_request("POST", r"^/interactions/111/", status=400)
        assert again.response["code"] == 40060
        assert await bot.next_seen("rsvp_failed") == 40060  # "Interaction has already been acknowledged."
        assert len(first.responses) == 1


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    """A modal with a classic text input (action row) and a labelled one (type 18)."""

    def __init__(self, sink: asyncio.Queue[tuple[str, Any]]) -> None:
        super().__init__(custom_id="feedback-modal", timeout=None)
        self.sink = sink
        self.text = discord.ui.TextInput(label="Your feedback", custom_id="feedback-text")
        self.mood = discord.ui.TextInput(custom_id="feedback-mood", required=False)
        self.add_item(self.text)
        self.add_item(discord.ui.Label(text="Mood", component=self.mood))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self.sink.put(("modal", (self.text.value, self.mood.value, interaction.user.id)))
        await interaction.response.send_message("thanks", ephemeral=True)


@pytest.mark.asyncio
async def test_modal_submission_reaches_on_submit(fake: FakeDiscord, world: World) -> None:
    bot = RecordingBot()

    @bot.tree.command(name="feedback", description="Give feedback")
    async def feedback(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(FeedbackModal(bot.seen))

    async with running_client(bot, fake):
        await bot.tree.sync()
        opener = await fake.slash_command(world.guild, world.alice, "feedback")
        response = await fake.wait_for_response(opener)
        assert response["type"] == 9 and response["data"]["custom_id"] == "feedback-modal"
        assert [c["type"] for c in fake.modals["feedback-modal"].components] == [1, 18]

        submitted = await fake.submit_modal(
            "feedback-modal", world.alice, {"Your feedback": "great community", "Mood": "happy"}
        )
        assert submitted.payload["guild_id"] == world.guild.id
        assert await bot.next_seen("modal") == ("great community", "happy", int(world.alice.id))
        assert (await fake.wait_for_response(submitted))["data"]["content"] == "thanks"
        with pytest.raises(ValueError, match="no inputs"):
            await fake.submit_modal("feedback-modal", world.alice, {"unknown": "x"})


# ---------------------------------------------------------------------------------------------------- gateway life


@pytest.mark.asyncio
async def test_reconnect_resume_and_new_identify(fake: FakeDiscord, world: World) -> None:
    bot = RecordingBot()

    @bot.event
    async def on_resumed() -> None:
        await bot.seen.put(("resumed", None))

    async with running_client(bot, fake):
        await bot.next_seen("ready")
        await fake.request_reconnect()
        await bot.next_seen("resumed")
        await fake.member_join(world.guild, "erin")  # the resumed session still receives dispatches
        await fake.disconnect_clients()
        await bot.next_seen("resumed")

        await fake.invalidate_sessions()
        assert await bot.next_seen("ready") == 2
        assert len(fake.identifies) == 2
        assert bot.get_guild(int(world.guild.id)).get_member(int(fake.user("erin").id)) is not None


@pytest.mark.asyncio
async def test_request_guild_members_gets_a_chunk(fake: FakeDiscord, world: World) -> None:
    bot = RecordingBot(chunk_guilds_at_startup=False)
    async with running_client(bot, fake):
        guild = bot.get_guild(int(world.guild.id))
        members = await asyncio.wait_for(guild.query_members("al"), TIMEOUT)
        assert [m.name for m in members] == ["alice"]


@pytest.mark.asyncio
async def test_guild_command_and_interaction_deadline(fake: FakeDiscord, world: World) -> None:
    bot = RecordingBot()
    guild_object = discord.Object(int(world.guild.id))

    @bot.tree.command(name="slow", description="Answers too late", guild=guild_object)
    async def slow(interaction: discord.Interaction) -> None:
        try:
            await interaction.response.send_message("late")
        except discord.NotFound as exc:
            await bot.seen.put(("expired", exc.code))

    async with running_client(bot, fake):
        await bot.tree.sync(guild=guild_object)
        fake.interaction_deadline = 0.0  # every callback arrives "after 3 s"
        inter = await fake.slash_command(world.guild, world.alice, "slow")
        assert inter.payload["data"]["guild_id"] == world.guild.id  # found among the guild's commands
        assert await bot.next_seen("expired") == 10062
        assert not inter.acknowledged


@pytest.mark.asyncio
async def test_bad_token_and_disallowed_intents_fail_like_discord() -> None:
    async with FakeDiscord(token="right-token") as strict:
        strict.add_guild("Strict")
        with pytest.raises(discord.LoginFailure):
            async with running_client(RecordingBot(), strict, token="wrong-token"):
                pass
    async with FakeDiscord(privileged_intents=False) as limited:
        limited.add_guild("Limited")
        with pytest.raises(discord.PrivilegedIntentsRequired):
            async with running_client(RecordingBot(), limited):
                pass


@pytest.mark.asyncio
async def test_message_content_is_blank_without_the_intent(fake: FakeDiscord, world: World) -> None:
    bot = RecordingBot(
        intents=discord.Intents(guilds=True, members=True, guild_messages=True, dm_messages=True)
    )

    @bot.event
    async def on_message(message: discord.Message) -> None:
        await bot.seen.put(("message", message.content))

    async with running_client(bot, fake):
        await fake.user_message(world.general, world.alice, "secret plans")
        assert await bot.next_seen("message") == ""
        await fake.user_message(world.general, world.alice, f"<@{fake.bot_user.id}> hello")
        assert await bot.next_seen("message") == f"<@{fake.bot_user.id}> hello"
        await fake.user_message(fake.dm_channel(world.alice), world.alice, "in a DM")
        assert await bot.next_seen("message") == "in a DM"


class PickView(discord.ui.View):
    """A non-persistent view: discord.py finds it by the message id of the interaction response."""

    def __init__(self, sink: asyncio.Queue[tuple[str, Any]]) -> None:
        super().__init__(timeout=60)
        self.sink = sink

    @discord.ui.select(
        custom_id="pick-topic", options=[discord.SelectOption(label=t) for t in ("a", "b", "c")]
    )
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select[PickView]) -> None:
        await self.sink.put(("picked", select.values))
        await interaction.response.defer()

    @discord.ui.button(label="Done", custom_id="pick-done")
    async def done(self, interaction: discord.Interaction, button: discord.ui.Button[PickView]) -> None:
        await self.sink.put(("done", interaction.message.id if interaction.message else None))
        await interaction.response.edit_message(content="closed", view=None)


@pytest.mark.asyncio
async def test_views_original_response_and_member_edits(fake: FakeDiscord, world: World) -> None:
    bot = RecordingBot()

    @bot.tree.command(name="pick", description="Pick a topic")
    async def pick(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pick one", view=PickView(bot.seen))
        original = await interaction.original_response()
        await interaction.edit_original_response(content=f"pick one ({original.id})")
        note = await interaction.followup.send("a note", wait=True)
        await note.delete()

    async with running_client(bot, fake):
        await bot.tree.sync()
        opener = await fake.slash_command(world.guild, world.alice, "pick")
        await fake.wait_for_request("DELETE", rf"^/webhooks/\d+/{opener.token}/messages/\d+$")
        original = fake.message(opener.original_message_id)
        assert original["content"] == f"pick one ({original['id']})"
        assert opener.followup_ids and opener.followup_ids[0] not in fake.messages

        choice = await fake.select_menu("pick-topic", world.alice, ["b"], message=original["id"])
        assert await bot.next_seen("picked") == ["b"]
        assert (await fake.wait_for_response(choice))["type"] == 6
        press = await fake.press_button("pick-done", world.alice)  # newest message carrying pick-done
        assert await bot.next_seen("done") == int(original["id"])
        assert (await fake.wait_for_response(press))["type"] == 7
        assert original["content"] == "closed" and original["components"] == []

        guild = bot.get_guild(int(world.guild.id))
        bob = guild.get_member(int(world.bob.id))
        await bob.remove_roles(guild.get_role(int(world.member_role.id)))
        assert fake.member(world.guild, world.bob).roles == []
        await bob.edit(nick="Bobby")
        assert fake.member(world.guild, world.bob).nick == "Bobby"
        assert (await bot.fetch_guild(guild.id)).name == "Agora Test"
        assert {r.name for r in await guild.fetch_roles()} >= {"@everyone", "Agora", "Member"}
        assert {c.name for c in await guild.fetch_channels()} == {"general", "welcome"}
        await fake.member_update(world.guild, world.alice, nick="Ally")
        await fake.reaction_remove(world.general, original["id"], world.alice)
    fake.assert_all_handled()


@pytest.mark.asyncio
async def test_auto_sharded_client_uses_gateway_bot(fake: FakeDiscord, world: World) -> None:
    client = discord.AutoShardedClient(intents=intents(), guild_ready_timeout=0.1)
    async with running_client(client, fake):
        assert client.shard_count == 1
        assert client.get_guild(int(world.guild.id)) is not None
    assert fake.find_requests("GET", r"^/gateway/bot$")
    assert fake.identifies[0]["shard"] == [0, 1]
