"""``/agora health`` and the monthly digest: thin handlers over the report (``report``), its messages
(``render``) and its chart (``charts``)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from bot.context import Context
from bot.errors import UserError
from bot.events import CommandInvoked, TimerFired
from bot.i18n import N_, Translator
from bot.messages import Attachment
from bot.operations import DirectMessage
from bot.router import Option, command, timer
from bot.settings.types import DURATION, YES_NO

from . import charts, render
from .report import HealthReport, health_report

__all__ = ["DEFAULT_PERIOD", "DIGEST", "DIGEST_LATE", "DIGEST_PERIOD", "HealthHandlers"]

DIGEST = "health:digest"
DEFAULT_PERIOD = timedelta(days=90)
# The digest compares the last 30 days with the 30 before.
DIGEST_PERIOD = timedelta(days=30)
# A digest later than this (the bot was down on the first of the month) is not sent: it would be old news, and
# the next one is never far.
DIGEST_LATE = timedelta(days=3)
# A period is at least a week (a shorter one has no week of activity to draw) and at most two years.
SHORTEST = timedelta(days=7)
LONGEST = timedelta(days=730)


async def _chart(_: Translator, report: HealthReport, zone: str) -> Attachment:
    """The report's chart, drawn off the event loop: matplotlib takes a noticeable fraction of a second (seconds on
    a loaded machine) that would otherwise hold every other member's events, and Discord's 3-second budget."""
    png = await asyncio.to_thread(charts.report_png, report, _, zone)
    return render.chart_attachment(_, report, png)


class HealthHandlers:
    """The health report in the chat (a mixin of ``HealthFeature``)."""

    @command(
        "health",
        N_(
            "The community's health: the members' path, who is at risk, meetings, rounds, debates (animators)"
        ),
        options=[
            Option("period", N_("How far back, e.g. 30d or 12w (default 90d)"), type=DURATION),
            Option(
                "post",
                N_("Yes to post the report in this channel (members at risk are not named)"),
                type=YES_NO,
            ),
        ],
        animator_only=True,
    )
    async def report(
        self, ctx: Context[CommandInvoked], period: timedelta | None = None, post: bool = False
    ) -> None:
        _ = ctx._
        period = period or DEFAULT_PERIOD
        if not SHORTEST <= period <= LONGEST:
            raise UserError(
                _(
                    "Choose a period between 7 days and 2 years (for example 30d, 12w or 90d), not {value}.",
                    value=ctx.event.args.get("period", ""),
                )
            )
        report = await health_report(ctx.session, ctx.community.id, ctx.now, period)
        channel = ctx.event.channel
        if post and channel is not None:
            # Everybody reads a post: the community's language and time zone, and nobody singled out.
            public, zone = ctx.public, ctx.settings.timezone
            message = render.report_message(public, report, zone, names=False, ephemeral=False)
            chart = await _chart(public, report, zone)
            entry = ctx.post(channel.id, replace(message, attachments=(chart,)))
            await ctx.reply_once_posted(entry, _("The health report is posted."))
            return
        zone = await ctx.timezone_for(ctx.event.actor)
        message = render.report_message(_, report, zone, names=True, ephemeral=True)
        ctx.reply(replace(message, attachments=(await _chart(_, report, zone),)))

    @timer(DIGEST)
    async def digest(self, ctx: Context[TimerFired]) -> None:
        if not ctx.settings.health.digest:
            return  # switched off since (the core pauses the rule when the settings change)
        # The core fires a rule once for the latest of the dates it missed while the bot was down; the digest of
        # that date is sent if it is still this month's news, and covers the month that ended then.
        due = ctx.event.due or ctx.now
        if ctx.now - due > DIGEST_LATE:
            return  # stale: the next one comes on the first of next month
        report = await health_report(ctx.session, ctx.community.id, due, DIGEST_PERIOD)
        for animator in ctx.settings.animators:
            message = render.digest_message(await ctx.translator_for(animator), report, ctx.command_text)
            # No fallback to the welcome channel: the community's health is for the animators only.
            ctx.enqueue(DirectMessage(animator, message))
