"""``DiscordChat``: the core's ``Chat`` port on discord.py.

Errors come back in the core's two kinds: Discord 50007 (the member's DMs are closed) is ``DirectMessagesClosed``,
so the outbox opens a private thread in the welcome channel instead; 50013/50001 and a role above the bot's are
``MissingPermission`` (logged, and the animators told once, see ``notices``); an unknown channel, member or
message is ``PermanentChatError``; rate limits, 5xx and network errors are ``TransientChatError`` (discord.py
already retried 429s and 5xx; the outbox retries what still failed, later).

Channels may be given by id (what ``/agora setup`` stores) or, in the YAML, by name.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal

import aiohttp
import discord

from adapters.discord.commands import command_paths, command_text
from adapters.discord.inbound import PLATFORM, member_ref
from adapters.discord.members import guild_members
from adapters.discord.notices import PermissionNotices, find_role, find_text_channel
from adapters.discord.render import Payload, allowed_mentions, render, render_one, untrusted_text
from bot.chat import (
    Capability,
    ChatError,
    DirectMessagesClosed,
    ListedMember,
    MissingPermission,
    PermanentChatError,
    Problem,
    ScheduledEvent,
    TransientChatError,
    delivering_for,
)
from bot.events import ChannelRef, CommunityRef, MemberRef, MessageRef
from bot.messages import Mentions, Message, mention

if TYPE_CHECKING:
    from bot.i18n import Translator

__all__ = ["DiscordChat", "platform_errors"]

log = logging.getLogger("agora.discord")

READY_WAIT = 30.0
THREAD_ARCHIVE_MINUTES: Final[Literal[10080]] = (
    10080  # a week: a welcome or a round's thread stays in the list that long
)


@contextlib.contextmanager
def platform_errors(what: str) -> Iterator[None]:
    """Turn discord.py's exceptions raised in the block into the core's ``ChatError`` kinds."""
    try:
        yield
    except ChatError:
        raise
    except discord.Forbidden as exc:
        if exc.code == 50007:
            raise DirectMessagesClosed(f"{what}: the member does not accept direct messages (50007)") from exc
        if exc.code in (50013, 50001):
            raise MissingPermission(f"{what}: missing permission ({exc.code} {exc.text})") from exc
        raise PermanentChatError(f"{what}: forbidden ({exc.code} {exc.text})") from exc
    except discord.NotFound as exc:
        raise PermanentChatError(f"{what}: not found ({exc.code} {exc.text})") from exc
    except discord.RateLimited as exc:
        raise TransientChatError(f"{what}: rate limited", retry_after=exc.retry_after) from exc
    except discord.HTTPException as exc:
        if exc.status == 429 or exc.status >= 500:
            raise TransientChatError(
                f"{what}: Discord answered {exc.status}", retry_after=_retry_after(exc)
            ) from exc
        raise PermanentChatError(f"{what}: Discord refused ({exc.status} {exc.code} {exc.text})") from exc
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise TransientChatError(f"{what}: network error ({type(exc).__name__})") from exc


def _retry_after(exc: discord.HTTPException) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("Retry-After") if response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


# What each Problem means in Discord permissions (a thread needs both of its own).
_PERMISSIONS: dict[Problem, tuple[str, ...]] = {
    Problem.VIEW_CHANNEL: ("view_channel",),
    Problem.SEND_MESSAGES: ("send_messages",),
    Problem.EMBED_LINKS: ("embed_links",),
    Problem.CREATE_THREADS: ("create_public_threads", "send_messages_in_threads"),
    Problem.PRIVATE_THREADS: ("create_private_threads", "send_messages_in_threads"),
    Problem.MANAGE_ROLES: ("manage_roles",),
}
_POST_NEEDS = frozenset({Problem.VIEW_CHANNEL, Problem.SEND_MESSAGES, Problem.EMBED_LINKS})


def _missing(channel: object, guild: discord.Guild, needs: frozenset[Problem]) -> frozenset[Problem]:
    """The permissions of ``needs`` the bot lacks in ``channel``, as its overwrites and roles say."""
    permissions_for = getattr(channel, "permissions_for", None)
    if permissions_for is None or guild.me is None:
        return frozenset()
    have = permissions_for(guild.me)
    missing = {need for need in needs if not all(getattr(have, name) for name in _PERMISSIONS.get(need, ()))}
    # Discord takes the rest away with View Channel or Send Messages (discord.py mirrors it): name only what
    # unlocks it, not every permission that follows.
    if Problem.VIEW_CHANNEL in missing:
        return frozenset({Problem.VIEW_CHANNEL, Problem.SEND_MESSAGES} & needs)
    if Problem.SEND_MESSAGES in missing:
        missing.discard(Problem.EMBED_LINKS)
    return frozenset(missing)


def _snowflake(value: str, what: str) -> int:
    if not value.isdigit():
        raise PermanentChatError(f"{what} {value!r} is not a Discord id")
    return int(value)


class DiscordChat:
    """The ``Chat`` port for one connected discord.py client."""

    platform = PLATFORM
    capabilities = frozenset(
        {
            Capability.ROLES,
            Capability.LOCAL_TIMES,
            Capability.PRIVATE_THREADS,
            Capability.THREADS,
            Capability.REACTIONS,
            Capability.UPDATE,
            Capability.FORMS,
            Capability.SCHEDULED_EVENTS,
            Capability.FILES,
            Capability.DELETE,
        }
    )

    def __init__(
        self, client: discord.Client, notices: PermissionNotices, commands: Iterable[str] = ()
    ) -> None:
        self.client = client
        self.notices = notices
        self._command_paths = command_paths(commands)

    def command_text(self, name: str) -> str:
        return command_text(self._command_paths, name)

    # --- plumbing ----------------------------------------------------------------------------------------

    async def _connected(self) -> None:
        """Wait (briefly) for the gateway: an outbox delivery during a reconnection is retried, not lost."""
        if self.client.is_closed():
            raise TransientChatError("Discord is not connected")
        if not self.client.is_ready():
            try:
                await asyncio.wait_for(self.client.wait_until_ready(), READY_WAIT)
            except TimeoutError:
                raise TransientChatError("Discord is not connected yet") from None

    async def list_members(self, community: CommunityRef) -> Sequence[ListedMember]:
        """The guild's human members, from discord.py's member cache once the guild is chunked."""
        await self._connected()
        return await guild_members(self._guild(community))

    async def describe_member(self, community: CommunityRef, member_id: str) -> MemberRef | None:
        """The member as discord.py's member cache has them now (kept current by GUILD_MEMBER_UPDATE and
        GUILD_MEMBER_REMOVE with the members intent: no call to Discord), built as an interaction's member is
        (``inbound.member_ref``). Discord is asked only for what the cache can't say: a member of a guild not
        chunked yet, or a guild another process's shards hold. Never waits for the gateway: a page is waiting."""
        if self.client.is_closed() or not self.client.is_ready():
            raise TransientChatError("Discord is not connected")
        if not member_id.isdigit():
            return None
        guild_id, user_id = _snowflake(community.id, "guild"), int(member_id)
        try:
            with platform_errors(f"describe the member {member_id}"):
                guild = self.client.get_guild(guild_id) or await self.client.fetch_guild(guild_id)
                found = guild.get_member(user_id)
                if found is None and guild.chunked:
                    return None  # the guild's whole member list is here: they left
                if found is None:
                    found = await guild.fetch_member(user_id)
        except PermanentChatError as exc:
            if isinstance(exc.__cause__, discord.NotFound):
                return None  # Unknown Member (they left), Unknown Guild
            raise
        return member_ref(found)

    def _guild(self, community: CommunityRef) -> discord.Guild:
        guild = self.client.get_guild(_snowflake(community.id, "guild"))
        if guild is None:
            raise PermanentChatError(f"the bot is not in the guild {community.id} ({community.name})")
        return guild

    async def _messageable(self, channel_id: str) -> tuple[discord.abc.Messageable, discord.Guild | None]:
        """Where to send for a channel id (or a unique channel name): the channel and its guild, if known."""
        if channel_id.isdigit():
            channel = self.client.get_channel(int(channel_id))
            if channel is None:
                # Not cached (a DM channel after a restart, a thread): sending needs only the id.
                return self.client.get_partial_messageable(int(channel_id)), None
            if not isinstance(channel, discord.abc.Messageable):
                raise PermanentChatError(f"channel {channel_id} is not one the bot can post in")
            return channel, getattr(channel, "guild", None)
        # A name (from the YAML): looked up in the community being delivered for, else in the only server
        # that has a channel by that name.
        hint = self._dm_hint()
        guilds = [g for g in self.client.guilds if hint is None or g.id == hint]
        found = [c for g in guilds if (c := find_text_channel(g, channel_id)) is not None]
        if len(found) != 1:
            raise PermanentChatError(
                f"channel {channel_id!r} is not an id and does not name exactly one channel "
                "(set it with /agora setup)"
            )
        return found[0], found[0].guild

    @staticmethod
    def _dm_hint() -> int | None:
        """The guild of the community being delivered for (the outbox says which): to tag buttons sent where
        there is no guild, and to find a channel given by name."""
        community = delivering_for.get()
        if community is None or community.platform != PLATFORM or not community.id.isdigit():
            return None
        return int(community.id)

    async def _send(
        self, target: discord.abc.Messageable, payloads: list[Payload], guild_hint: int | None
    ) -> discord.Message:
        sent: discord.Message | None = None
        for payload in payloads:
            sent = await target.send(**payload.send_kwargs(guild_hint))
        assert sent is not None  # render() always gives at least one payload
        return sent

    @staticmethod
    def _ref(message: discord.Message) -> MessageRef:
        return MessageRef(PLATFORM, str(message.channel.id), str(message.id))

    async def _permission_problem(
        self, guild: discord.Guild | None, key: tuple[str, ...], text: Any, summary: str, **fields: Any
    ) -> None:
        if guild is not None:
            await self.notices.tell(guild, key, text, summary, **fields)
        else:
            log.error("discord permission problem: %s", summary, extra={"agora": dict(fields)})

    # --- the port ------------------------------------------------------------------------------------------

    async def post(self, channel: ChannelRef, message: Message) -> MessageRef:
        await self._connected()
        target, guild = await self._messageable(channel.id)
        try:
            with platform_errors(f"post in {channel.id}"):
                sent = await self._send(target, render(message), None if guild else self._dm_hint())
        except MissingPermission as exc:
            # The core reports the failed post to the animators, naming what is missing (bot.deliveries).
            missing = _missing(target, guild, _POST_NEEDS) if guild is not None else frozenset()
            log.error(
                "discord permission problem: cannot post in channel %s",
                channel.id,
                extra={"agora": {"channel": channel.id, "missing": sorted(missing)}},
            )
            raise MissingPermission(str(exc), sorted(missing) or [Problem.SEND_MESSAGES]) from exc
        return self._ref(sent)

    async def direct_message(self, member: MemberRef, message: Message) -> MessageRef:
        await self._connected()
        user_id = _snowflake(member.id, "member")
        with platform_errors(f"direct message to {member.id}"):
            dm = await self.client.create_dm(discord.Object(user_id))
            sent = await self._send(dm, render(message), self._dm_hint())
        return self._ref(sent)

    async def update(self, ref: MessageRef, message: Message) -> None:
        await self._connected()
        target, guild = await self._messageable(ref.channel_id)
        partial = discord.PartialMessage(channel=target, id=_snowflake(ref.id, "message"))  # type: ignore[arg-type]
        payload = render_one(message)
        with platform_errors(f"update message {ref.id}"):
            await partial.edit(**payload.edit_kwargs(None if guild else self._dm_hint()))

    async def delete(self, ref: MessageRef) -> None:
        await self._connected()
        target, _guild = await self._messageable(ref.channel_id)
        partial = discord.PartialMessage(channel=target, id=_snowflake(ref.id, "message"))  # type: ignore[arg-type]
        try:
            with platform_errors(f"delete message {ref.id}"):
                await partial.delete()
        except PermanentChatError as exc:
            if not isinstance(exc.__cause__, discord.NotFound):
                raise  # gone already is what we wanted; anything else is worth knowing

    async def react(self, ref: MessageRef, emoji: str) -> None:
        await self._connected()
        target, _guild = await self._messageable(ref.channel_id)
        partial = discord.PartialMessage(channel=target, id=_snowflake(ref.id, "message"))  # type: ignore[arg-type]
        with platform_errors(f"react to message {ref.id}"):
            await partial.add_reaction(emoji)

    async def grant_role(self, community: CommunityRef, member: MemberRef, role: str) -> None:
        await self._change_role(community, member, role, add=True)

    async def revoke_role(self, community: CommunityRef, member: MemberRef, role: str) -> None:
        await self._change_role(community, member, role, add=False)

    async def _change_role(self, community: CommunityRef, member: MemberRef, role: str, *, add: bool) -> None:
        await self._connected()
        guild = self._guild(community)
        target = find_role(guild, role)
        who = mention(member.id)
        if target is None:

            def missing(_: Translator) -> str:
                return _(
                    "There is no role “{role}” in this server, so {member} could not get it: choose the member "
                    "role with /agora setup.",
                    role=role,
                    member=who,
                )

            await self.notices.tell(
                guild, ("role-unknown", role), missing, f"no role named {role!r} in the guild", role=role
            )
            raise PermanentChatError(f"no role {role!r} in guild {guild.id}")
        user_id = _snowflake(member.id, "member")
        try:
            with platform_errors(f"{'grant' if add else 'revoke'} role {target.id} to {member.id}"):
                if target.is_default() or target.managed:
                    raise MissingPermission(
                        f"the role {target.name!r} is managed by Discord or an integration"
                    )
                found = guild.get_member(user_id) or await guild.fetch_member(user_id)
                if add:
                    await found.add_roles(target)
                else:
                    await found.remove_roles(target)
        except MissingPermission:
            await self._role_problem(guild, target, who, add)
            raise

    async def _role_problem(self, guild: discord.Guild, role: discord.Role, who: str, add: bool) -> None:
        me = guild.me
        bot_role = me.top_role.name if me is not None else "Agora"
        if me is not None and not me.guild_permissions.manage_roles:
            problem, fix = "manage_roles", "grant the Manage Roles permission to the bot's role"
        elif me is not None and role >= me.top_role:
            problem, fix = "role_hierarchy", f"move the bot's role {bot_role!r} above {role.name!r}"
        else:
            problem, fix = "role_forbidden", f"check the bot's permissions on the role {role.name!r}"

        def text(_: Translator) -> str:
            first = (
                _("I could not give {member} the role “{role}”.", member=who, role=role.name)
                if add
                else _("I could not take the role “{role}” away from {member}.", member=who, role=role.name)
            )
            if problem == "manage_roles":
                second = _(
                    "I don't have the Manage Roles permission: please grant it to my role “{bot_role}” in "
                    "Server Settings → Roles, then give the role by hand to whoever missed it.",
                    bot_role=bot_role,
                )
            elif problem == "role_hierarchy":
                second = _(
                    "My role “{bot_role}” is below “{role}”: please drag it above in Server Settings → Roles, "
                    "then give the role by hand to whoever missed it.",
                    bot_role=bot_role,
                    role=role.name,
                )
            else:
                second = _("Discord refused: please check my permissions on this role.")
            return f"{first} {second}"

        await self.notices.tell(
            guild,
            (problem, str(role.id)),
            text,
            f"cannot {'grant' if add else 'revoke'} the role {role.name!r}: {fix}",
            role=role.name,
            fix=fix,
        )

    async def invite_to_channels(
        self, community: CommunityRef, member: MemberRef, channels: Sequence[ChannelRef]
    ) -> None:
        raise PermanentChatError("Discord opens channels with roles, not invitations")

    async def open_group(
        self,
        community: CommunityRef,
        members: Sequence[MemberRef],
        title: str,
        parent: ChannelRef | None = None,
    ) -> ChannelRef:
        """A private thread in ``parent`` with each member added (they can't invite others). When the bot may
        not create private threads there, the members are mentioned in ``parent`` itself, which is returned."""
        await self._connected()
        guild = self._guild(community)
        channel = find_text_channel(guild, parent.id) if parent is not None else None
        if channel is None:
            raise PermanentChatError(
                f"no text channel {parent.id if parent else '(none given)'} to open a private conversation in"
            )
        try:
            with platform_errors(f"open a private thread in {channel.id}"):
                thread = await channel.create_thread(
                    name=(title.strip() or "Agora")[:100],
                    type=discord.ChannelType.private_thread,
                    invitable=False,
                    auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                )
                for member in members:
                    await thread.add_user(discord.Object(_snowflake(member.id, "member")))
        except MissingPermission:

            def text(_: Translator) -> str:
                return _(
                    "I could not open a private thread in {channel}, so I mentioned the members there instead: "
                    "please give me the Create Private Threads permission in that channel.",
                    channel=channel.mention,
                )

            await self.notices.tell(
                guild,
                ("private_threads", str(channel.id)),
                text,
                f"cannot create private threads in channel {channel.id}: grant Create Private Threads",
                channel=str(channel.id),
            )
            names = " ".join(mention(m.id) for m in members)
            with platform_errors(f"mention members in {channel.id}"):
                await channel.send(
                    names,
                    allowed_mentions=allowed_mentions(Mentions(users=tuple(m.id for m in members)), names),
                )
            return ChannelRef(PLATFORM, str(channel.id), channel.name)
        return ChannelRef(PLATFORM, str(thread.id), thread.name)

    async def start_thread(self, ref: MessageRef, title: str) -> ChannelRef:
        await self._connected()
        channel_id = _snowflake(ref.channel_id, "channel")
        with platform_errors(f"start a thread under {ref.id}"):
            channel = self.client.get_channel(channel_id) or await self.client.fetch_channel(channel_id)
            if not isinstance(channel, discord.TextChannel):
                raise PermanentChatError(f"channel {ref.channel_id} has no threads")
            message = channel.get_partial_message(_snowflake(ref.id, "message"))
            thread = await message.create_thread(
                name=(title.strip() or "Agora")[:100], auto_archive_duration=THREAD_ARCHIVE_MINUTES
            )
        return ChannelRef(PLATFORM, str(thread.id), thread.name)

    async def channel_access(
        self, community: CommunityRef, channel: ChannelRef, needs: frozenset[Problem]
    ) -> frozenset[Problem]:
        """The permissions of ``needs`` the bot lacks in ``channel`` (Manage Roles is the server's, and needs the
        bot's role above the member role too, which the role grant itself reports)."""
        await self._connected()
        guild = self._guild(community)
        found = find_text_channel(guild, channel.id)
        if found is None:
            return frozenset({Problem.NOT_FOUND})
        missing = set(_missing(found, guild, needs - {Problem.MANAGE_ROLES}))
        if (
            Problem.MANAGE_ROLES in needs
            and guild.me is not None
            and not guild.me.guild_permissions.manage_roles
        ):
            missing.add(Problem.MANAGE_ROLES)
        return frozenset(missing)

    async def create_event(self, community: CommunityRef, event: ScheduledEvent) -> str:
        await self._connected()
        guild = self._guild(community)
        try:
            with platform_errors(f"create the event {event.name!r}"):
                created = await guild.create_scheduled_event(
                    name=event.name[:100],
                    start_time=event.start,
                    end_time=event.end,
                    entity_type=discord.EntityType.external,
                    location=(event.location or community.name or guild.name)[:100],
                    privacy_level=discord.PrivacyLevel.guild_only,
                    description=event.description[:1000] or discord.utils.MISSING,
                )
        except MissingPermission:

            def text(_: Translator) -> str:
                return _(
                    "I could not add the event “{name}” to the server's calendar: please give me the Manage "
                    "Events permission.",
                    name=untrusted_text(event.name),
                )

            await self.notices.tell(
                guild, ("events",), text, "cannot create scheduled events: grant Manage Events"
            )
            raise
        return str(created.id)

    async def delete_event(self, community: CommunityRef, event_id: str) -> None:
        await self._connected()
        guild = self._guild(community)
        try:
            with platform_errors(f"delete the event {event_id}"):
                await self.client.http.delete_scheduled_event(guild.id, _snowflake(event_id, "event"))
        except PermanentChatError as exc:
            if isinstance(exc.__cause__, discord.NotFound):
                return  # already deleted (by hand, or by an earlier try)
            raise
