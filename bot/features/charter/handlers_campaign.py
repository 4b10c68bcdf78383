"""Inviting the members who were there before Agora: ``/agora charter invite-existing`` (animators).

When Agora arrives in a community, it learns its members from the platform's list (``bot.membership``) without
welcoming them: they are existing members, not newcomers. This command invites, by direct message, each current
member who never accepted the charter and was never asked to, to accept it (and then to introduce themselves,
as every member who accepts for the first time is). The invitations are a campaign paced for the platforms: a
few at a time on a stored timer (at most ``MAX_PER_HOUR`` an hour; 60 by default), through the outbox, so
300 members are not sent 300 direct messages at once and a restart carries on where it stopped. Each member is
invited once, whatever the number of runs: an invitation is a ``CharterRequest`` of kind ``existing``.

Members who hold the member role keep it until the campaign's grace period ends; then the usual charter rule
applies: whoever the campaign invited and hasn't accepted loses it until they do (where the platform has roles),
and the animator who started the campaign gets the list.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.context import Context
from bot.errors import UserError
from bot.events import CommandInvoked, TimerFired
from bot.features.charter import queries, render_campaign, rules
from bot.features.charter.common import community_name, gating, latest
from bot.features.charter.queries import EXISTING
from bot.i18n import N_
from bot.router import Option, command, timer
from bot.settings.types import DURATION
from storage.tables.charter import CharterCampaign, CharterRequest

__all__ = ["CAMPAIGN_GRACE", "CAMPAIGN_TICK", "MAX_PER_HOUR", "CampaignHandlers"]

CAMPAIGN_TICK = "charter:campaign"
CAMPAIGN_GRACE = "charter:campaign:grace"
# Direct messages a campaign sends an hour by default, and at most: unsolicited direct messages in bulk are what
# Discord's and Slack's spam limits watch; ten a minute stays well within both.
DEFAULT_PER_HOUR = 60
MAX_PER_HOUR = 600


class CampaignHandlers:
    """The charter feature's handlers for inviting existing members (a mixin of ``CharterFeature``)."""

    @command(
        "charter invite-existing",
        N_("Invite the members who were here before Agora to accept the charter (animators)"),
        options=[
            Option(
                "per_hour",
                N_("How many invitations an hour, 1 to 600 (default 60)"),
                kind="integer",
                minimum=1,
                maximum=MAX_PER_HOUR,
            ),
            Option(
                "grace",
                N_(
                    "How long they keep their member access without accepting, e.g. 14d (default: the charter's)"
                ),
                type=DURATION,
            ),
        ],
        animator_only=True,
    )
    async def invite_existing(
        self, ctx: Context[CommandInvoked], per_hour: int = DEFAULT_PER_HOUR, grace: timedelta | None = None
    ) -> None:
        _ = ctx._
        when = ctx.format_time
        running = await queries.latest_campaign(ctx.session, ctx.community.id)
        if running is not None and running.finished_at is None:
            raise UserError(
                _(
                    "An invitation of the members who were here before Agora is already under way: "
                    "{invited} of {total} sent. Nobody is invited twice; follow it with /agora charter status.",
                    invited=running.invited,
                    total=running.total,
                )
            )
        targets = await queries.campaign_target_count(ctx.session, ctx.community.id)
        if not targets:
            raise UserError(
                _(
                    "Every member has already accepted the charter or been asked to: there is nobody to invite. "
                    "/agora charter status shows who hasn't accepted yet."
                )
            )
        grace = grace or ctx.settings.charter_rules.grace_period
        batch, interval = rules.campaign_pace(per_hour)
        length = rules.campaign_length(targets, batch, interval)
        if length * 2 > grace:
            # Everyone must have had the invitation well before their access depends on it.
            raise UserError(
                _(
                    "At {per_hour} an hour, inviting {count} members takes until {date}: give a grace period "
                    "of at least twice that (grace=…), or a faster pace (per_hour=…).",
                    per_hour=per_hour,
                    count=targets,
                    date=when(ctx.now + length),
                )
            )
        assert ctx.actor is not None
        campaign = CharterCampaign(
            community_id=ctx.community.id,
            started_by=ctx.actor.id,
            started_at=ctx.now,
            batch=batch,
            interval_s=int(interval.total_seconds()),
            grace_ends_at=ctx.now + grace,
            total=targets,
        )
        ctx.session.add(campaign)
        await ctx.session.flush()
        await self._invite_next(ctx, campaign)
        await ctx.set_timer(CAMPAIGN_GRACE, str(campaign.id), campaign.grace_ends_at)
        ctx.reply(
            render_campaign.campaign_started(
                _,
                targets,
                batch,
                interval,
                done_by=when(ctx.now + length),
                grace_ends=when(campaign.grace_ends_at),
                gating=gating(ctx),
            )
        )

    async def _campaign(self, ctx: Context[TimerFired]) -> CharterCampaign | None:
        return await ctx.row(CharterCampaign, ctx.event.ref)

    @timer(CAMPAIGN_TICK)
    async def invite_more(self, ctx: Context[TimerFired]) -> None:
        campaign = await self._campaign(ctx)
        if campaign is not None and campaign.finished_at is None:
            await self._invite_next(ctx, campaign)

    async def _invite_next(self, ctx: Context[Any], campaign: CharterCampaign) -> None:
        """Invite the next batch (those still never asked, who may have accepted or left meanwhile: they are no
        longer in the queue), and set the timer of the one after, or mark the campaign done."""
        charter = await latest(ctx)
        members = await queries.campaign_targets(ctx.session, ctx.community.id, campaign.batch + 1)
        batch, more = members[: campaign.batch], len(members) > campaign.batch
        for member in batch:
            ctx.session.add(
                CharterRequest(
                    community_id=ctx.community.id,
                    member_id=member.id,
                    charter_id=charter.id,
                    kind=EXISTING,
                    asked_at=ctx.now,
                    campaign_id=campaign.id,
                )
            )
        await ctx.dm_each(
            batch,
            lambda _: render_campaign.invitation(
                _,
                community_name(ctx),
                charter,
                deadline=ctx.format_time(campaign.grace_ends_at, _),
                gating=gating(ctx),
            ),
        )
        campaign.invited += len(batch)
        if more:
            await ctx.set_timer(
                CAMPAIGN_TICK, str(campaign.id), ctx.now + timedelta(seconds=campaign.interval_s)
            )
        else:
            campaign.finished_at = ctx.now

    @timer(CAMPAIGN_GRACE)
    async def end_campaign_grace(self, ctx: Context[TimerFired]) -> None:
        campaign = await self._campaign(ctx)
        if campaign is None or campaign.closed_at is not None:
            return
        rows = await queries.campaign_waiting(ctx.session, campaign)
        gates = gating(ctx)
        if gates:
            assert ctx.settings.member_role is not None
            already = await queries.gated_member_ids(ctx.session, ctx.community.id)
            for request, member in rows:
                if request.gated_at is None and member.id not in already:
                    ctx.revoke_role(member.external_id, ctx.settings.member_role)
                request.gated_at = request.gated_at or ctx.now
        campaign.closed_at = ctx.now
        accepted = await queries.campaign_accepted(ctx.session, campaign)
        # The list names members: for the animator who started it, never the welcome channel.
        await ctx.dm(
            campaign.started_by,
            lambda _: render_campaign.campaign_over(
                _,
                campaign.invited,
                accepted,
                [member.external_id for _request, member in rows],
                gating=gates,
                started=ctx.format_time(campaign.started_at, _),
            ),
            private=True,
        )
