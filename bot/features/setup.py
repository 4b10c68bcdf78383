"""``/agora setup``: the animators set where each feature posts, the language, the time zone and the roles.

Values are checked before anything is stored, and a mistake is explained in the community's language;
the YAML config gives the defaults, the database keeps what each community changed.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.chat import Capability, Problem
from bot.context import Context
from bot.deliveries import problem_text
from bot.durations import format_duration
from bot.errors import UserError
from bot.events import ChannelRef, SettingsChanged
from bot.i18n import LOCALE_NAMES, N_
from bot.messages import Field, Message, untrusted
from bot.router import Feature, Option, command
from bot.settings import CHANNEL_PURPOSES, LOCALES
from bot.settings.types import excerpt, time_zone

__all__ = ["SetupFeature"]

_CHANNEL_HELP = {
    "welcome": N_("Channel for welcomes (and for newcomers whose direct messages are closed)"),
    "announcements": N_("Channel for announcements"),
    "introductions": N_("Channel where introductions are posted"),
    "icebreakers": N_("Channel for icebreaker questions"),
    "debates": N_("Channel for debates"),
    "meetings": N_("Channel for meeting polls and announcements"),
    "rounds": N_("Channel where grouping rounds open their conversations"),
    "help": N_("Channel where public asks for help are posted (and, on Discord, their conversations open)"),
}

# What the bot does in each channel: posts (with a title, fields or buttons) everywhere; reply threads under
# icebreaker questions and debates; private threads for newcomers whose DMs are closed and for rounds' groups.
_POSTS = frozenset({Problem.VIEW_CHANNEL, Problem.SEND_MESSAGES, Problem.EMBED_LINKS})
_NEEDS: dict[str, frozenset[Problem]] = {
    "welcome": _POSTS | {Problem.PRIVATE_THREADS},
    "icebreakers": _POSTS | {Problem.CREATE_THREADS},
    "debates": _POSTS | {Problem.CREATE_THREADS},
    "rounds": _POSTS | {Problem.PRIVATE_THREADS},
    "help": _POSTS | {Problem.PRIVATE_THREADS},
}
_CAPABILITY = {
    Problem.CREATE_THREADS: Capability.THREADS,
    Problem.PRIVATE_THREADS: Capability.PRIVATE_THREADS,
    Problem.MANAGE_ROLES: Capability.ROLES,
}

SETUP_OPTIONS = (
    Option(
        "locale",
        N_("Language of the community: fr (French, “vous”), fr-tu (French, “tu”) or en (English)"),
        choices=LOCALES,
        labels=tuple(LOCALE_NAMES.items()),
    ),
    Option("timezone", N_("Time zone, e.g. Europe/Paris")),
    Option("animator_role", N_("Role (or user group) whose members animate the community"), kind="role"),
    Option("member_role", N_("Role granted when a member accepts the charter"), kind="role"),
    Option("add_animator", N_("Make a member an animator"), kind="member"),
    Option("remove_animator", N_("Remove a member from the animators"), kind="member"),
    Option("charter_reminder_after", N_("Delay before the charter reminder, e.g. 2d or 36h")),
    *(Option(f"{purpose}_channel", _CHANNEL_HELP[purpose], kind="channel") for purpose in CHANNEL_PURPOSES),
)


class SetupFeature(Feature):
    """Community settings."""

    name = "setup"

    @command(
        "setup",
        N_("Set the community's channels, language, time zone and roles (animators)"),
        options=SETUP_OPTIONS,
        animator_only=True,
    )
    async def setup(self, ctx: Context[Any]) -> None:
        args = ctx.settings_args(SETUP_OPTIONS)
        if not args:
            ctx.reply(self._summary(ctx, ctx._("Current settings")))
            return
        changes = self._validated(ctx, args)
        ctx.save_settings(changes)
        await ctx.emit(SettingsChanged(community=ctx.community_ref, keys=frozenset(changes)))
        summary = self._summary(ctx, ctx._("Settings saved."))
        access = await self._access(ctx, args)
        if access is not None:
            summary = dataclasses.replace(summary, fields=(*summary.fields, access))
        ctx.reply(summary)

    async def _access(self, ctx: Context[Any], args: dict[str, Any]) -> Field | None:
        """Whether the bot can do its work in each channel just chosen (and give the member role, when one was
        chosen), said at once: the permissions it lacks, a private channel it is not in. None when no channel
        or role was given. The settings are saved either way: the animators may fix the access afterwards."""
        chosen = [p for p in CHANNEL_PURPOSES if args.get(f"{p}_channel")]
        role_channel = ctx.settings.channels.get("welcome") if args.get("member_role") else None
        if ctx.chat is None or not (chosen or role_channel):
            return None
        checks: dict[str, set[Problem]] = {}
        for purpose in chosen:
            checks.setdefault(ctx.settings.channels[purpose], set()).update(_NEEDS.get(purpose, _POSTS))
        if role_channel and ctx.settings.member_role:
            checks.setdefault(role_channel, set(_POSTS)).add(Problem.MANAGE_ROLES)
        _ = ctx._
        lines = []
        for channel, needs in checks.items():
            wanted = frozenset(n for n in needs if n not in _CAPABILITY or ctx.can(_CAPABILITY[n]))
            missing = await ctx.chat.channel_access(
                ctx.community_ref, ChannelRef(ctx.chat.platform, channel), wanted
            )
            if missing:
                lines.append(f"⚠️ <#{channel}>: {problem_text(_, sorted(missing))}")
        if not lines:
            return Field(_("Access"), _("✅ I can do my work in the channels you chose."))
        return Field(_("Access"), "\n".join(lines))

    def _validated(self, ctx: Context[Any], args: dict[str, Any]) -> dict[str, Any]:
        """The overrides to store, each checked, with a clear message for the first bad one."""
        _ = ctx._
        out: dict[str, Any] = {}
        if "locale" in args:
            if args["locale"] not in LOCALES:
                raise UserError(
                    _(
                        "“{value}” is not a language I speak. Choose one of: {choices}.",
                        value=untrusted(excerpt(args["locale"])),
                        choices=", ".join(LOCALES),
                    )
                )
            out["locale"] = args["locale"]
        if "timezone" in args:
            out["timezone"] = time_zone(_, args["timezone"])
        if "charter_reminder_after" in args:
            out["charter_reminder_after"] = format_duration(ctx.delay(args["charter_reminder_after"]))
        for key in ("animator_role", "member_role"):
            if key in args:
                out[key] = str(args[key])
        animators = list(ctx.settings.animators)
        if "add_animator" in args and str(args["add_animator"]) not in animators:
            animators.append(str(args["add_animator"]))
        if "remove_animator" in args:
            animators = [a for a in animators if a != str(args["remove_animator"])]
        if animators != ctx.settings.animators:
            out["animators"] = animators
        channels = dict(ctx.settings.channels)
        for purpose in CHANNEL_PURPOSES:
            value = args.get(f"{purpose}_channel")
            if value:
                channels[purpose] = str(value)
        if channels != ctx.settings.channels:
            out["channels"] = channels
        return out

    def _summary(self, ctx: Context[Any], title: str) -> Message:
        _ = ctx._
        s = ctx.settings
        unset = _("not set")
        channels = "\n".join(
            f"• {purpose}: <#{s.channels[purpose]}>" if purpose in s.channels else f"• {purpose}: {unset}"
            for purpose in CHANNEL_PURPOSES
        )
        animators = ", ".join(f"<@{a}>" for a in s.animators) or unset
        return Message(
            title=title,
            text=_("Change any of them with /agora setup and the option's name."),
            fields=(
                Field(_("Language"), f"{LOCALE_NAMES[s.locale]} ({s.locale})", inline=True),
                Field(_("Time zone"), s.timezone, inline=True),
                Field(_("Animator role"), s.animator_role or unset, inline=True),
                Field(_("Member role"), s.member_role or unset, inline=True),
                Field(_("Animators"), animators),
                Field(_("Charter reminder after"), format_duration(s.charter_reminder_after), inline=True),
                Field(_("Channels"), channels),
            ),
            ephemeral=True,
        )
