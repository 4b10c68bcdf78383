"""Quiet members: whoever leaves "Did you meet?" unanswered two rounds in a row is asked once, privately, whether
to stay in (keep me in / pause me for a month / take me out); without an answer they are paused, and told how to
come back. Thin: the rule decides (``rules.is_quiet``), the queries read, the messages are in ``render_quiet``."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from bot.context import Context
from bot.errors import UserError
from bot.events import ButtonPressed, PostFailed, TimerFired
from bot.features.rounds import queries, render_quiet, rules
from bot.i18n import N_
from bot.messages import mention
from bot.router import action, timer, undelivered
from storage.models import Member
from storage.tables.rounds import RoundParticipant

__all__ = ["QUIET_ASK", "QUIET_WAIT", "Quiet"]

# The question's origin in the outbox (ref: the participant's id), and its deadline's timer (same ref).
QUIET_ASK = "rounds:quiet"
QUIET_WAIT = timedelta(days=3)


class Quiet:
    """The quiet members' question and pause (a mixin of :class:`~bot.features.rounds.RoundsFeature`)."""

    async def quiet_among(
        self, ctx: Context[Any], rows: list[tuple[RoundParticipant, Member]]
    ) -> list[tuple[RoundParticipant, Member]]:
        """The quiet members of ``rows``, to ask whether to stay in (read only: a round being planned reads them
        before it asks them, when it is applied)."""
        seats = await queries.recent_seats(ctx.session, ctx.community.id, [m.id for _p, m in rows], ctx.now)
        return [(p, m) for p, m in rows if rules.is_quiet(seats.get(m.id, []), p.quiet_asked_at)]

    async def ask_the_quiet(self, ctx: Context[Any], quiet: list[tuple[RoundParticipant, Member]]) -> None:
        """Ask, once, each member of ``quiet`` (see ``quiet_among``) whether to stay in: they sit this round out
        while they think about it, so that nobody waits for them."""
        for participant, member in quiet:
            entry = await ctx.dm(
                member,
                partial(render_quiet.asked_to_stay, participant_id=participant.id, days=QUIET_WAIT.days),
                origin=(QUIET_ASK, str(participant.id)),
            )
            await ctx.session.flush()
            participant.quiet_asked_at, participant.quiet_entry_id = ctx.now, entry.id
            await ctx.set_timer(QUIET_ASK, str(participant.id), ctx.now + QUIET_WAIT)

    @action(render_quiet.QUIET["keep"])
    async def quiet_keep(self, ctx: Context[ButtonPressed]) -> None:
        await self._quiet_chose(ctx, "keep")

    @action(render_quiet.QUIET["pause"])
    async def quiet_pause(self, ctx: Context[ButtonPressed]) -> None:
        await self._quiet_chose(ctx, "pause")

    @action(render_quiet.QUIET["out"])
    async def quiet_out(self, ctx: Context[ButtonPressed]) -> None:
        await self._quiet_chose(ctx, "out")

    async def _quiet_chose(self, ctx: Context[ButtonPressed], choice: str) -> None:
        participant = await ctx.owned(
            RoundParticipant,
            ctx.event.ref,
            gone=N_("This button no longer matches your place in the rounds of this community."),
        )
        member = await ctx.member()
        if participant.member_id != member.id:
            raise UserError(ctx._("This question was meant for another member: only they can answer it."))
        await ctx.cancel_timer(QUIET_ASK, str(participant.id))
        back = ctx.now + timedelta(days=render_quiet.PAUSE_DAYS)
        participant.active = choice != "out"
        participant.paused_quiet = False
        participant.paused_until = back if choice == "pause" else None
        participant.snooze_rounds, participant.updated_at = 0, ctx.now
        back_on = ctx._.datetime(back, await ctx.timezone_for(member), "d MMMM y")
        text, question = render_quiet.chose(ctx._, choice, back_on)
        ctx.reply(text)
        ctx.replace_pressed(question)

    @timer(QUIET_ASK)
    async def quiet_unanswered(self, ctx: Context[TimerFired]) -> None:
        """No answer to the question either: paused until they come back, and told how."""
        participant = await ctx.row(RoundParticipant, ctx.event.ref)
        if participant is None or not participant.active or participant.paused_quiet:
            return
        asked = participant.quiet_asked_at
        if asked is None or participant.updated_at > asked:
            return  # they joined again, snoozed or left meanwhile: that was their answer
        if await queries.answered_since(ctx.session, participant.member_id, asked):
            return  # they answered "Did you meet?" meanwhile: not quiet after all
        member = await ctx.session.get(Member, participant.member_id)
        if member is None or member.left_at is not None:
            return
        participant.paused_quiet, participant.updated_at = True, ctx.now
        await ctx.dm(member, render_quiet.paused_quietly)

    @undelivered(QUIET_ASK)
    async def quiet_unasked(self, ctx: Context[PostFailed]) -> None:
        """The question could not reach the member: they were not asked, so they are not paused for not
        answering; a later round asks again."""
        participant = await ctx.failed_row(RoundParticipant, "quiet_entry_id")
        if participant is None:
            return
        await ctx.cancel_timer(QUIET_ASK, str(participant.id))
        participant.quiet_asked_at = participant.quiet_entry_id = None
        member = await ctx.session.get(Member, participant.member_id)
        ctx.reply(
            ctx._(
                "The rounds could not ask {member} whether they want to stay in (they haven't answered “Did you "
                "meet?” lately): they stay in, and a later round will ask again.",
                member=mention(member.external_id) if member is not None else "?",
            )
        )
