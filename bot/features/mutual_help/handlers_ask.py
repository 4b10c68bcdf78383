"""Asking: ``/agora ask`` and its form, the members Agora asks (and why them), "I can help" and "I know
someone" on a public ask, each member's Happy to help / Not this time, and the conversation opened for the two
once they accept (double opt-in). What fails on the platform is undone here too."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.context import Context
from bot.errors import FormErrors, UserError
from bot.events import ButtonPressed, CommandInvoked, FormSubmitted, PostFailed
from bot.features.meetings.dates import DateProblem
from bot.i18n import N_
from bot.messages import Message, mention, untrusted
from bot.router import Option, action, command, form, undelivered
from bot.settings.types import MEMBER
from storage.models import Member
from storage.tables.mutual_help import AskStatus, HelpAsk, HelpOffer, OfferSource, OfferStatus

from . import queries, render, rules
from .common import (
    ASK,
    GONE,
    OFFER,
    answer_pressed,
    ask_view,
    closed_refusal,
    open_conversation,
    private_dm,
    require_charter,
)
from .render import ACCEPT, ASK_FORM, CAN_HELP, DECLINE, KNOWS, REFER_FORM

__all__ = ["FOLLOW_UP", "QUIET", "AskHandlers"]

QUIET = "help:quiet"
FOLLOW_UP = "help:follow-up"
WEEK = timedelta(days=7)


class AskHandlers:
    """A mixin of ``MutualHelpFeature``."""

    @command(
        "ask",
        N_("Ask the network for help: Agora asks the members who could help"),
        options=[Option("discreet", N_("yes: only the members Agora asks see it"), kind="boolean")],
        opens_form=True,
    )
    async def ask(self, ctx: Context[CommandInvoked], discreet: bool | None = None) -> None:
        await self._may_ask(ctx)
        ctx.open_form(render.ask_form(ctx._, discreet=bool(discreet)))

    async def _may_ask(self, ctx: Context[Any]) -> Member:
        if not ctx.settings.mutual_help.enabled:
            raise UserError(ctx._("Mutual help is off in this community."))
        member = await ctx.member()
        await require_charter(ctx, member)
        return member

    @form(ASK_FORM)
    async def asked(self, ctx: Context[FormSubmitted]) -> None:
        _ = ctx._
        values = {
            k: " ".join(str(v or "").split()) if k != "details" else str(v or "").strip()
            for k, v in ctx.event.values.items()
        }
        problems: dict[str, str] = {}
        need = values.get("need", "")
        if not need:
            problems["need"] = _("Say what you need, in a few words: it is the one thing I must know.")
        discreet = rules.is_discreet(values.get("visibility"))
        if discreet is None:
            problems["visibility"] = render.bad_visibility(_, values.get("visibility", ""))
        when = None
        try:
            # Read as the asker writes dates: in their language (03/04 is the 3rd of April in French).
            when = rules.by_when(
                values.get("when", ""), now=ctx.now, timezone=ctx.settings.timezone, language=_.locale
            )
        except DateProblem as problem:
            problems["when"] = render.bad_date(_, values.get("when", ""), problem, ctx.settings.timezone)
        if problems:
            raise FormErrors(problems)
        member = await self._may_ask(ctx)
        ask = HelpAsk(
            community_id=ctx.community.id,
            asker_id=member.id,
            need=need,
            details=values.get("details", ""),
            by_when=when,
            discreet=bool(discreet),
            status=AskStatus.OPEN,
            created_at=ctx.now,
            thanks="",
        )
        ctx.session.add(ask)
        await ctx.session.flush()
        entry = None
        channel = ctx.settings.channel("help")
        if not ask.discreet and channel:
            view = await ask_view(ctx, ask, ctx.public)
            entry = ctx.post(channel, render.ask_post(ctx.public, view), origin=(ASK, str(ask.id)))
            await ctx.session.flush()
            ask.post_entry_id = entry.id
        asked = await self._ask_helpers(ctx, ask, member)
        settings = ctx.settings.mutual_help
        await ctx.set_timer(QUIET, str(ask.id), ctx.now + settings.quiet_after)
        await ctx.set_timer(FOLLOW_UP, str(ask.id), ask.by_when or ctx.now + settings.follow_up_after)
        reply = render.asked_reply(_, asked=asked, channel=channel if entry else None, discreet=ask.discreet)
        await ctx.reply_once_posted(entry, reply)

    async def _ask_helpers(self, ctx: Context[Any], ask: HelpAsk, asker: Member) -> int:
        """DM the members who could help, up to the community's number, none asked more than its weekly limit."""
        settings = ctx.settings.mutual_help
        busy = await queries.asked_since(ctx.session, ctx.community.id, ctx.now - WEEK)
        helpers = [
            h
            for h in await queries.helper_rows(ctx.session, ctx.community.id, asker)
            if busy.get(h.member_id, 0) < settings.asks_per_week
        ]
        matches = rules.helpers_for(f"{ask.need}\n{ask.details}", helpers, limit=settings.suggestions)
        for found in matches:
            reasons = [(part, ", ".join(words)) for part, words in found.reasons]
            await self._request(
                ctx, ask, found.helper.member_id, found.helper.key, OfferSource.SUGGESTED, reasons
            )
        return len(matches)

    async def _request(
        self,
        ctx: Context[Any],
        ask: HelpAsk,
        helper_id: int,
        helper_key: str,
        source: OfferSource,
        reasons: list[tuple[str, str]],
        referred_by: Member | None = None,
    ) -> HelpOffer:
        offer = HelpOffer(
            community_id=ctx.community.id,
            ask_id=ask.id,
            helper_id=helper_id,
            source=source,
            status=OfferStatus.ASKED,
            reasons=rules.encode_reasons((part, [words]) for part, words in reasons),
            referred_by=referred_by.id if referred_by is not None else None,
            asked_at=ctx.now,
        )
        ctx.session.add(offer)
        await ctx.session.flush()
        _ = await ctx.translator_for(helper_key)
        message = render.helper_request(
            _,
            await ask_view(ctx, ask, _),
            reasons,
            referred_by=referred_by.external_id if referred_by is not None else None,
        )
        entry = private_dm(
            ctx, helper_key, render.with_offer(message, offer.id), origin=(OFFER, str(offer.id))
        )
        await ctx.session.flush()
        offer.dm_entry_id = entry.id
        return offer

    # --- answers to a public ask --------------------------------------------------------------------------

    @action(CAN_HELP)
    async def can_help(self, ctx: Context[ButtonPressed]) -> None:
        """A member volunteers on a public ask: no need to ask them, the conversation opens."""
        ask = await ctx.owned(HelpAsk, ctx.event.ref, gone=GONE)
        closed_refusal(ctx, ask)
        member = await ctx.member()
        await require_charter(ctx, member)
        if member.id == ask.asker_id:
            raise UserError(ctx._("This is your own ask: the others' answers will reach you."))
        found = await queries.offer_of(ctx.session, ask, member)
        if found is not None and found.status == OfferStatus.ACCEPTED:
            ctx.reply(ctx._("You already offered to help with this ask: your conversation is open."))
            return
        if found is None:
            found = HelpOffer(
                community_id=ctx.community.id,
                ask_id=ask.id,
                helper_id=member.id,
                source=OfferSource.VOLUNTEERED,
                status=OfferStatus.ASKED,
                reasons="",
                asked_at=ctx.now,
            )
            ctx.session.add(found)
            await ctx.session.flush()
        await self._accept(ctx, ask, found, member)

    @action(KNOWS, opens_form=True)
    async def knows(self, ctx: Context[ButtonPressed]) -> None:
        ask = await ctx.owned(HelpAsk, ctx.event.ref, gone=GONE)
        closed_refusal(ctx, ask)
        await require_charter(ctx, await ctx.member())
        ctx.open_form(render.refer_form(ctx._, ask.id))

    @form(REFER_FORM)
    async def referred(self, ctx: Context[FormSubmitted]) -> None:
        """Someone names a member who could help: Agora asks them, with the same double opt-in."""
        _ = ctx._
        ask = await ctx.owned(HelpAsk, ctx.event.ref, gone=GONE)
        closed_refusal(ctx, ask)
        referrer = await ctx.member()
        await require_charter(ctx, referrer)
        typed = str(ctx.event.values.get("member") or "").strip()
        try:
            key = MEMBER.read(typed)
        except ValueError:
            raise FormErrors(
                {"member": _("“{value}” is not a member: write their @name.", value=untrusted(typed[:60]))}
            ) from None
        helper = await ctx.find_member(key)
        if helper is None or helper.left_at is not None:
            raise FormErrors({"member": _("I don't know {member} in this community.", member=mention(key))})
        if helper.id in (ask.asker_id, referrer.id):
            raise FormErrors({"member": _("Name someone else than the asker and yourself.")})
        already = await queries.offer_of(ctx.session, ask, helper)
        preference = await queries.preference_of(ctx.session, helper)
        busy = await queries.asked_since(ctx.session, ctx.community.id, ctx.now - WEEK)
        if already is not None:
            ctx.reply(_("{member} was already asked about this ask. Thank you!", member=mention(key)))
            return
        if (preference is not None and preference.paused) or busy.get(
            helper.id, 0
        ) >= ctx.settings.mutual_help.asks_per_week:
            ctx.reply(
                _(
                    "{member} can't be asked just now (they were asked recently, or paused). Thank you all the same!",
                    member=mention(key),
                )
            )
            return
        await self._request(ctx, ask, helper.id, helper.external_id, OfferSource.REFERRED, [], referrer)
        ctx.reply(
            _(
                "Thank you! I am asking {member} by DM; the asker will hear if they accept.",
                member=mention(key),
            )
        )

    # --- the member asked answers ---------------------------------------------------------------------------

    async def _offer(self, ctx: Context[ButtonPressed]) -> tuple[HelpOffer, HelpAsk, Member]:
        offer = await ctx.owned(HelpOffer, ctx.event.ref, gone=GONE)
        ask = await ctx.session.get(HelpAsk, offer.ask_id)
        member = await ctx.member()
        if ask is None or member.id != offer.helper_id:
            raise UserError(ctx._(GONE))
        return offer, ask, member

    @action(ACCEPT)
    async def accept(self, ctx: Context[ButtonPressed]) -> None:
        offer, ask, member = await self._offer(ctx)
        view = await ask_view(ctx, ask)
        if offer.status == OfferStatus.ACCEPTED:
            ctx.reply(ctx._("You already said yes: your conversation is open."))
            return
        if ask.status != AskStatus.OPEN:
            answer_pressed(ctx, Message(text=render.ask_closed(ctx._, str(ask.status))))
            return
        answer_pressed(ctx, render.answered(ctx._, view, accepted=True))
        await self._accept(ctx, ask, offer, member)

    @action(DECLINE)
    async def decline(self, ctx: Context[ButtonPressed]) -> None:
        offer, ask, _member = await self._offer(ctx)
        if offer.status == OfferStatus.ACCEPTED:
            ctx.reply(ctx._("You already said yes: your conversation is open."))
            return
        offer.status, offer.answered_at = OfferStatus.DECLINED, ctx.now
        answer_pressed(ctx, render.answered(ctx._, await ask_view(ctx, ask), accepted=False))

    async def _accept(self, ctx: Context[Any], ask: HelpAsk, offer: HelpOffer, helper: Member) -> None:
        """The double opt-in is complete: open the conversation of the two, introducing each to the other. The
        helper hears it is open only once it is; the asker learns of it there."""
        _ = ctx._
        offer.status, offer.answered_at = OfferStatus.ACCEPTED, ctx.now
        asker = await ctx.session.get(Member, ask.asker_id)
        assert asker is not None
        # The conversation is the two members' own: written in the community's language, which both share.
        public = ctx.public
        view = await ask_view(ctx, ask, public)
        reasons = rules.decode_reasons(offer.reasons)
        title = public(
            N_("{asker} and {helper}"),
            asker=asker.display_name or asker.external_id,
            helper=helper.display_name or helper.external_id,
        )
        entry = open_conversation(
            ctx,
            [asker.external_id, helper.external_id],
            title,
            render.introduction(public, view, helper.external_id, reasons),
            (OFFER, str(offer.id)),
        )
        await ctx.session.flush()
        offer.group_entry_id = entry.id
        await ctx.reply_once_posted(
            entry,
            _(
                "Thank you! I have opened a conversation for you and {asker}.",
                asker=mention(asker.external_id),
            ),
        )

    # --- what the platform refused ----------------------------------------------------------------------------

    @undelivered(ASK)
    async def ask_unposted(self, ctx: Context[PostFailed]) -> None:
        """The public post failed: the ask stays, with the members asked by DM; nothing points at the post."""
        ask = await ctx.failed_row(HelpAsk, "post_entry_id")
        if ask is not None:
            ask.post_entry_id = None

    @undelivered(OFFER)
    async def offer_undelivered(self, ctx: Context[PostFailed]) -> None:
        """The DM asking a member could not reach them: they count as unreachable. The conversation could not
        open: each of the two gets the other's name by DM, so the introduction still happens."""
        offer = await ctx.row(HelpOffer, ctx.event.ref)
        if offer is None:
            return
        if ctx.event.entry == offer.dm_entry_id and offer.status == OfferStatus.ASKED:
            offer.status = OfferStatus.UNREACHABLE
            return
        if ctx.event.entry != offer.group_entry_id:
            return
        ask = await ctx.session.get(HelpAsk, offer.ask_id)
        asker = await ctx.session.get(Member, ask.asker_id) if ask is not None else None
        helper = await ctx.session.get(Member, offer.helper_id)
        if ask is None or asker is None or helper is None:
            return
        offer.group_entry_id = None
        _ = await ctx.translator_for(asker)
        private_dm(
            ctx,
            asker.external_id,
            Message(
                text=_(
                    "{helper} is happy to help with your ask “{need}”. I could not open a conversation for you two: write to them directly.",
                    helper=mention(helper.external_id),
                    need=untrusted(ask.need),
                )
            ),
        )
        _ = await ctx.translator_for(helper)
        private_dm(
            ctx,
            helper.external_id,
            Message(
                text=_(
                    "I could not open the conversation with {asker}: write to them directly. Thank you for helping!",
                    asker=mention(asker.external_id),
                )
            ),
        )
