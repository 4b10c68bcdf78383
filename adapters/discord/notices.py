"""Animator notices: when Discord refuses the bot a permission, say so once, clearly, to the people who can fix it.

Each problem (no Manage Roles; the bot's role below the member role; no such role; no private threads in the
welcome channel; ...) gets an ERROR log line naming the guild, the problem and the fix, and one message in the
community's announcements channel (else its welcome channel), in the community's language, mentioning the
animator role (or the animators listed by id) when there is one. "Once" is per problem and per running process:
a restart may tell again, once, about a problem nobody fixed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import discord

from adapters.discord.inbound import community_ref
from bot.i18n import Translator, translator

if TYPE_CHECKING:
    from bot.app import Agora

__all__ = ["PermissionNotices", "find_role", "find_text_channel"]

log = logging.getLogger("agora.discord")


def find_role(guild: discord.Guild, value: str | None) -> discord.Role | None:
    """A role of ``guild`` by id, by mention (``<@&id>``) or by name (exact, then ignoring case)."""
    if not value:
        return None
    raw = value.strip().removeprefix("<@&").removesuffix(">")
    if raw.isdigit():
        role = guild.get_role(int(raw))
        if role is not None:
            return role
    name = value.strip().removeprefix("@")
    exact = [r for r in guild.roles if r.name == name]
    if exact:
        return exact[0]
    folded = [r for r in guild.roles if r.name.casefold() == name.casefold()]
    return folded[0] if len(folded) == 1 else None


def find_text_channel(guild: discord.Guild, value: str | None) -> discord.TextChannel | None:
    """A text channel of ``guild`` by id, by mention (``<#id>``) or by name."""
    if not value:
        return None
    raw = value.strip().removeprefix("<#").removesuffix(">")
    if raw.isdigit():
        channel = guild.get_channel(int(raw))
        return channel if isinstance(channel, discord.TextChannel) else None
    name = raw.removeprefix("#")
    found = [c for c in guild.text_channels if c.name == name]
    return found[0] if len(found) == 1 else None


class PermissionNotices:
    """Logs each permission problem and tells the animators about it, once."""

    def __init__(self, app: Agora) -> None:
        self.app = app
        self._told: set[tuple[str, ...]] = set()

    async def tell(
        self,
        guild: discord.Guild,
        key: tuple[str, ...],
        text: Callable[[Translator], str],
        summary: str,
        **fields: Any,
    ) -> None:
        """Log ``summary`` (English, for the operator) and post ``text`` (translated) for the animators, once."""
        log.error(
            "discord permission problem: %s",
            summary,
            extra={"agora": {"guild": str(guild.id), "problem": key[0], **fields}},
        )
        told = (str(guild.id), *key)
        if told in self._told:
            return
        self._told.add(told)
        try:
            settings = await self.app.community_settings(community_ref(guild))
        except Exception:  # the notice must never break the delivery that found the problem
            log.exception("could not read the community's settings for an animator notice")
            return
        _ = translator(settings.locale)
        channel = find_text_channel(guild, settings.channel("announcements"))
        if channel is None:
            log.warning(
                "no announcements or welcome channel to tell the animators about a permission problem",
                extra={"agora": {"guild": str(guild.id), "problem": key[0]}},
            )
            return
        role = find_role(guild, settings.animator_role)
        people = [a for a in settings.animators if a.isdigit()]
        mentions = " ".join(([f"<@&{role.id}>"] if role else []) + [f"<@{a}>" for a in people])
        content = f"{mentions} ⚠️ {text(_)}".strip()
        try:
            await channel.send(
                content[:2000],
                # Only the animators this notice is for: parse nothing, list them.
                allowed_mentions=discord.AllowedMentions(
                    everyone=False,
                    roles=[role] if role else [],
                    users=[discord.Object(int(a)) for a in people],
                    replied_user=False,
                ),
            )
        except discord.HTTPException as exc:
            log.error(
                "could not post the animator notice",
                extra={"agora": {"guild": str(guild.id), "channel": str(channel.id), "error": str(exc)}},
            )
