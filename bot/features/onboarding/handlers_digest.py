"""The animators' digest: where each newcomer stands (joined, accepted the charter, introduced, left), on the
community's schedule (declared in ``OnboardingFeature.schedules``) and with ``/agora newcomers``."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.context import Context
from bot.errors import UserError
from bot.events import CommandInvoked, TimerFired
from bot.i18n import N_, Translator
from bot.messages import Message
from bot.router import Option, command, timer

from . import queries, render, rules

__all__ = ["DIGEST", "DigestHandlers"]

DIGEST = "onboarding:digest"


class DigestHandlers:
    """``/agora newcomers`` and the scheduled digest (a mixin of ``OnboardingFeature``)."""

    @command(
        "newcomers",
        N_("Where each newcomer stands: joined, accepted the charter, introduced (animators)"),
        options=[
            Option("days", N_("How many days back (by default the community's newcomer window)"), "integer")
        ],
        animator_only=True,
    )
    async def newcomers(self, ctx: Context[CommandInvoked], days: int | None = None) -> None:
        _ = ctx._
        window = ctx.settings.onboarding.newcomer_window
        if days is not None:
            if not 1 <= days <= 365:
                raise UserError(
                    _("“{value}” is not a number of days I can use: choose between 1 and 365.", value=days)
                )
            window = timedelta(days=days)
        message = await self._digest(ctx, _, window)
        if message is None:
            ctx.reply(
                _.ngettext(
                    "Nobody joined in the last day.",
                    "Nobody joined in the last {count} days.",
                    max(1, window.days),
                )
            )
            return
        ctx.reply(replace(message, buttons=(), attachments=(), footer=None, ephemeral=True))

    @timer(DIGEST)
    async def scheduled_digest(self, ctx: Context[TimerFired]) -> None:
        settings = ctx.settings.onboarding
        if settings.digest_cron is None:
            return  # switched off since (the core pauses the rule when the settings change)
        if not await queries.digest_rows(ctx.session, ctx.community.id, ctx.now - settings.newcomer_window):
            return  # nothing to say: no message at all rather than an empty digest

        async def digest(_: Translator) -> Message:
            message = await self._digest(ctx, _, settings.newcomer_window)
            assert message is not None
            return replace(
                message,
                buttons=(),
                attachments=(),
                ephemeral=False,
                footer=_(
                    "Change when this digest comes with /agora onboarding digest=…, or stop it with digest=off."
                ),
            )

        if settings.digest_to == "channel" and settings.digest_channel:
            ctx.post(settings.digest_channel, await digest(ctx.public))
            return
        # No fallback to the welcome channel: where each newcomer stands is for the animators only.
        await ctx.dm_each(ctx.settings.animators, digest, private=True)

    async def _digest(self, ctx: Context[Any], _: Translator, window: timedelta) -> Message | None:
        """Where each newcomer of the window stands, grouped by stage, in ``_``'s words; None when nobody
        joined."""
        rows = await queries.digest_rows(ctx.session, ctx.community.id, ctx.now - window)
        if not rows:
            return None

        def day(moment: Any) -> str:
            return _.datetime(moment, ctx.settings.timezone, "d MMM", now=ctx.now)

        lines = []
        for newcomer, member, profile, accepted_at in rows:
            stage = rules.stage(
                left=member.left_at is not None, introduced=profile is not None, accepted_at=accepted_at
            )
            since = ""
            if stage == "left":
                since = day(member.left_at)
            elif stage == "introduced":
                since = day(profile.introduced_at)
            elif stage == "accepted":
                since = day(accepted_at)
            lines.append(
                render.DigestLine(
                    member_id=member.external_id,
                    stage=stage,
                    joined=day(newcomer.joined_at),
                    since=since,
                    declined=newcomer.declined_at is not None,
                    nudged=day(newcomer.nudged_at) if newcomer.nudged_at is not None else "",
                )
            )
        return render.digest_message(_, lines, window)
