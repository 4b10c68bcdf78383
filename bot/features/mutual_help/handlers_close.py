"""Closing the loop: the asker marks an ask solved (who helped, a thank-you posted unless the helper declines
being named) or withdrawn; nobody accepting within days, the asker is told kindly and may widen the ask or ask
the animators; after its date (or two weeks) Agora asks once. ``/agora asks`` lists what is open, with the
animators' figures, and lets a member pause being asked."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.context import Context
from bot.errors import FormErrors, UserError
from bot.events import ButtonPressed, CommandInvoked, FormSubmitted, TimerFired
from bot.i18n import N_
from bot.messages import Button, Message, mention, untrusted
from bot.router import Option, action, command, form, timer
from bot.settings.types import MEMBER
from storage.models import Member
from storage.tables.mutual_help import AskStatus, HelpAsk, OfferStatus

from . import queries, render, rules
from .common import ASK, GONE, answer_pressed, ask_view, closed_refusal, private_dm
from .handlers_ask import FOLLOW_UP, QUIET
from .render import ANIMATORS, SOLVED, SOLVED_FORM, STILL, UNNAME, WIDEN, WITHDRAW

__all__ = ["CloseHandlers"]

FIGURES_OVER = timedelta(days=90)


class CloseHandlers:
    """A mixin of ``MutualHelpFeature``."""

    async def _own(self, ctx: Context[Any], ref: object) -> HelpAsk:
        """The ask ``ref`` names, if the actor made it."""
        ask = await ctx.owned(HelpAsk, ref, gone=GONE)
        member = await ctx.member()
        if member.id != ask.asker_id:
            raise UserError(ctx._("Only the member who asked can do that."))
        return ask

    @action(SOLVED, opens_form=True)
    async def solved(self, ctx: Context[ButtonPressed]) -> None:
        ask = await self._own(ctx, ctx.event.ref)
        closed_refusal(ctx, ask)
        accepted = [
            m for o, m in await queries.offers_of(ctx.session, ask) if o.status == OfferStatus.ACCEPTED
        ]
        helper = f"@{accepted[0].external_id}" if len(accepted) == 1 else ""
        ctx.open_form(render.solved_form(ctx._, ask.id, helper))

    @form(SOLVED_FORM)
    async def solved_submitted(self, ctx: Context[FormSubmitted]) -> None:
        _ = ctx._
        ask = await self._own(ctx, ctx.event.ref)
        closed_refusal(ctx, ask)
        typed = " ".join(str(ctx.event.values.get("helper") or "").split())
        thanks = str(ctx.event.values.get("thanks") or "").strip()
        helper = None
        if typed:
            try:
                helper = await ctx.find_member(MEMBER.read(typed))
            except ValueError:
                helper = None
            if helper is None or helper.id == ask.asker_id:
                raise FormErrors(
                    {
                        "helper": _(
                            "“{value}” is not a member I know: write their @name, or leave it empty.",
                            value=untrusted(typed[:60]),
                        )
                    }
                )
        ask.status, ask.closed_at = AskStatus.SOLVED, ctx.now
        ask.helped_by = helper.id if helper is not None else None
        ask.thanks = thanks
        await self._stop(ctx, ask)
        entry = None
        if helper is not None:
            preference = await queries.preference_of(ctx.session, helper)
            named = preference is None or not preference.unnamed
            channel = ctx.settings.channel("help")
            if not ask.discreet and channel:
                # A discreet ask stays discreet when solved: its thanks go to the helper only.
                entry = ctx.post(
                    channel,
                    render.thanks_post(
                        ctx.public,
                        await ask_view(ctx, ask, ctx.public),
                        helper.external_id if named else None,
                        thanks,
                    ),
                    origin=(ASK, str(ask.id)),
                )
                await ctx.session.flush()
                ask.thanks_entry_id = entry.id
            theirs = await ctx.translator_for(helper)
            private_dm(
                ctx,
                helper.external_id,
                render.thanks_dm(
                    theirs, await ask_view(ctx, ask, theirs), thanks, named=entry is not None and named
                ),
            )
        text = _("Wonderful! Your ask is marked solved.")
        if entry is not None:
            text += " " + _("Your thank-you is posted.")
        elif helper is not None:
            text += " " + _("I passed your thanks on to {helper}.", helper=mention(helper.external_id))
        await ctx.reply_once_posted(entry, text)

    @action(WITHDRAW)
    async def withdraw(self, ctx: Context[ButtonPressed]) -> None:
        ask = await self._own(ctx, ctx.event.ref)
        closed_refusal(ctx, ask)
        ask.status, ask.closed_at = AskStatus.WITHDRAWN, ctx.now
        await self._stop(ctx, ask)
        answer_pressed(
            ctx,
            ctx._(
                "Your ask is withdrawn. You can ask again any time with {command}.",
                command=ctx.command_text("ask"),
            ),
        )

    @action(STILL)
    async def still(self, ctx: Context[ButtonPressed]) -> None:
        ask = await self._own(ctx, ctx.event.ref)
        closed_refusal(ctx, ask)
        answer_pressed(
            ctx,
            ctx._(
                "Noted: your ask stays open. {command} lets you mark it solved when it is.",
                command=ctx.command_text("asks"),
            ),
        )

    @action(WIDEN)
    async def widen(self, ctx: Context[ButtonPressed]) -> None:
        """A discreet ask nobody took: the asker chooses to post it publicly."""
        _ = ctx._
        ask = await self._own(ctx, ctx.event.ref)
        closed_refusal(ctx, ask)
        channel = ctx.settings.channel("help")
        if not ask.discreet or not channel:
            answer_pressed(ctx, _("Your ask is already public."))
            return
        ask.discreet = False
        entry = ctx.post(
            channel,
            render.ask_post(ctx.public, await ask_view(ctx, ask, ctx.public)),
            origin=(ASK, str(ask.id)),
        )
        await ctx.session.flush()
        ask.post_entry_id = entry.id
        await ctx.reply_once_posted(entry, _("Your ask is now posted in {channel}.", channel=f"<#{channel}>"))

    @action(ANIMATORS)
    async def animators(self, ctx: Context[ButtonPressed]) -> None:
        _ = ctx._
        ask = await self._own(ctx, ctx.event.ref)
        closed_refusal(ctx, ask)
        if ask.animators_asked_at is not None:
            answer_pressed(ctx, _("The animators already have your ask."))
            return
        view = await ask_view(ctx, ask)
        animators = [a for a in ctx.settings.animators if a != view.asker]
        if not animators:
            answer_pressed(ctx, _("This community has no animator I can write to. Ask in a channel instead."))
            return
        ask.animators_asked_at = ctx.now
        for animator in animators:
            _ = await ctx.translator_for(animator)
            private_dm(
                ctx,
                animator,
                Message(
                    title=_("A member needs a hand"),
                    text=_(
                        "{asker} asked the network for “{need}” and nobody has said yes yet. Do you know someone?",
                        asker=mention(view.asker),
                        need=untrusted(view.need),
                    )
                    + ("\n" + _("It is a discreet ask: please keep it to yourself.") if ask.discreet else ""),
                ),
            )
        answer_pressed(ctx, ctx._("I passed your ask on to the animators."))

    @action(UNNAME)
    async def unname(self, ctx: Context[ButtonPressed]) -> None:
        """The helper declines being named in the thank-you: the post loses their name, and so will later ones."""
        _ = ctx._
        ask = await ctx.owned(HelpAsk, ctx.event.ref, gone=GONE)
        member = await ctx.member()
        if ask.helped_by != member.id:
            raise UserError(_(GONE))
        preference = await queries.preference_of(ctx.session, member, now=ctx.now)
        assert preference is not None
        preference.unnamed, preference.updated_at = True, ctx.now
        if ask.thanks_entry_id is not None:
            await ctx.replace_post(
                ask.thanks_entry_id,
                render.thanks_post(ctx.public, await ask_view(ctx, ask, ctx.public), None, ask.thanks),
            )
        answer_pressed(ctx, _("Done: the thank-you no longer names you, and later ones won't either."))

    async def _stop(self, ctx: Context[Any], ask: HelpAsk) -> None:
        """A closed ask: no more nudges, its public post loses its buttons, pending requests are answered."""
        await ctx.cancel_timer(QUIET, str(ask.id))
        await ctx.cancel_timer(FOLLOW_UP, str(ask.id))
        if ask.post_entry_id is not None:
            public = ctx.public
            closed = render.ask_post(public, await ask_view(ctx, ask, public))
            await ctx.replace_post(
                ask.post_entry_id,
                replace(closed, buttons=(), footer=render.ask_closed(public, str(ask.status))),
            )

    # --- the timers -------------------------------------------------------------------------------------------

    @timer(QUIET)
    async def quiet(self, ctx: Context[TimerFired]) -> None:
        ask = await ctx.row(HelpAsk, ctx.event.ref)
        if ask is None or ask.status != AskStatus.OPEN or ask.quiet_told_at is not None:
            return
        if any(o.status == OfferStatus.ACCEPTED for o, _m in await queries.offers_of(ctx.session, ask)):
            return
        ask.quiet_told_at = ctx.now
        _ = await ctx.translator_for(await ctx.session.get(Member, ask.asker_id) or "")
        view = await ask_view(ctx, ask, _)
        private_dm(ctx, view.asker, render.quiet(_, view))

    @timer(FOLLOW_UP)
    async def follow_up(self, ctx: Context[TimerFired]) -> None:
        ask = await ctx.row(HelpAsk, ctx.event.ref)
        if ask is None or ask.status != AskStatus.OPEN or ask.followed_up_at is not None:
            return
        ask.followed_up_at = ctx.now
        _ = await ctx.translator_for(await ctx.session.get(Member, ask.asker_id) or "")
        view = await ask_view(ctx, ask, _)
        private_dm(ctx, view.asker, render.follow_up(_, view))

    # --- /agora asks --------------------------------------------------------------------------------------------

    @command(
        "asks",
        N_("The open asks for help; pause or resume being asked"),
        options=[
            Option("action", N_("list (the default), pause or resume"), choices=("list", "pause", "resume"))
        ],
    )
    async def asks(self, ctx: Context[CommandInvoked], action: str | None = None) -> None:
        _ = ctx._
        member = await ctx.member()
        if action in ("pause", "resume"):
            preference = await queries.preference_of(ctx.session, member, now=ctx.now)
            assert preference is not None
            preference.paused, preference.updated_at = action == "pause", ctx.now
            ctx.reply(
                _("Done: I won't ask you to help until you resume.")
                if preference.paused
                else _("Done: I may ask you again when someone needs what you offer.")
            )
            return
        rows = await queries.open_asks(ctx.session, ctx.community.id, None if ctx.is_animator else member)
        lines = []
        mine = []
        for ask, asker in rows:
            view = await ask_view(ctx, ask)
            lines.append(render.ask_line(_, view, mine=asker.id == member.id))
            if asker.id == member.id:
                mine.append(ask.id)
        text = (
            "\n".join(lines)
            if lines
            else _("No ask is open. Need a hand? {command}", command=ctx.command_text("ask"))
        )
        if ctx.is_animator:
            asks, helped = await queries.figure_rows(ctx.session, ctx.community.id, ctx.now - FIGURES_OVER)
            text += "\n\n" + render.figures_text(_, rules.figures(asks, helped), FIGURES_OVER.days)
        buttons = []
        for ask_id in mine[:2]:
            buttons += [
                Button(SOLVED, _("#{number} solved", number=ask_id), ref=str(ask_id)),
                Button(WITHDRAW, _("Withdraw #{number}", number=ask_id), ref=str(ask_id), style="secondary"),
            ]
        ctx.reply(Message(title=_("Open asks"), text=text, buttons=tuple(buttons), ephemeral=True))
