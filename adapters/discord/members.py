"""The guild's member list, for the core's reconciliation (``Chat.list_members``, ``Agora.reconcile_members``).

discord.py keeps the member list of each guild with the members intent: a small guild's members come in its
GUILD_CREATE, a large one's (more than ``large_threshold``) in GUILD_MEMBERS_CHUNKs the client asks for with
REQUEST_GUILD_MEMBERS (op 8), at start (``chunk_guilds_at_startup``) or when the bot is added. The list is read
from that cache once the guild is chunked (``Guild.chunk()`` asks if it is not yet), and refused when
incomplete: the core would take whoever is missing for someone who left.

Each member carries Discord's ``joined_at`` (who was there before the community was set up in Agora, who joined
while it was down) and the delivery id of their GUILD_MEMBER_ADD (``inbound.join_delivery_id``), so a join learnt
from the list and the same join delivered by the gateway are one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

import discord

from adapters.discord.inbound import community_ref, join_delivery_id, member_ref
from bot.chat import ListedMember, PermanentChatError, TransientChatError

if TYPE_CHECKING:
    from bot.app import Agora

__all__ = ["guild_members", "reconcile_guilds"]

log = logging.getLogger("agora.discord")

# How long to wait for a guild's chunks before giving up (the next READY tries again).
CHUNK_TIMEOUT = 60.0


async def guild_members(guild: discord.Guild) -> list[ListedMember]:
    """Every human member of ``guild``, once its member list is complete."""
    if not guild.chunked:
        try:
            await asyncio.wait_for(guild.chunk(cache=True), CHUNK_TIMEOUT)
        except discord.ClientException as exc:  # no members intent
            raise PermanentChatError(f"cannot list the members of guild {guild.id}: {exc}") from exc
        except (TimeoutError, discord.HTTPException, OSError) as exc:
            raise TransientChatError(f"the member list of guild {guild.id} did not arrive: {exc}") from exc
    if not guild.chunked:
        raise TransientChatError(f"the member list of guild {guild.id} is incomplete")
    return [
        ListedMember(member_ref(member), member.joined_at, join_delivery_id(member))
        for member in guild.members
        if not member.bot
    ]


async def reconcile_guilds(app: Agora, guilds: Iterable[discord.Guild]) -> None:
    """Have the core bring each guild's members in line with its list; a failure is logged, never raised (the
    next READY tries again)."""
    for guild in list(guilds):
        try:
            await app.reconcile_members(community_ref(guild))
        except Exception:
            log.exception("could not reconcile the member list", extra={"agora": {"guild": str(guild.id)}})
