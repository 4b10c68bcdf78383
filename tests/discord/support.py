"""What the Discord end-to-end tests share: the test feature, the guild an animator sets up, the real Agora app
and the Discord adapter against the loopback fake (:class:`Bot`), and helpers that read what the fake received.
The fixtures that use them are in ``conftest.py``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from adapters.discord import DiscordAdapter
from adapters.discord.interactions import InteractionHandler
from bot.app import Agora
from bot.clock import FakeClock, SystemClock
from bot.config import Config, parse_config
from bot.context import Context
from bot.errors import FormErrors
from bot.events import CommandInvoked, CommunityRef, ReactionChanged
from bot.features.charter import CharterFeature
from bot.features.help import HelpFeature
from bot.features.setup import SetupFeature
from bot.messages import Form, FormField, Message
from bot.router import Feature, Option, Router, command, form, on
from bot.scheduler import APScheduler, VirtualScheduler
from storage.database import Database
from storage.models import Acknowledgement, Member
from tests.fakes.fake_discord import FakeChannel, FakeDiscord, FakeGuild, FakeInteraction, FakeRole, FakeUser
from tests.support import make_config

TIMEOUT = 5.0
EPHEMERAL = 64
CITIES = (*(f"City {i:02d}" for i in range(28)), "Paris", "Lyon", "Lille")


# ------------------------------------------------------------------------------------------------- the test feature


class Probe(Feature):
    """What the charter doesn't exercise yet: a long form, a slow handler, a long answer, choices past 25,
    reactions on the bot's prompts."""

    name = "discord_probe"

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.forms: list[dict[str, str]] = []
        self.reactions: list[tuple[str, str, bool, str]] = []

    @command("profile", "Fill in your profile")
    async def profile(self, ctx: Context) -> None:
        ctx.open_form(
            Form(
                "profile",
                "Your profile",
                fields=tuple(FormField(f"f{i}", f"Question {i}", required=i == 0) for i in range(7)),
                ref="42",
            )
        )

    @form("profile")
    async def profile_saved(self, ctx: Context) -> None:
        values = dict(ctx.event.values)  # type: ignore[attr-defined]
        if values.get("f0") == "bad":
            raise FormErrors({"f0": "Say it another way."})
        self.forms.append(values)
        ctx.reply("Profile saved.")

    @command("slow", "Take your time", options=(Option("public", "Answer in public", kind="boolean"),))
    async def slow(self, ctx: Context) -> None:
        await self.gate.wait()
        assert isinstance(ctx.event, CommandInvoked)
        ctx.reply(Message("Slow answer", ephemeral=not ctx.event.args.get("public", False)))

    @command("long", "A long answer")
    async def long(self, ctx: Context) -> None:
        ctx.reply(Message(long_text(5000), ephemeral=True))

    @command("city", "Pick a city", options=(Option("name", "City", choices=CITIES, autocomplete=True),))
    async def city(self, ctx: Context) -> None:
        assert isinstance(ctx.event, CommandInvoked)
        ctx.reply(f"City: {ctx.event.args['name']}")

    @on(ReactionChanged)
    async def reacted(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, ReactionChanged)
        self.reactions.append((event.message.id, event.emoji, event.added, event.actor.id))


def long_text(size: int) -> str:
    paragraph = "Members meet, talk and help each other. " * 12
    text = ""
    while len(text) < size:
        text += paragraph.strip() + "\n\n"
    return text.strip()


# ------------------------------------------------------------------------------------------------- the world


@dataclass
class World:
    """A guild as an animator sets it up: welcome and announcements channels, a member role, an animator role."""

    guild: FakeGuild
    general: FakeChannel
    welcome: FakeChannel
    announcements: FakeChannel
    member_role: FakeRole
    animator_role: FakeRole
    camille: FakeUser
    alice: FakeUser


# When the members of a test guild joined it: long before Agora arrived, on any clock a test runs (the virtual one
# starts in January 2026), so reading the member list at start records them as already there.
BEFORE_AGORA = "2025-06-02T09:00:00.000000+00:00"


def make_world(fake: FakeDiscord, name: str = "Agora Test", **guild: Any) -> World:
    g = fake.add_guild(name, **guild)
    animator_role = fake.add_role(g, "Animators")
    member_role = fake.add_role(g, "Members")
    camille = fake.add_member(g, "camille", roles=[animator_role])
    alice = fake.add_member(g, "alice")
    for member in g.members.values():
        member.joined_at = BEFORE_AGORA
    return World(
        guild=g,
        general=g.channel_named("general"),
        welcome=fake.add_channel(g, "welcome"),
        announcements=fake.add_channel(g, "announcements"),
        member_role=member_role,
        animator_role=animator_role,
        camille=camille.user,
        alice=alice.user,
    )


def discord_config(
    fake: FakeDiscord, world: World, database_url: str, locale: str = "en", **community: Any
) -> Config:
    community.setdefault("member_role", "Members")
    community.setdefault("animator_role", "Animators")
    community.setdefault("channels", {"welcome": world.welcome.id, "announcements": world.announcements.id})
    config = make_config(locale, database_url, **community)
    section = parse_config(
        {
            "discord": {
                "token": "${DISCORD_TOKEN}",
                "api_base_url": fake.api_base,
                "gateway_url": fake.gateway_url,
            }
        },
        env={"DISCORD_TOKEN": "fake-bot-token"},
    ).discord
    return config.model_copy(update={"discord": section})


class Bot:
    """The real Agora app and the Discord adapter against the fake; stoppable and restartable on one database."""

    def __init__(
        self,
        config: Config,
        *,
        probe: Feature | None = None,
        virtual_time: bool = False,
        features: Sequence[Feature] = (),
        with_probe: bool = True,
    ) -> None:
        """``probe`` (a :class:`Probe` by default) and ``features`` run next to the charter, setup and help: a
        feature's Discord flow test passes its own feature here (``with_probe=False`` when its commands clash)."""
        self.config = config
        self.probe: Any = probe or Probe()
        self.features = list(features)
        self.with_probe = with_probe
        self.virtual_time = virtual_time
        self.clock: Any = None
        self.scheduler: Any = None
        self.database: Database | None = None
        self.app: Agora | None = None
        self.adapter: DiscordAdapter | None = None

    async def start(self) -> Bot:
        self.database = Database(self.config.database.url)
        await self.database.upgrade()
        if self.virtual_time:
            self.clock = self.clock or FakeClock()
            scheduler: Any = VirtualScheduler(self.clock)
        else:
            self.clock = SystemClock()
            scheduler = APScheduler(self.clock)
        self.scheduler = scheduler
        self.app = Agora(
            self.config,
            self.database,
            clock=self.clock,
            scheduler=scheduler,
            features=[
                CharterFeature(),
                SetupFeature(),
                HelpFeature(),
                *([self.probe] if self.with_probe else []),
                *self.features,
            ],
        )
        await self.app.start()
        self.adapter = DiscordAdapter(self.app, self.config, client_options={"guild_ready_timeout": 0.1})
        await self.adapter.start()
        return self

    async def stop(self) -> None:
        if self.adapter is not None:
            await self.adapter.stop()
        if self.app is not None:
            await self.app.stop()
        if self.database is not None:
            await self.database.close()
        self.adapter = self.app = self.database = None

    async def settle(self) -> None:
        assert self.adapter is not None
        await self.adapter.settle()

    @property
    def handler(self) -> InteractionHandler:
        assert self.adapter is not None and self.adapter.client is not None
        return self.adapter.client.interactions

    async def count(self, model: Any, *where: Any) -> int:
        assert self.database is not None
        async with self.database.transaction() as session:
            return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    async def acknowledgements(self, user: FakeUser) -> int:
        return await self.count(Acknowledgement, Acknowledgement.member_id.in_(self._member_ids(user)))

    def _member_ids(self, user: FakeUser) -> Any:
        return select(Member.id).where(Member.external_id == user.id)

    async def settings(self, guild: FakeGuild) -> Any:
        assert self.app is not None
        return await self.app.community_settings(CommunityRef("discord", guild.id, guild.name))


# ------------------------------------------------------------------------------------------------- helpers


async def dm_to(fake: FakeDiscord, user: FakeUser, *, since: int = 0) -> dict[str, Any]:
    """The next message the bot sent in ``user``'s DM channel (the stored message)."""
    channel = fake.dm_channel(user)
    request = await fake.wait_for_request(
        "POST", rf"^/channels/{channel.id}/messages$", status=200, since=since, timeout=TIMEOUT
    )
    return fake.message(request.response["id"])


async def arrive(
    fake: FakeDiscord,
    world: World,
    bot: Bot,
    name: str,
) -> tuple[FakeUser, dict[str, Any]]:
    """``name`` joins and accepts the charter (with onboarding on); returns them and the invitation to introduce
    themselves."""
    member = await fake.member_join(world.guild, name)
    welcome = await dm_to(fake, member.user)
    mark = fake.mark()
    press = await fake.press_button(custom_ids(welcome)[0], member.user, message=welcome["id"])
    await fake.wait_for_answer(press)
    invitation = await dm_to(fake, member.user, since=mark)
    await bot.settle()
    return member.user, invitation


async def introduce(
    fake: FakeDiscord,
    user: FakeUser,
    invitation: dict[str, Any],
    values: dict[str, str],
) -> list[Any]:
    """Press "Introduce myself" and fill the form over its two modals; returns the answers to the last step."""
    introduce_id = next(c for c in custom_ids(invitation) if ":onboarding:introduce:" in c)
    press = await fake.press_button(introduce_id, user, message=invitation["id"])
    first = await fake.wait_for_answer(press)
    assert first["type"] == 9 and first["data"]["title"] == "Introduce yourself (1/2)"
    step_one = first["data"]["custom_id"]
    assert len(fake.modals[step_one].components) == 5  # a modal takes five inputs: six fields make two steps
    fields = ("name", "what", "where", "interests", "offers")
    submitted = await fake.submit_modal(step_one, user, {k: values.get(k, "") for k in fields})
    saved = await fake.wait_for_answer(submitted)
    go_on = custom_ids(saved["data"])[0]
    press = await fake.press_button(go_on, user, message=submitted.original_message_id)
    second = await fake.wait_for_answer(press)
    assert second["type"] == 9 and second["data"]["title"] == "Introduce yourself (2/2)"
    last = await fake.submit_modal(second["data"]["custom_id"], user, {"needs": values.get("needs", "")})
    return [await fake.wait_for_answer(last)]


def custom_ids(message: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in message.get("components", []) for c in row.get("components", [])]


async def followups(fake: FakeDiscord, interaction: FakeInteraction, count: int = 1) -> list[dict[str, Any]]:
    """The first ``count`` follow-up messages sent for an interaction (webhook POSTs)."""

    def found() -> list[Any]:
        return fake.find_requests("POST", rf"^/webhooks/{fake.application_id}/{interaction.token}$")

    await fake.wait_for(lambda r: len(found()) >= count, timeout=TIMEOUT)
    return [r.body for r in found()[:count]]


def text_of(message: dict[str, Any]) -> str:
    """Everything a stored or sent message says: content, embed title, description and fields."""
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f"{f['name']} {f['value']}" for f in embed.get("fields", [])]
        parts.append((embed.get("footer") or {}).get("text", ""))
    return "\n".join(p for p in parts if p)


async def eventually(check: Callable[[], Any], what: str) -> None:
    """Wait until ``check()`` (sync or async) holds, re-checking as the loop turns; fail after the timeout."""

    async def poll() -> None:
        while True:
            result = check()
            if asyncio.iscoroutine(result):
                result = await result
            if result:
                return
            await asyncio.sleep(0.005)

    try:
        await asyncio.wait_for(poll(), TIMEOUT)
    except TimeoutError:
        raise AssertionError(f"timed out waiting until {what}") from None


async def every_command_tree() -> tuple[Router, Any, dict[str, Any]]:
    """The router of every feature Agora ships, and the ``/agora`` tree built from it: the tree and the payload
    Discord would receive (descriptions translated)."""
    import discord
    from discord import app_commands

    from adapters.discord.commands import AgoraTranslator, build_root
    from bot.app import default_features

    router = Router()
    for feature in default_features():
        router.add(feature)
    client = discord.Client(intents=discord.Intents.none())
    tree = app_commands.CommandTree(client)
    tree.add_command(build_root(router.commands.values(), handler=None))  # type: ignore[arg-type]
    await tree.set_translator(AgoraTranslator())
    payload = await tree.get_command("agora").get_translated_payload(tree, tree.translator)  # type: ignore[union-attr]
    return router, tree, payload
