"""Accepting the charter: the newcomer's welcome, the accept button, the one reminder, "not now", and the
re-acceptance rounds a new version opens (their reminder and the end of their grace period)."""

from __future__ import annotations

from typing import Any

from bot.chat import Capability
from bot.context import Context
from bot.events import ButtonPressed, CharterAccepted, CommandInvoked, MemberJoined, TimerFired
from bot.features.charter import queries, render, rules
from bot.features.charter.common import (
    ROUND_GRACE,
    ROUND_REMINDER,
    community_name,
    gating,
    latest,
    previous,
    reacceptance_message,
)
from bot.features.charter.queries import EXISTING, REACCEPTANCE, WELCOME
from bot.features.charter.render import ACCEPT, LATER
from bot.features.charter.text import CharterContent, diff
from bot.i18n import N_
from bot.messages import Message
from bot.router import action, command, on, timer
from storage.models import Acknowledgement, Charter, Member
from storage.tables.charter import CharterCampaign, CharterRequest, CharterRound

__all__ = ["AcceptanceHandlers"]

REMINDER = "charter:reminder"


def open_access(ctx: Context[Any], member: Member) -> None:
    """Gating: the member role where there are roles, the member channels where there are invitations."""
    if ctx.settings.member_role and ctx.can(Capability.ROLES):
        ctx.grant_role(member.external_id, ctx.settings.member_role)
    if ctx.settings.member_channels and ctx.can(Capability.CHANNEL_INVITE):
        ctx.invite(member.external_id, list(ctx.settings.member_channels))


class AcceptanceHandlers:
    """The charter feature's handlers for accepting it."""

    # --- newcomers ---------------------------------------------------------------------------------------

    @on(MemberJoined)
    async def welcome(self, ctx: Context[MemberJoined]) -> None:
        if ctx.event.member.is_bot:
            return
        member = await ctx.member(ctx.event.member)
        charter = await latest(ctx)
        community = community_name(ctx)
        # A member first seen now has accepted nothing and was asked nothing yet: no need to look.
        first_seen = ctx.first_seen(member)
        if not first_seen and await queries.acknowledgement(ctx.session, member, charter) is not None:
            # Back after leaving: they already agreed to this version, so open the doors again.
            open_access(ctx, member)
            await ctx.dm(member, lambda _: Message(_("Welcome back to {community}!", community=community)))
            return
        await ctx.dm(member, lambda _: render.welcome_message(_, community, charter))
        request = None if first_seen else await queries.request(ctx.session, member, charter)
        if request is None:
            ctx.session.add(
                CharterRequest(
                    community_id=ctx.community.id,
                    member_id=member.id,
                    charter_id=charter.id,
                    kind=WELCOME,
                    asked_at=ctx.now,
                )
            )
        else:  # welcomed again after leaving: a fresh start, as a newcomer
            request.kind, request.asked_at = WELCOME, ctx.now
            request.reminded_at = request.snoozed_at = None
        await ctx.set_timer(REMINDER, str(member.id), ctx.now + ctx.settings.charter_reminder_after)

    @action(ACCEPT)
    async def accept(self, ctx: Context[ButtonPressed]) -> None:
        _ = ctx._
        charter = await ctx.owned(
            Charter,
            ctx.event.ref,
            gone=N_("This button no longer matches a charter of this community."),
        )
        member = await ctx.member()
        community = community_name(ctx)
        current = await latest(ctx)
        if current.id != charter.id:
            ctx.reply(
                render.charter_message(
                    _,
                    community,
                    current,
                    title=_("The charter has changed"),
                    text=_(
                        "Version {version} replaces the one you saw. Here it is:", version=current.version
                    ),
                )
            )
            return
        existing = await queries.acknowledgement(ctx.session, member, charter)
        if existing is not None:
            ctx.reply(
                _(
                    "You already accepted this charter (version {version}) on {date}. Nothing more to do!",
                    version=charter.version,
                    date=ctx.format_time(existing.accepted_at),
                )
            )
            return
        first_time = not await queries.has_accepted_before(ctx.session, member)
        ctx.session.add(
            Acknowledgement(
                community_id=ctx.community.id, member_id=member.id, charter_id=charter.id, accepted_at=ctx.now
            )
        )
        await ctx.cancel_timer(REMINDER, str(member.id))
        restored = await self._access_after_acceptance(ctx, member, charter)
        if first_time:
            ctx.reply(
                _(
                    "Thank you! You accepted the charter of {community} (version {version}). Welcome aboard.",
                    community=community,
                    version=charter.version,
                )
            )
        else:
            thanks = _(
                "Thank you! You accepted version {version} of the charter of {community}.",
                community=community,
                version=charter.version,
            )
            ctx.reply(thanks + " " + _("Your member access is back.") if restored else thanks)
        assert ctx.actor is not None
        await ctx.emit(
            CharterAccepted(
                community=ctx.community_ref, member=ctx.actor, version=charter.version, first_time=first_time
            )
        )
        if not ctx.can(Capability.UPDATE):
            return
        accepted = _("✅ You accepted this charter on {date}.", date=ctx.format_time(ctx.now))
        request = await queries.request(ctx.session, member, charter)
        if request is not None and request.kind == REACCEPTANCE:
            ctx.replace_pressed(
                Message(
                    title=_("The charter of {community} has changed", community=community),
                    text=accepted,
                    footer=render.footer(_, community, charter.version),
                )
            )
        else:
            ctx.replace_pressed(
                render.charter_message(
                    _,
                    community,
                    charter,
                    title=_("Welcome to {community}!", community=community),
                    text=accepted,
                    button=False,
                )
            )

    async def _access_after_acceptance(self, ctx: Context[Any], member: Member, charter: Charter) -> bool:
        """Open the doors unless the member still holds them from an earlier version; True if access that
        the end of a grace period withdrew comes back."""
        requests = await queries.member_requests(ctx.session, member)
        gated = [r for r in requests if r.gated_at is not None and r.restored_at is None]
        for request in gated:
            request.restored_at = ctx.now
        asked = next(
            (r for r in requests if r.charter_id == charter.id and r.kind in (REACCEPTANCE, EXISTING)), None
        )
        # Asked to re-accept (or, there before Agora, invited to accept) while present, never gated since: the
        # member still has their access.
        still_in = asked is not None and member.joined_at <= asked.asked_at
        if gated or not still_in:
            open_access(ctx, member)
        return bool(gated)

    @timer(REMINDER)
    async def remind(self, ctx: Context[TimerFired]) -> None:
        member = await ctx.row(Member, ctx.event.ref)
        if member is None or member.community_id != ctx.community.id or member.left_at is not None:
            return
        charter = await latest(ctx)
        if await queries.acknowledgement(ctx.session, member, charter) is not None:
            return
        request = await queries.request(ctx.session, member, charter)
        if request is not None:
            if request.snoozed_at is not None:
                return
            request.reminded_at = ctx.now
        await ctx.dm(member, lambda _: render.reminder_message(_, community_name(ctx), charter))

    # --- "not now" -------------------------------------------------------------------------------------------

    @command("charter later", N_("Not ready to accept the charter yet? No reminder will come"))
    async def later_command(self, ctx: Context[CommandInvoked]) -> None:
        await self._snooze(ctx)

    @action(LATER)
    async def later_button(self, ctx: Context[ButtonPressed]) -> None:
        charter = await self._snooze(ctx)
        if charter is None or str(charter.id) != ctx.event.ref or not ctx.can(Capability.UPDATE):
            return
        round_ = await queries.round_of(ctx.session, charter)
        if round_ is not None:
            # The direct message keeps its accept button and loses "Not now", now said.
            ctx.replace_pressed(
                await reacceptance_message(
                    ctx, ctx._, charter, await previous(ctx, charter), round_, later=False
                )
            )

    async def _snooze(self, ctx: Context[Any]) -> Charter | None:
        """The member said "not now": no reminder for the current version. Returns it if it was news."""
        _ = ctx._
        member = await ctx.member()
        charter = await latest(ctx)
        existing = await queries.acknowledgement(ctx.session, member, charter)
        if existing is not None:
            ctx.reply(
                _(
                    "You already accepted the current charter (version {version}) on {date}: "
                    "there is nothing to remind you of.",
                    version=charter.version,
                    date=ctx.format_time(existing.accepted_at),
                )
            )
            return None
        request = await queries.request(ctx.session, member, charter)
        if request is not None and request.snoozed_at is not None:
            ctx.reply(_("Already noted: no reminder will come. The charter is here when you are ready."))
            return None
        if request is None:
            accepted_before = await queries.has_accepted_before(ctx.session, member)
            request = CharterRequest(
                community_id=ctx.community.id,
                member_id=member.id,
                charter_id=charter.id,
                kind=REACCEPTANCE if accepted_before else WELCOME,
                asked_at=ctx.now,
            )
            ctx.session.add(request)
        request.snoozed_at = ctx.now
        await ctx.cancel_timer(REMINDER, str(member.id))
        text = _(
            "No problem: I won't remind you. The charter is here whenever you are ready: {command}.",
            command=ctx.command_text("charter"),
        )
        grace_ends = None
        round_ = await queries.round_of(ctx.session, charter)
        if round_ is not None and request.kind == REACCEPTANCE and round_.closed_at is None:
            grace_ends = round_.grace_ends_at
        campaign = (
            await ctx.session.get(CharterCampaign, request.campaign_id) if request.campaign_id else None
        )
        if campaign is not None and campaign.closed_at is None:
            grace_ends = campaign.grace_ends_at
        if grace_ends is not None and gating(ctx):
            text += " " + _(
                "Until {date} nothing changes for you; after that, your member access waits for your agreement.",
                date=ctx.format_time(grace_ends),
            )
        ctx.reply(text)
        return charter

    # --- re-acceptance rounds ----------------------------------------------------------------------------

    async def _round_charter(self, ctx: Context[TimerFired]) -> tuple[Charter, CharterRound] | None:
        """The charter and round a round timer is about, if that version is still the current one."""
        ref = ctx.event.ref
        charter = await ctx.row(Charter, ref)
        if charter is None or charter.community_id != ctx.community.id:
            return None
        if (await latest(ctx)).id != charter.id:
            return None  # a newer version opened its own round, which asks again
        round_ = await queries.round_of(ctx.session, charter)
        return (charter, round_) if round_ is not None else None

    @timer(ROUND_REMINDER)
    async def remind_round(self, ctx: Context[TimerFired]) -> None:
        found = await self._round_charter(ctx)
        if found is None:
            return
        charter, round_ = found
        community = community_name(ctx)
        before = await previous(ctx, charter)
        changes = diff(CharterContent.of(before), CharterContent.of(charter)) if before else []
        waiting = await queries.waiting_rows(ctx.session, charter, to_remind=True)
        for request, _member in waiting:
            request.reminded_at = ctx.now
        await ctx.dm_each(
            [member for _request, member in waiting],
            lambda _: render.round_reminder_message(
                _,
                community,
                charter,
                changes,
                deadline=ctx.format_time(round_.grace_ends_at, _),
                gating=gating(ctx),
            ),
        )
        round_.reminded_at = ctx.now

    @timer(ROUND_GRACE)
    async def end_grace(self, ctx: Context[TimerFired]) -> None:
        found = await self._round_charter(ctx)
        if found is None:
            return
        charter, round_ = found
        rows = await queries.waiting_rows(ctx.session, charter)
        gates = gating(ctx)
        if gates:
            already = await queries.gated_member_ids(ctx.session, ctx.community.id)
            for request, member in rows:
                if member.id not in already:
                    assert ctx.settings.member_role is not None
                    ctx.revoke_role(member.external_id, ctx.settings.member_role)
                request.gated_at = ctx.now
        round_.closed_at = ctx.now
        await self._tell_animators(ctx, charter, [member.external_id for _request, member in rows], gates)

    async def _tell_animators(
        self, ctx: Context[Any], charter: Charter, waiting: list[str], gates: bool
    ) -> None:
        """The grace period is over: the animators we can reach get who hasn't accepted, and what it means."""
        amended = await queries.amendment_exists_for(ctx.session, charter)
        recipients = rules.grace_recipients(ctx.settings.animators, charter.created_by, amended)
        # Settings may name animators by id or by display name: a name we know is resolved to its member's id.
        names = await queries.resolve_names(ctx.session, ctx.community.id, recipients)
        recipients = list(dict.fromkeys(names.get(r, r) for r in recipients))
        if not recipients:
            return
        members = await queries.current_count(ctx.session, ctx.community.id)
        accepted = await queries.accepted_count(ctx.session, charter)
        # No welcome-channel fallback: the list names members, it is for the animators' eyes only.
        await ctx.dm_each(
            recipients,
            lambda _: render.grace_over_message(_, charter.version, accepted, members, waiting, gating=gates),
            private=True,
        )
