"""``AgoraClient``: the discord.py client. Gateway events become core events; ``setup_hook`` registers the
persistent buttons and builds (and syncs) the ``/agora`` command tree.

Intents: guilds, members (privileged: joins and leaves, and the member cache that tells roles), guild and DM
reactions. No message content: Agora never reads what members write in channels.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from adapters.discord.commands import AgoraTranslator, build_root
from adapters.discord.components import AgoraButton, FormButton
from adapters.discord.inbound import (
    PLATFORM,
    community_ref,
    join_delivery_id,
    leave_delivery_id,
    member_ref,
    reaction_delivery_id,
)
from adapters.discord.interactions import InteractionHandler
from adapters.discord.members import reconcile_guilds
from adapters.discord.render import ALLOWED_MENTIONS
from bot.events import Event, MemberJoined, MemberLeft, MemberRef, MessageRef, ReactionChanged

if TYPE_CHECKING:
    from adapters.discord.config import DiscordConfig
    from bot.app import Agora

__all__ = ["INTENTS", "PERMISSIONS", "AgoraClient", "AgoraShardedClient", "AgoraTree", "invite_url"]

log = logging.getLogger("agora.discord")

INTENTS = discord.Intents(guilds=True, members=True, guild_reactions=True, dm_reactions=True)
# What the bot asks for when invited (the README's invite URL): posts and DMs with embeds, files and reactions;
# the member role; debate threads and private threads (grouping rounds, newcomers whose DMs are closed); events.
PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    embed_links=True,
    attach_files=True,
    read_message_history=True,
    add_reactions=True,
    manage_roles=True,
    create_public_threads=True,
    create_private_threads=True,
    send_messages_in_threads=True,
    manage_threads=True,
    manage_events=True,
)
# A rate limit longer than this is not slept through inside a delivery: it becomes a TransientChatError with
# Discord's retry_after, and the outbox tries again then (without holding up the deliveries behind it).
MAX_RATELIMIT_SLEEP = 60.0


def invite_url(application_id: int | str) -> str:
    """The URL that adds the bot to a server with its commands and the permissions it needs."""
    return (
        f"https://discord.com/oauth2/authorize?client_id={application_id}"
        f"&scope=bot+applications.commands&permissions={PERMISSIONS.value}"
    )


class AgoraTree(app_commands.CommandTree["AgoraClient"]):
    """The command tree; a command that fails before reaching the core still gets a polite answer."""

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError, /
    ) -> None:
        await self.client.interactions.tree_error(interaction, error)


class AgoraClient(discord.Client):
    """One connection to Discord serving every guild the bot is in, each guild a community."""

    def __init__(self, app: Agora, settings: DiscordConfig, **options: Any) -> None:
        options.setdefault("max_ratelimit_timeout", MAX_RATELIMIT_SLEEP)
        super().__init__(intents=INTENTS, allowed_mentions=ALLOWED_MENTIONS, **options)
        self.app = app
        self.settings = settings
        self.interactions = InteractionHandler(app, self)
        self.tree = AgoraTree(self)
        self.synced: list[app_commands.AppCommand] = []
        # READYs seen: the first session's member lists are read by the adapter's start(), later ones here.
        self.sessions = 0

    async def setup_hook(self) -> None:
        # Persistent buttons: found by custom id alone, so messages sent before a restart keep working.
        self.add_dynamic_items(AgoraButton, FormButton)
        await self.tree.set_translator(AgoraTranslator())
        self.tree.add_command(build_root(self.app.router.commands.values(), self.interactions))
        if self.settings.sync_commands:
            try:
                self.synced = await self.tree.sync()
            except discord.HTTPException as exc:
                # Commands synced earlier still work; the buttons and events don't need a sync at all.
                log.error("could not sync the /agora commands", extra={"agora": {"error": str(exc)}})
            else:
                log.info(
                    "discord commands synced",
                    extra={"agora": {"commands": [c.name for c in self.synced]}},
                )

    # --- life --------------------------------------------------------------------------------------------

    async def on_ready(self) -> None:
        # Also after a new session (a long disconnection): the bot may have joined servers meanwhile.
        self.sessions += 1
        await self.ensure_communities()
        log.info(
            "discord ready",
            extra={"agora": {"user": str(self.user.id) if self.user else None, "guilds": len(self.guilds)}},
        )
        if self.sessions > 1:
            # A new session after a disconnection: joins and departures meanwhile were never delivered (a RESUME
            # replays what was missed; a new session does not).
            await self.reconcile_members()

    async def reconcile_members(self, guilds: list[discord.Guild] | None = None) -> None:
        """Have the core read each guild's member list: existing members learnt, missed joins and leaves handled."""
        with self.interactions.tracked():
            await reconcile_guilds(self.app, self.guilds if guilds is None else guilds)

    async def ensure_communities(self) -> None:
        """Every guild the bot is in is a community (created with its charter on first sight)."""
        for guild in list(self.guilds):
            await self._ensure_community(guild)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self._ensure_community(guild)
        log.info("joined a new server", extra={"agora": {"guild": str(guild.id)}})
        await self.reconcile_members([guild])  # its members were there before Agora: learnt, not welcomed

    async def _ensure_community(self, guild: discord.Guild) -> None:
        """Each guild is a community from the moment the bot is in it (its charter exists, its name is known)."""
        try:
            await self.app.community_settings(community_ref(guild))
        except Exception:
            log.exception("could not register the community", extra={"agora": {"guild": str(guild.id)}})

    # --- gateway events -> core events ---------------------------------------------------------------------

    async def _dispatch(self, event: Event) -> None:
        with self.interactions.tracked():
            try:
                await self.app.dispatch(event)
            except Exception:
                log.exception(
                    "the core failed on a gateway event", extra={"agora": {"event": event.event_type}}
                )

    async def on_member_join(self, member: discord.Member) -> None:
        await self._dispatch(
            MemberJoined(
                community=community_ref(member.guild),
                member=member_ref(member),
                delivery_id=join_delivery_id(member),
            )
        )

    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        guild = self.get_guild(payload.guild_id)
        if guild is None:
            return
        user = payload.user
        joined_at = user.joined_at if isinstance(user, discord.Member) else None
        await self._dispatch(
            MemberLeft(
                community=community_ref(guild),
                member=member_ref(user),
                delivery_id=leave_delivery_id(guild.id, user.id, joined_at),
            )
        )

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reaction(payload, added=True)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reaction(payload, added=False)

    async def _reaction(self, payload: discord.RawReactionActionEvent, *, added: bool) -> None:
        """A reaction on one of the bot's messages (its prompts), by someone else than the bot."""
        me = self.user
        if me is None or payload.user_id == me.id:
            return
        if payload.message_author_id is not None and payload.message_author_id != me.id:
            return
        if payload.message_author_id is None:  # a removal says nothing of the author: ask the cache
            cached = discord.utils.get(self.cached_messages, id=payload.message_id)
            if cached is not None and cached.author.id != me.id:
                return
        guild = self.get_guild(payload.guild_id) if payload.guild_id else None
        if guild is None and payload.guild_id is None:
            user = self.get_user(payload.user_id)
            shared = user.mutual_guilds if user is not None else []
            guild = shared[0] if len(shared) == 1 else None
        if guild is None:
            return
        member = payload.member or guild.get_member(payload.user_id)
        actor = member_ref(member) if member is not None else MemberRef(PLATFORM, str(payload.user_id))
        emoji = str(payload.emoji)
        event = ReactionChanged(
            community=community_ref(guild),
            actor=actor,
            message=MessageRef(PLATFORM, str(payload.channel_id), str(payload.message_id)),
            emoji=emoji,
            added=added,
            delivery_id=reaction_delivery_id(payload.message_id, payload.user_id, emoji, added),
        )
        if self.app.router.route(event) is None:
            return  # no feature listens to reactions: not worth a database round trip per reaction
        await self._dispatch(event)

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        # Commands go through the tree and buttons through their dynamic items; modals are handled by custom id
        # here, whoever opened them and whenever (see AgoraModal).
        if interaction.type is discord.InteractionType.modal_submit:
            await self.interactions.modal(interaction)
        elif interaction.type is discord.InteractionType.component:
            custom_id = str(dict(interaction.data or {}).get("custom_id", ""))
            if not _shows(interaction.message, custom_id):
                # discord.py only dispatches a dynamic item it finds in the interaction's message: a press on a
                # button the message no longer shows (edited since, a re-delivery, a stale client) is answered
                # here instead of failing in the member's face.
                await self.interactions.orphan(interaction, custom_id)


def _shows(message: discord.Message | None, custom_id: str) -> bool:
    """Whether ``message`` carries a component with ``custom_id``."""
    if message is None:
        return True  # nothing discord.py could dispatch on either; not ours to guess
    stack: list[Any] = list(message.components)
    while stack:
        component = stack.pop()
        if getattr(component, "custom_id", None) == custom_id:
            return True
        stack.extend(getattr(component, "children", None) or [])
        for attribute in ("component", "accessory"):
            inner = getattr(component, attribute, None)
            if inner is not None:
                stack.append(inner)
    return False


class AgoraShardedClient(AgoraClient, discord.AutoShardedClient):
    """The same client over several shards (``discord.shard_count``, and ``shard_ids`` when other processes run
    the rest): each guild's events come on its shard, handled as on one connection."""
