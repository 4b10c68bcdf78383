"""A captain per group and the group's own date poll: "Find a time" opens a small form, the times are read like the
meeting poll's dates (:func:`bot.features.meetings.dates.parse_options`), the group answers in its conversation
with the meeting poll's choices and tally (:mod:`bot.features.meetings.tally`), and the time chosen is posted
with an .ics. Thin: rules decide, render_time speaks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.context import Context
from bot.errors import FormErrors, UserError
from bot.events import ButtonPressed, FormSubmitted, PostFailed, TimerFired
from bot.features.meetings.dates import parse_options
from bot.features.meetings.render import describe_line, ics_attachment
from bot.features.meetings.tally import CHOICES, Tally, count
from bot.features.rounds import queries, render_time, rules
from bot.i18n import N_
from bot.messages import Message
from bot.router import action, form, timer, undelivered
from storage.models import Member, OutboxEntry
from storage.tables.rounds import (
    Round,
    RoundGroup,
    RoundPoll,
    RoundPollAnswer,
    RoundPollOption,
)

__all__ = ["POLL_CLOSE", "POLL_OPEN", "FindTime"]

# How long a group's poll stays open at most; the timer that closes it, and the post's origin (ref: poll id).
POLL_OPEN = timedelta(days=2)
POLL_CLOSE = "rounds:time_poll_close"
POLL_POST = "rounds:time_poll"
GONE = N_("This button no longer matches a group of this community's rounds.")


class FindTime:
    """The groups' date polls (a mixin of :class:`~bot.features.rounds.RoundsFeature`)."""

    async def _group_of(self, ctx: Context[Any], ref: object) -> tuple[RoundGroup, list[Member], Member]:
        """The group a button or form names, its members, and the actor, who must be one of them."""
        group = await ctx.owned(RoundGroup, ref, gone=GONE)
        members = await queries.group_members(ctx.session, group.id)
        actor = await ctx.member()
        if actor.id not in {m.id for m in members}:
            raise UserError(ctx._("Only the members of this group can find a time for it."))
        return group, members, actor

    @action(render_time.FIND_TIME, opens_form=True)
    async def find_time(self, ctx: Context[ButtonPressed]) -> None:
        group, _members, _actor = await self._group_of(ctx, ctx.event.ref)
        ctx.open_form(render_time.poll_form(ctx._, group.id))

    @form(render_time.POLL_FORM)
    async def time_suggested(self, ctx: Context[FormSubmitted]) -> None:
        _ = ctx._
        group, members, actor = await self._group_of(ctx, ctx.event.ref)
        zone = await ctx.timezone_for(actor)
        parsed, problems = parse_options(
            ctx.event.values.get("options") or "", now=ctx.now, timezone=zone, language=_.language
        )
        if problems:
            raise FormErrors({"options": "\n".join(describe_line(_, line, zone) for line in problems)})
        if not parsed:
            raise FormErrors({"options": _("Add at least one time, one per line.")})
        if len(parsed) > render_time.MAX_TIMES:
            raise FormErrors(
                {
                    "options": _(
                        "At most {max} times: there are {count}.",
                        max=render_time.MAX_TIMES,
                        count=len(parsed),
                    )
                }
            )
        conversation = await self._conversation(ctx, group)
        for earlier in await ctx.session.scalars(
            select(RoundPoll).where(RoundPoll.group_id == group.id, RoundPoll.status == "open")
        ):
            earlier.status = "replaced"  # a new suggestion replaces the one still open
            await ctx.cancel_timer(POLL_CLOSE, str(earlier.id))
            await ctx.replace_post(
                earlier.entry_id, Message(ctx.public(N_("These times were replaced by new ones below.")))
            )
        closes = min(ctx.now + POLL_OPEN, min(o.start for o in parsed))
        poll = RoundPoll(
            community_id=ctx.community.id,
            group_id=group.id,
            created_by=actor.external_id,
            created_at=ctx.now,
            closes_at=closes,
        )
        ctx.session.add(poll)
        await ctx.session.flush()
        options = [
            RoundPollOption(
                community_id=ctx.community.id,
                poll_id=poll.id,
                position=number,
                text=option.text[:200],
                starts_at=option.start,
                ends_at=option.end,
            )
            for number, option in enumerate(parsed, start=1)
        ]
        ctx.session.add_all(options)
        await ctx.session.flush()
        message = self._poll_message(ctx, poll, options, count([o.id for o in options], []), members)
        entry = ctx.post(conversation, message, origin=(POLL_POST, str(poll.id)))
        await ctx.session.flush()
        poll.entry_id = entry.id
        await ctx.set_timer(POLL_CLOSE, str(poll.id), closes)
        await ctx.reply_once_posted(
            entry, _("Your times are in the group's conversation: I'll set the best one.")
        )

    async def _conversation(self, ctx: Context[Any], group: RoundGroup) -> str:
        """The platform id of the group's conversation (known once its first message was delivered)."""
        entry = await ctx.session.get(OutboxEntry, group.entry_id) if group.entry_id else None
        found = (entry.result or {}).get("group") if entry is not None else None
        if not found:
            raise UserError(ctx._("The group's conversation isn't open yet: try again in a moment."))
        return str(found)

    def _poll_message(
        self,
        ctx: Context[Any],
        poll: RoundPoll,
        options: list[RoundPollOption],
        tally: Tally,
        members: list[Member],
    ) -> Message:
        return render_time.poll_message(
            ctx.public,
            author=poll.created_by,
            options=options,
            tally=tally,
            names={m.id: m.external_id for m in members},
            zone=ctx.settings.timezone,
            now=ctx.now,
            closes_at=poll.closes_at,
            open_=poll.status == "open",
        )

    async def _load(self, ctx: Context[Any], poll: RoundPoll) -> tuple[list[RoundPollOption], Tally]:
        options = list(
            (
                await ctx.session.scalars(
                    select(RoundPollOption)
                    .where(RoundPollOption.poll_id == poll.id)
                    .order_by(RoundPollOption.position)
                )
            ).all()
        )
        answers = await ctx.session.execute(
            select(RoundPollAnswer.option_id, RoundPollAnswer.member_id, RoundPollAnswer.choice)
            .where(RoundPollAnswer.poll_id == poll.id)
            .order_by(RoundPollAnswer.answered_at, RoundPollAnswer.id)
        )
        return options, count([o.id for o in options], [(o, m, c) for o, m, c in answers.all()])

    @action(render_time.POLL_VOTE)
    async def time_answered(self, ctx: Context[ButtonPressed]) -> None:
        raw_option, _dot, choice = (ctx.event.ref or "").partition(".")
        option = await ctx.owned(RoundPollOption, raw_option, gone=GONE)
        # Locked (``ctx.row``): a member answering another option of this poll waits, and sees this answer.
        poll = await ctx.row(RoundPoll, option.poll_id)
        if poll is None or choice not in CHOICES:
            raise UserError(ctx._(GONE))
        group, members, actor = await self._group_of(ctx, poll.group_id)
        if poll.status != "open":
            raise UserError(ctx._("This poll is closed: “Find a time” asks the group again."))
        answer = await ctx.session.scalar(
            select(RoundPollAnswer).where(
                RoundPollAnswer.option_id == option.id, RoundPollAnswer.member_id == actor.id
            )
        )
        if answer is None:
            answer = RoundPollAnswer(
                community_id=ctx.community.id, poll_id=poll.id, option_id=option.id, member_id=actor.id
            )
            ctx.session.add(answer)
        answer.choice, answer.answered_at = choice, ctx.now
        await ctx.session.flush()
        options, tally = await self._load(ctx, poll)
        if {m.id for m in members} <= tally.complete:
            await self._close(ctx, poll, group, options, tally, members)
        ctx.replace_pressed(self._poll_message(ctx, poll, options, tally, members))

    @timer(POLL_CLOSE)
    async def time_poll_due(self, ctx: Context[TimerFired]) -> None:
        poll = await ctx.row(RoundPoll, ctx.event.ref)
        if poll is None or poll.status != "open":
            return
        group = await ctx.session.get(RoundGroup, poll.group_id)
        if group is None:
            return
        members = await queries.group_members(ctx.session, group.id)
        options, tally = await self._load(ctx, poll)
        await self._close(ctx, poll, group, options, tally, members)
        await ctx.replace_post(poll.entry_id, self._poll_message(ctx, poll, options, tally, members))

    async def _close(
        self,
        ctx: Context[Any],
        poll: RoundPoll,
        group: RoundGroup,
        options: list[RoundPollOption],
        tally: Tally,
        members: list[Member],
    ) -> None:
        """Settle the poll: the best time still to come, posted with its .ics; or word that none works."""
        await ctx.cancel_timer(POLL_CLOSE, str(poll.id))
        chosen_id = rules.chosen_time(tally, [o.id for o in options if o.starts_at > ctx.now])
        poll.status, poll.chosen_option_id = "closed", chosen_id
        conversation = await self._conversation(ctx, group)
        if chosen_id is None:
            ctx.post(conversation, render_time.no_time(ctx.public, group.id))
            return
        chosen = next(o for o in options if o.id == chosen_id)
        round_ = await ctx.session.get(Round, group.round_id)
        title = ctx.public(
            N_("Round {number}: meeting of the group"), number=round_.number if round_ else "?"
        )
        ics = ics_attachment(
            uid=f"round-time-{poll.id}-{ctx.community.platform}-{ctx.community.external_id}@agora",
            title=title,
            start=chosen.starts_at,
            end=chosen.ends_at or chosen.starts_at + timedelta(hours=1),
            place="",
            description=", ".join(m.display_name or m.external_id for m in members),
            stamp=ctx.now,
        )
        ctx.post(
            conversation,
            render_time.time_set(ctx.public, chosen.starts_at, ctx.settings.timezone, group.id, ics),
        )

    @undelivered(POLL_POST)
    async def time_poll_unposted(self, ctx: Context[PostFailed]) -> None:
        """The poll could not be posted in the group's conversation: nobody can answer it, so it is dropped."""
        poll = await ctx.failed_row(RoundPoll, "entry_id")
        if poll is None:
            return
        poll.status = "failed"
        await ctx.cancel_timer(POLL_CLOSE, str(poll.id))
        ctx.reply(
            ctx._(
                "Your times could not be posted in the group's conversation, so there is no poll. Try again later."
            )
        )
