"""The rotating lead: members volunteer; each debate, the volunteer who led least recently is asked by direct
message, and a "not this time" (or no answer in time) asks the next one."""

from __future__ import annotations

from functools import partial
from typing import Any

from bot.chat import Capability
from bot.context import Context
from bot.errors import UserError
from bot.events import ButtonPressed, CommandInvoked, TimerFired
from bot.features.debates import queries, render, rules
from bot.features.debates.render import LEAD_ACCEPT, LEAD_DECLINE, LEAD_EXPIRY, VOLUNTEER
from bot.i18n import N_
from bot.messages import Message, mention, untrusted
from bot.router import Option, action, command, timer
from storage.models import DebateLeadAskStatus, DebateStatus
from storage.tables.debates import Debate, DebateLeadAsk, DebateVolunteer

__all__ = ["LeadHandlers", "ask_next_lead"]


async def ask_next_lead(ctx: Context[Any], debate: Debate) -> None:
    """Ask the volunteer who led least recently (never first) and was not asked for this debate yet."""
    member = await queries.next_lead(ctx.session, ctx.community.id, debate.id)
    if member is None:
        return  # nobody (else) volunteered: the animators moderate this one
    ask = DebateLeadAsk(
        community_id=ctx.community.id,
        debate_id=debate.id,
        member_id=member.id,
        status=DebateLeadAskStatus.PENDING,
        asked_at=ctx.now,
    )
    ctx.session.add(ask)
    await ctx.session.flush()
    answer_by = rules.answer_by(ctx.now, ctx.settings.debates.lead_answer_within, debate.closes_at)
    entry = await ctx.dm(
        member,
        lambda _: render.ask_message(_, partial(ctx.format_time, _=_), debate, ask.id, answer_by),
        origin=("debate", str(debate.id)),
    )
    await ctx.session.flush()
    ask.dm_entry_id = entry.id
    await ctx.set_timer(LEAD_EXPIRY, str(ask.id), answer_by)


class LeadHandlers:
    """Volunteering to lead debates, and answering a request to lead one."""

    @command(
        "debate volunteer",
        N_("Volunteer to lead debates in turn (stop=yes to stop)"),
        options=[Option("stop", N_("Yes to leave the list of debate leads"), kind="boolean")],
    )
    async def volunteer(self, ctx: Context[CommandInvoked], stop: bool = False) -> None:
        await _volunteer(ctx, stop=bool(stop))

    @action(VOLUNTEER)
    async def volunteer_button(self, ctx: Context[ButtonPressed]) -> None:
        await _volunteer(ctx, stop=False)

    @action(LEAD_ACCEPT)
    async def lead_accept(self, ctx: Context[ButtonPressed]) -> None:
        # Imported here: handlers imports this module to ask a lead when a debate opens.
        from bot.features.debates.handlers import refresh_post

        _ = ctx._
        ask, debate = await _pending_ask(ctx)
        ask.status, ask.answered_at = DebateLeadAskStatus.ACCEPTED, ctx.now
        await ctx.cancel_timer(LEAD_EXPIRY, str(ask.id))
        debate.lead_id = ask.member_id
        volunteer = await queries.volunteer_of(ctx.session, ctx.community.id, ask.member_id)
        if volunteer is not None:
            volunteer.last_led_at, volunteer.led_count = ctx.now, volunteer.led_count + 1
        member = await ctx.member()
        if debate.post_entry_id is not None:
            await refresh_post(ctx, debate)
            if ctx.can(Capability.THREADS):
                ctx.post(
                    debate.channel,
                    Message(
                        ctx.public("{lead} leads this debate. Thank you!", lead=mention(member.external_id))
                    ),
                    in_thread_of=debate.post_entry_id,
                )
        thanks = _(
            "Thank you! You lead “{motion}” until {date}; I post the summary at the close.",
            motion=untrusted(debate.motion),
            date=ctx.format_time(debate.closes_at),
        )
        if ctx.can(Capability.UPDATE):
            ctx.replace_pressed(Message(title=_("You lead this debate"), text=thanks))
        else:
            ctx.reply(thanks)

    @action(LEAD_DECLINE)
    async def lead_decline(self, ctx: Context[ButtonPressed]) -> None:
        ask, debate = await _pending_ask(ctx)
        ask.status, ask.answered_at = DebateLeadAskStatus.DECLINED, ctx.now
        await ctx.cancel_timer(LEAD_EXPIRY, str(ask.id))
        text = ctx._(
            "No problem: I will ask another volunteer. You stay on the list for the next debates; "
            "to leave it: /agora debate volunteer stop=yes."
        )
        if ctx.can(Capability.UPDATE):
            ctx.replace_pressed(Message(text))
        else:
            ctx.reply(text)
        await ask_next_lead(ctx, debate)

    @timer(LEAD_EXPIRY)
    async def lead_expired(self, ctx: Context[TimerFired]) -> None:
        ref = ctx.event.ref
        ask = await ctx.row(DebateLeadAsk, ref)
        if ask is None or ask.community_id != ctx.community.id or ask.status != DebateLeadAskStatus.PENDING:
            return
        ask.status, ask.answered_at = DebateLeadAskStatus.EXPIRED, ctx.now
        debate = await ctx.session.get(Debate, ask.debate_id)
        await ctx.replace_dm(
            ask.dm_entry_id,
            lambda _: Message(
                _("No answer in time, so I asked another volunteer. No worries: maybe next time!")
            ),
        )
        if debate is not None and debate.status == DebateStatus.OPEN:
            await ask_next_lead(ctx, debate)


async def _volunteer(ctx: Context[Any], *, stop: bool) -> None:
    _ = ctx._
    member = await ctx.member()
    row = await queries.volunteer_of(ctx.session, ctx.community.id, member.id)
    if stop:
        if row is None or not row.active:
            ctx.reply(_("You are not on the list of debate leads; nothing to change."))
            return
        row.active = False
        ctx.reply(_("You are off the list of debate leads. Thank you for the debates you led!"))
        return
    if row is not None and row.active:
        ctx.reply(
            _("You are already on the list of debate leads. To leave it: /agora debate volunteer stop=yes.")
        )
        return
    if row is None:
        ctx.session.add(
            DebateVolunteer(
                community_id=ctx.community.id, member_id=member.id, active=True, volunteered_at=ctx.now
            )
        )
    else:
        row.active, row.volunteered_at = True, ctx.now
    text = _(
        "Thank you! You are on the list of debate leads. When it is your turn, I will ask you by direct "
        "message, and you can always say no. To leave the list: /agora debate volunteer stop=yes."
    )
    if not ctx.settings.debates.rotating_lead:
        text = "\n".join(
            (
                text,
                _(
                    "Rotating leads are not switched on in this community yet: an animator can do it "
                    "with /agora debate settings rotating_lead=yes."
                ),
            )
        )
    ctx.reply(text)


async def _pending_ask(ctx: Context[ButtonPressed]) -> tuple[DebateLeadAsk, Debate]:
    """The request to lead that the pressed button answers, if it is still waiting; else why not."""
    _ = ctx._
    not_yours = N_("This request to lead a debate was not meant for you.")
    ask = await ctx.owned(DebateLeadAsk, ctx.event.ref, gone=not_yours)
    member = await ctx.member()
    if ask.member_id != member.id:
        raise UserError(_(not_yours))
    debate = await ctx.session.get(Debate, ask.debate_id)
    assert debate is not None
    if ask.status == DebateLeadAskStatus.ACCEPTED:
        raise UserError(_("You already agreed to lead this debate. Thank you!"))
    if ask.status == DebateLeadAskStatus.DECLINED:
        raise UserError(_("You already said not this time; another volunteer was asked."))
    if ask.status == DebateLeadAskStatus.EXPIRED:
        raise UserError(
            _("Too late for this one: I asked another volunteer in the meantime. Thank you all the same!")
        )
    if ask.status != DebateLeadAskStatus.PENDING or debate.status != DebateStatus.OPEN:
        raise UserError(_("This debate is closed: no need to answer. Thank you all the same!"))
    return ask, debate
