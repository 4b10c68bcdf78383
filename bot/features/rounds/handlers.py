"""Taking part in the grouping rounds: the member's page, join, leave, snooze, the private exclusions, and the
answers to "Did you meet?". Thin: typed event in, rules and queries, a reply out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.context import Context
from bot.errors import UserError
from bot.events import ButtonPressed, CommandInvoked
from bot.features.rounds import queries, render, rules
from bot.i18n import N_, Translator
from bot.messages import untrusted
from bot.router import Option, action, command
from bot.settings.types import excerpt
from storage.models import Member, RoundAnswer
from storage.tables.rounds import Round, RoundGroupMember

__all__ = ["Participation", "next_round"]


async def next_round(
    ctx: Context[Any],
    *,
    after: datetime | None = None,
    last: datetime | None = None,
    bare: bool = False,
    words: Translator | None = None,
) -> str:
    """ "Next round: Monday 6 July at 9:00." (or that the rounds are paused): what members always see, in
    ``words`` (the actor's by default; ``ctx.public`` in a post, the recipient's in a direct message)."""
    _ = words or ctx._
    settings = ctx.settings.rounds
    moment = None
    if settings.enabled:
        if last is None:
            previous = await queries.last_round(ctx.session, ctx.community.id)
            last = previous.started_at if previous is not None else None
        moment = rules.next_round_at(
            settings.cron(), ctx.settings.timezone, settings.min_gap, after=after or ctx.now, last=last
        )
    return render.when(_, None if moment is None else ctx.format_time(moment, _), bare=bare)


class Participation:
    """The members' side of the rounds (a mixin of :class:`~bot.features.rounds.RoundsFeature`)."""

    @command("round", N_("Your place in the grouping rounds, and the date of the next one"))
    async def mine(self, ctx: Context[CommandInvoked]) -> None:
        member = await ctx.member()
        participant = await queries.participant(ctx.session, member.id)
        active = participant is not None and participant.active
        paused_on = None
        if participant is not None and active and participant.paused_quiet:
            paused_on = ""
        elif (
            participant is not None
            and active
            and participant.paused_until
            and participant.paused_until > ctx.now
        ):
            paused_on = ctx._.datetime(participant.paused_until, ctx.settings.timezone, "d MMMM y")
        ctx.reply(
            render.my_place(
                ctx._,
                active=active,
                paused_until=paused_on,
                snoozed=participant.snooze_rounds if participant is not None and active else 0,
                next_round=await next_round(ctx),
                avoided=await queries.exclusion_count(ctx.session, member.id),
            )
        )

    @command("round join", N_("Take part in the grouping rounds: meet a few members at each round"))
    async def join_command(self, ctx: Context[CommandInvoked]) -> None:
        await self._join(ctx)

    @action(render.JOIN)
    async def join_button(self, ctx: Context[ButtonPressed]) -> None:
        await self._join(ctx)

    async def _join(self, ctx: Context[Any]) -> None:
        member = await ctx.member()
        participant = await queries.participant(ctx.session, member.id)
        if (
            participant is not None
            and participant.active
            and not participant.snooze_rounds
            and not rules.paused(participant.paused_until, participant.paused_quiet, ctx.now)
        ):
            ctx.reply(ctx._("You already take part in the rounds. {when}", when=await next_round(ctx)))
            return
        await queries.join(ctx.session, ctx.community.id, member.id, participant, ctx.now)
        # The rule exists from the first member on: the core reconciles when a community is created inside an
        # event's transaction, but adapters create it earlier (reading its settings), and BotStarted only
        # reaches communities that existed at start.
        await ctx.app.reconcile_schedules(ctx, [self])  # type: ignore[list-item]
        ctx.reply(render.joined(ctx._, await next_round(ctx)))

    @command("round leave", N_("Stop taking part in the grouping rounds"))
    async def leave_command(self, ctx: Context[CommandInvoked]) -> None:
        await self._leave(ctx)

    @action(render.LEAVE)
    async def leave_button(self, ctx: Context[ButtonPressed]) -> None:
        await self._leave(ctx)

    async def _leave(self, ctx: Context[Any]) -> None:
        participant = await queries.participant(ctx.session, (await ctx.member()).id)
        if participant is None or not participant.active:
            ctx.reply(ctx._("You weren't taking part in the rounds. Join any time with /agora round join."))
            return
        participant.active, participant.snooze_rounds, participant.updated_at = False, 0, ctx.now
        ctx.reply(render.left(ctx._))

    @command(
        "round snooze",
        N_("Skip the next rounds (the next one by default)"),
        options=[Option("rounds", N_("How many rounds to skip, 1 to 12"), kind="integer")],
    )
    async def snooze_command(self, ctx: Context[CommandInvoked], rounds: int = 1) -> None:
        await self._snooze(ctx, rounds)

    @action(render.SNOOZE)
    async def snooze_button(self, ctx: Context[ButtonPressed]) -> None:
        await self._snooze(ctx, ctx.event.ref or 1)

    async def _snooze(self, ctx: Context[Any], raw: object) -> None:
        _ = ctx._
        count = rules.snooze_count(raw)
        if count is None:
            raise UserError(
                _(
                    "“{value}” won't do: choose a number of rounds between 1 and {max}.",
                    value=untrusted(excerpt(raw)),
                    max=rules.MAX_SNOOZE,
                )
            )
        participant = await queries.participant(ctx.session, (await ctx.member()).id)
        if participant is None or not participant.active:
            raise UserError(
                _(
                    "You don't take part in the rounds, so there is nothing to skip. Join with /agora round join."
                )
            )
        participant.snooze_rounds, participant.updated_at = count, ctx.now
        ctx.reply(
            _.ngettext(
                "Noted: you skip the next round, and you're back automatically after it.",
                "Noted: you skip the next {count} rounds, and you're back automatically after them.",
                count,
            )
        )

    @command(
        "round avoid",
        N_("Never be grouped with a member (private: nobody else is told)"),
        options=[
            Option("member", N_("The member you'd rather not be grouped with"), kind="member", required=True)
        ],
    )
    async def avoid(self, ctx: Context[CommandInvoked], member: str = "") -> None:
        actor, other = await self._other(ctx, member)
        await queries.add_exclusion(ctx.session, ctx.community.id, actor.id, other.id, ctx.now)
        ctx.reply(
            ctx._(
                "Noted: the rounds will never put you with {name}. This stays between us: nobody is told, "
                "{name} included. Undo it with /agora round allow.",
                name=untrusted(other.display_name or other.external_id),
            )
        )

    @command(
        "round allow",
        N_("Be grouped again with a member you avoided"),
        options=[Option("member", N_("The member you avoided"), kind="member", required=True)],
    )
    async def allow(self, ctx: Context[CommandInvoked], member: str = "") -> None:
        actor, other = await self._other(ctx, member)
        name = other.display_name or other.external_id
        if not await queries.remove_exclusion(ctx.session, actor.id, other.id):
            ctx.reply(ctx._("You weren't avoiding {name}: nothing to change.", name=untrusted(name)))
            return
        ctx.reply(ctx._("Noted: the rounds may put you with {name} again.", name=untrusted(name)))

    async def _other(self, ctx: Context[Any], named: str) -> tuple[Member, Member]:
        """The actor and the member named in the command, checked."""
        _ = ctx._
        actor = await ctx.member()
        raw = str(named or "").strip().lstrip("@")
        other = await ctx.find_member(raw) if raw else None
        if other is None and raw:
            other = await queries.member_named(ctx.session, ctx.community.id, raw)
        if other is None:
            raise UserError(
                _(
                    "I don't know “{name}” in this community. Mention them, like @name.",
                    name=untrusted(excerpt(raw) or "?"),
                )
            )
        if other.id == actor.id:
            raise UserError(_("That's you! You can't be kept away from yourself."))
        return actor, other

    # --- the answers to "Did you meet?" ----------------------------------------------------------------------

    @action(render.ANSWERS["met"])
    async def answered_met(self, ctx: Context[ButtonPressed]) -> None:
        await self._answer(ctx, RoundAnswer.MET)

    @action(render.ANSWERS["not_yet"])
    async def answered_not_yet(self, ctx: Context[ButtonPressed]) -> None:
        await self._answer(ctx, RoundAnswer.NOT_YET)

    @action(render.ANSWERS["wont"])
    async def answered_wont(self, ctx: Context[ButtonPressed]) -> None:
        await self._answer(ctx, RoundAnswer.WONT)

    async def _answer(self, ctx: Context[ButtonPressed], answer: RoundAnswer) -> None:
        seat = await ctx.owned(
            RoundGroupMember,
            ctx.event.ref,
            gone=N_("This button no longer matches a round of this community."),
        )
        member = await ctx.member()
        if seat.member_id != member.id:
            raise UserError(ctx._("This question was meant for another member: only they can answer it."))
        seat.answer, seat.answered_at = answer, ctx.now
        round_ = await ctx.session.get(Round, seat.round_id)
        assert round_ is not None
        others = [m.display_name or m.external_id for m in await queries.group_others(ctx.session, seat)]
        text, question = render.answered(ctx._, str(answer), round_.number, others, ctx.event.ref)
        ctx.reply(text)
        ctx.replace_pressed(question)
