"""``/agora setup``: the animators set where each feature posts, the language, the time zone and the roles.

Values are checked before anything is stored, and a mistake is explained in the community's language;
the YAML config gives the defaults, the database keeps what each community changed.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.context import Context
from bot.durations import format_duration
from bot.errors import UserError
from bot.events import SettingsChanged
from bot.i18n import N_
from bot.messages import Field, Message
from bot.router import Feature, Option, command
from bot.settings import CHANNEL_PURPOSES, LOCALES

__all__ = ["SetupFeature"]

_CHANNEL_HELP = {
    "welcome": N_("Channel for welcomes (and for newcomers whose direct messages are closed)"),
    "announcements": N_("Channel for announcements"),
    "introductions": N_("Channel where introductions are posted"),
    "icebreakers": N_("Channel for icebreaker questions"),
    "debates": N_("Channel for debates"),
    "meetings": N_("Channel for meeting polls and announcements"),
    "rounds": N_("Channel where grouping rounds open their conversations"),
}

SETUP_OPTIONS = (
    Option("locale", N_("Language of the community"), choices=LOCALES),
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
        ctx.reply(self._summary(ctx, ctx._("Settings saved.")))

    def _validated(self, ctx: Context[Any], args: dict[str, Any]) -> dict[str, Any]:
        """The overrides to store, each checked, with a clear message for the first bad one."""
        _ = ctx._
        out: dict[str, Any] = {}
        if "locale" in args:
            if args["locale"] not in LOCALES:
                raise UserError(
                    _(
                        "“{value}” is not a language I speak. Choose one of: {choices}.",
                        value=args["locale"],
                        choices=", ".join(LOCALES),
                    )
                )
            out["locale"] = args["locale"]
        if "timezone" in args:
            try:
                ZoneInfo(str(args["timezone"]))
            except (ZoneInfoNotFoundError, ValueError):
                raise UserError(
                    _(
                        "“{value}” is not a time zone I know. Examples: Europe/Paris, Europe/Brussels, "
                        "America/Montreal, UTC.",
                        value=args["timezone"],
                    )
                ) from None
            out["timezone"] = str(args["timezone"])
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
                Field(_("Language"), s.locale, inline=True),
                Field(_("Time zone"), s.timezone, inline=True),
                Field(_("Animator role"), s.animator_role or unset, inline=True),
                Field(_("Member role"), s.member_role or unset, inline=True),
                Field(_("Animators"), animators),
                Field(_("Charter reminder after"), format_duration(s.charter_reminder_after), inline=True),
                Field(_("Channels"), channels),
            ),
            ephemeral=True,
        )
