"""``/agora charter rules``: how the charter changes (by the animators, a committee or a vote of the members).

Kept as its own command rather than the generated settings command: it takes options that are not settings
(``add_committee`` and ``remove_committee`` edit the committee list one member at a time), reads shares as members
write them (30%, 2/3) and announces a change of mode to the community. It saves through the same path as the
generated command (``ctx.save_settings`` in the ``charter_rules`` section).
"""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.durations import format_duration, parse_duration
from bot.errors import UserError
from bot.events import CommandInvoked
from bot.features.charter import render, rules
from bot.features.charter.settings import CHARTER_MODES, CharterRulesSettings
from bot.i18n import N_
from bot.messages import Message, untrusted
from bot.router import Option, command
from bot.settings.types import excerpt

__all__ = ["RULES_OPTIONS", "RulesHandlers"]

SECTION = "charter_rules"

RULES_OPTIONS = (
    Option("mode", N_("Who changes the charter: animator, committee or community"), choices=CHARTER_MODES),
    Option("add_committee", N_("Add a member to the charter committee"), kind="member"),
    Option("remove_committee", N_("Remove a member from the charter committee"), kind="member"),
    Option("quorum", N_("Share of the members who must vote on an amendment, e.g. 30%")),
    Option("majority", N_("Share of the votes cast an amendment needs more than, e.g. 50% or 2/3")),
    Option("vote_duration", N_("How long a vote on an amendment lasts, e.g. 7d")),
    Option("grace_period", N_("How long members have to accept a new version, e.g. 14d")),
    Option("reacceptance_reminder_after", N_("When the reminder about a new version goes out, e.g. 3d")),
)


def summary(ctx: Context[Any], title: str) -> Message:
    """The charter rules page."""
    current = ctx.settings.charter_rules
    durations = {
        key: format_duration(getattr(current, key))
        for key in ("vote_duration", "grace_period", "reacceptance_reminder_after")
    }
    return render.rules_summary(ctx._, title, current, durations)


class RulesHandlers:
    """The charter feature's ``charter rules`` command."""

    @command(
        "charter rules",
        N_("How the charter changes: by the animators, a committee or a vote of the members"),
        options=RULES_OPTIONS,
        animator_only=True,
    )
    async def rules(self, ctx: Context[CommandInvoked]) -> None:
        _ = ctx._
        args = {k: v for k, v in ctx.event.args.items() if v not in (None, "")}
        known = {option.name for option in RULES_OPTIONS}
        unknown = sorted(set(args) - known)
        if unknown:
            raise UserError(
                _(
                    "“{option}” is not a rule I know. Rules: {known}.",
                    option=untrusted(excerpt(unknown[0])),
                    known=", ".join(sorted(known)),
                )
            )
        if not args:
            ctx.reply(summary(ctx, _("How the charter changes")))
            return
        before = ctx.settings.charter_rules
        changes = self._validated(ctx, before, args)
        overrides: dict[str, Any] = dict(ctx.community.settings or {})
        section = {**dict(overrides.get(SECTION) or {}), **changes}
        try:
            after = CharterRulesSettings.model_validate({**before.model_dump(), **section})
        except ValueError:
            raise UserError(
                _(
                    "The reminder ({reminder}) must come before the end of the grace period ({grace}).",
                    reminder=format_duration(
                        parse_duration(
                            section.get("reacceptance_reminder_after", before.reacceptance_reminder_after)
                        )
                    ),
                    grace=format_duration(parse_duration(section.get("grace_period", before.grace_period))),
                )
            ) from None
        if after.mode == "committee" and not after.committee:
            raise UserError(
                _(
                    "The charter committee has no members yet: name them in the same command, "
                    "e.g. /agora charter rules mode=committee add_committee=@someone."
                )
            )
        ctx.save_settings(changes, section=SECTION)
        ctx.reply(summary(ctx, _("Rules saved.")))
        if after.mode != before.mode or (after.mode == "committee" and after.committee != before.committee):
            ctx.post_to(
                "announcements",
                Message(
                    title=ctx.public("How the charter changes"),
                    text=render.mode_sentence(ctx.public, after.mode, after.committee),
                ),
            )

    def _validated(
        self, ctx: Context[Any], current: CharterRulesSettings, args: dict[str, Any]
    ) -> dict[str, Any]:
        """The charter_rules overrides to store, each checked, with a clear message for the first bad one."""
        _ = ctx._
        out: dict[str, Any] = {}
        if "mode" in args:
            if args["mode"] not in CHARTER_MODES:
                raise UserError(
                    _(
                        "“{value}” is not a way to change the charter. Choose one of: {choices}.",
                        value=untrusted(excerpt(args["mode"])),
                        choices=", ".join(CHARTER_MODES),
                    )
                )
            out["mode"] = args["mode"]
        committee = rules.committee_after(
            current.committee, args.get("add_committee"), args.get("remove_committee")
        )
        if committee != current.committee:
            out["committee"] = committee
        if "quorum" in args:
            share = rules.parse_share(str(args["quorum"]))
            if share is None:
                raise UserError(
                    _(
                        "“{value}” is not a quorum I can use: write a share between 0% and 100%, like 30% or 1/4.",
                        value=untrusted(excerpt(args["quorum"])),
                    )
                )
            out["quorum"] = share
        if "majority" in args:
            share = rules.parse_share(str(args["majority"]))
            if share is None or share < 0.5:
                raise UserError(
                    _(
                        "“{value}” is not a majority I can use: write a share between 50% and 100%, "
                        "like 50% or 2/3.",
                        value=untrusted(excerpt(args["majority"])),
                    )
                )
            out["majority"] = share
        for key in ("vote_duration", "grace_period", "reacceptance_reminder_after"):
            if key in args:
                delay = ctx.delay(args[key])
                if key != "reacceptance_reminder_after" and delay.total_seconds() < 3600:
                    raise UserError(_("{option} must last at least one hour.", option=untrusted(key)))
                out[key] = format_duration(delay)
        return out
