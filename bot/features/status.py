"""``/agora status``: for the animators, how the bot's deliveries are going in their community: what is still on
its way, and the posts that failed for good in the last 24 hours, each with where and why."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot.context import Context
from bot.deliveries import problem_text, recent_failures
from bot.i18n import N_
from bot.messages import Field, Message
from bot.router import Feature, command
from storage.models import OutboxEntry, OutboxStatus

__all__ = ["StatusFeature"]

SHOWN = 10


class StatusFeature(Feature):
    """The animators' view of the outbox."""

    name = "status"

    @command(
        "status", N_("What is waiting to be posted, and what failed lately (animators)"), animator_only=True
    )
    async def status(self, ctx: Context[Any]) -> None:
        _ = ctx._
        pending = int(
            await ctx.session.scalar(
                select(func.count(OutboxEntry.id)).where(
                    OutboxEntry.community_id == ctx.community.id, OutboxEntry.status == OutboxStatus.PENDING
                )
            )
            or 0
        )
        failures = await recent_failures(ctx.session, ctx.now, ctx.community.id, limit=SHOWN + 1)
        fields = [
            Field(
                _("Waiting to be posted"),
                _.ngettext("{count} post or message", "{count} posts or messages", pending),
                inline=True,
            )
        ]
        if failures:
            lines = []
            for failure in failures[:SHOWN]:
                where = f"<#{failure.channel}>" if failure.channel else _("a direct message or a role")
                why = problem_text(_, failure.problems) or _("the platform refused it")
                lines.append(
                    _("• {when}, {where}: {why}", when=ctx.format_time(failure.at), where=where, why=why)
                )
            if len(failures) > SHOWN:
                lines.append(_("… and more: see /healthz or the logs."))
            fields.append(Field(_("Failed for good in the last 24 hours"), "\n".join(lines)))
        else:
            fields.append(
                Field(_("Failed for good in the last 24 hours"), _("Nothing: every post went out."))
            )
        ctx.reply(
            Message(
                title=_("Deliveries"),
                text=_("What I still have to post, and the posts that failed for good lately."),
                fields=tuple(fields),
                ephemeral=True,
            )
        )
