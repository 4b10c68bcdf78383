"""Inbound: Discord objects in the core's words (communities, members, channels) and the delivery ids.

Delivery ids say what a re-delivery of the same thing would repeat:

* interactions: ``discord:interaction:<id>`` (Discord's own id: a retried delivery has the same one);
* a member joining: ``discord:join:<guild>:<user>:<joined_at>``: a membership starts once, so a replayed
  GUILD_MEMBER_ADD is recognised while a member who leaves and comes back is welcomed back;
* a member leaving: ``discord:leave:<guild>:<user>:<joined_at of the membership that ends>`` when the member was
  cached (it always is with the members intent), else the time the leave was seen; gateway events carry no id,
  and a RESUME replays only what the client never received, so the fallback only matters for a crash between
  receiving and handling;
* a reaction: ``discord:reaction:<message>:<user>:<emoji>:<add|remove>:<seen at, ms>``: the time is part of it
  because adding, removing and adding the same reaction again are three real events (votes are idempotent in the
  core's tables, not through this id).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import discord

from bot.events import ChannelRef, CommunityRef, MemberRef, MessageRef

__all__ = [
    "PLATFORM",
    "channel_ref",
    "community_ref",
    "is_admin",
    "join_delivery_id",
    "leave_delivery_id",
    "member_ref",
    "message_ref",
    "reaction_delivery_id",
]

PLATFORM = "discord"


def community_ref(guild: discord.Guild) -> CommunityRef:
    """Each guild is its own community."""
    return CommunityRef(PLATFORM, str(guild.id), guild.name)


def is_admin(member: discord.Member) -> bool:
    """The guild's owner, or a member with Administrator or Manage Server: they always count as animators."""
    if member.guild.owner_id == member.id:
        return True
    permissions = member.guild_permissions
    return permissions.administrator or permissions.manage_guild


def member_ref(
    user: discord.abc.User, guild: discord.Guild | None = None, locale: str | None = None
) -> MemberRef:
    """A member as the core sees them: role ids *and* names (either can be configured), the admin flag."""
    member: discord.abc.User | None = user
    if not isinstance(user, discord.Member) and guild is not None:
        member = guild.get_member(user.id) or user
    if isinstance(member, discord.Member):
        roles = [role for role in member.roles if not role.is_default()]
        return MemberRef(
            PLATFORM,
            str(member.id),
            member.display_name,
            roles=frozenset({str(role.id) for role in roles} | {role.name for role in roles}),
            is_admin=is_admin(member),
            is_bot=member.bot,
            locale=locale,
        )
    return MemberRef(PLATFORM, str(user.id), user.display_name, is_bot=user.bot, locale=locale)


def channel_ref(channel: object | None, channel_id: int | None) -> ChannelRef | None:
    """The channel an interaction happened in."""
    if channel_id is None:
        return None
    return ChannelRef(PLATFORM, str(channel_id), str(getattr(channel, "name", "") or ""))


def message_ref(message: discord.Message | None) -> MessageRef | None:
    if message is None:
        return None
    return MessageRef(PLATFORM, str(message.channel.id), str(message.id))


def _stamp(moment: datetime | None) -> str:
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def join_delivery_id(member: discord.Member) -> str:
    return f"discord:join:{member.guild.id}:{member.id}:{_stamp(member.joined_at)}"


def leave_delivery_id(guild_id: int, user_id: int, joined_at: datetime | None) -> str:
    return f"discord:leave:{guild_id}:{user_id}:{_stamp(joined_at)}"


def reaction_delivery_id(message_id: int, user_id: int, emoji: str, added: bool) -> str:
    return f"discord:reaction:{message_id}:{user_id}:{emoji}:{'add' if added else 'remove'}:{time.time_ns() // 1_000_000}"
