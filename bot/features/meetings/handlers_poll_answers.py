"""A date poll once open: ballots and answers, the nudge, the close at the deadline (or when everyone answered),
the tie the organiser breaks, and the next poll right after a meeting. Handlers of
:class:`bot.features.meetings.MeetingPollsFeature`."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any, cast

from sqlalchemy import literal, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.context import Context
from bot.errors import UserError
from bot.events import ButtonPressed, TimerFired
from bot.features.meetings.dates import slot_candidates
from bot.features.meetings.events import (
    BALLOT,
    NONE_SUIT,
    VOTE,
    MeetingDateChosen,
    MeetingEnded,
)
from bot.features.meetings.handlers_meetings import meeting_channel
from bot.features.meetings.handlers_polls import CLOSE, NUDGE, PICK, NewOption, PollHandlers
from bot.features.meetings.queries import (
    counted_members,
    open_poll,
    upcoming_meeting,
    wants_reminders,
    zone_of,
)
from bot.features.meetings.render import PAGE, long_time, option_label, short_time, zone_footer
from bot.features.meetings.tally import CHOICES, NO, Tally, count
from bot.i18n import N_, Translator
from bot.messages import Button, Field, Message, unmarked, untrusted
from bot.router import action, command, on, timer
from bot.settings.types import row_id
from storage.models import MeetingPollStatus, Member
from storage.tables.meetings import Meeting, MeetingPoll, MeetingPreference, PollAnswer, PollOption

__all__ = ["PollAnswerHandlers"]


class PollAnswerHandlers(PollHandlers):
    """Answering, nudging, closing and deciding a date poll."""

    # --- answering ----------------------------------------------------------------------------------------------

    async def _load(self, ctx: Context[Any], poll: MeetingPoll) -> tuple[list[PollOption], Tally]:
        options, tally, _mine = await self._load_for(ctx, poll, None)
        return options, tally

    async def _load_for(
        self, ctx: Context[Any], poll: MeetingPoll, member: Member | None
    ) -> tuple[list[PollOption], Tally, dict[int, str]]:
        """The options, the tally, and ``member``'s own answers taken from everyone's (no read of their own)."""
        options = list(
            (
                await ctx.session.scalars(
                    select(PollOption).where(PollOption.poll_id == poll.id).order_by(PollOption.position)
                )
            ).all()
        )
        answers = (
            await ctx.session.execute(
                select(PollAnswer.option_id, Member.external_id, PollAnswer.choice)
                .join(Member, Member.id == PollAnswer.member_id)
                .where(PollAnswer.poll_id == poll.id)
                .order_by(PollAnswer.answered_at, PollAnswer.id)
            )
        ).all()
        mine: dict[int, str] = {
            row[0]: row[2] for row in answers if member is not None and row[1] == member.external_id
        }
        return (
            options,
            count([o.id for o in options], [(row[0], row[1], str(row[2])) for row in answers]),
            mine,
        )

    async def _poll_from(self, ctx: Context[Any], poll_id: int) -> MeetingPoll:
        return await ctx.owned(
            MeetingPoll, poll_id, gone=N_("This button no longer matches a poll. Try /agora meeting next.")
        )

    def _require_open(self, ctx: Context[Any], poll: MeetingPoll) -> None:
        if poll.status != MeetingPollStatus.OPEN:
            raise UserError(
                ctx._(
                    "The poll “{title}” is closed: answers can't change any more. See /agora meeting next.",
                    title=untrusted(poll.title),
                )
            )

    @action(BALLOT)
    async def ballot(self, ctx: Context[ButtonPressed]) -> None:
        event = ctx.event
        poll = await self._poll_from(ctx, row_id(event.ref) or 0)
        self._require_open(ctx, poll)
        member = await ctx.member()
        options, _tally, mine = await self._load_for(ctx, poll, member)
        zone = await zone_of(ctx, member)
        for page in range((len(options) + PAGE - 1) // PAGE):
            ctx.reply(self._ballot(ctx, poll, options, mine, page, zone))

    async def _record(
        self, ctx: Context[Any], poll: MeetingPoll, member: Member, choices: dict[int, str]
    ) -> None:
        """Record answers, one row per member and option: an insert that becomes an update on a second answer
        (so even two processes answering for the same member at once keep exactly one row)."""
        dialect = ctx.session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        for option_id, choice in choices.items():
            statement = insert(PollAnswer).values(
                community_id=ctx.community.id,
                poll_id=poll.id,
                option_id=option_id,
                member_id=member.id,
                choice=choice,
                answered_at=ctx.now,
            )
            await ctx.session.execute(
                statement.on_conflict_do_update(
                    index_elements=["option_id", "member_id"],
                    set_={"choice": statement.excluded.choice, "answered_at": statement.excluded.answered_at},
                )
            )

    @action(VOTE)
    async def vote(self, ctx: Context[ButtonPressed]) -> None:
        event = ctx.event
        option_ref, _sep, choice = event.ref.partition(".")
        option_id = row_id(option_ref)
        if option_id is None or choice not in CHOICES:
            raise UserError(ctx._("This button no longer matches a poll. Try /agora meeting next."))
        member = await ctx.member()
        poll_id = await self._record_vote(ctx, option_id, member, choice)
        if poll_id is None:
            # Not recorded: say why (the option is gone, or its poll closed).
            option = await ctx.owned(
                PollOption,
                option_ref,
                gone=N_("This button no longer matches a poll. Try /agora meeting next."),
            )
            self._require_open(ctx, await self._poll_from(ctx, option.poll_id))
            raise UserError(ctx._("This button no longer matches a poll. Try /agora meeting next."))
        poll, options, tally, mine, zone = await self._state(ctx, poll_id, member)
        position = next((o.position for o in options if o.id == option_id), 1)
        await self._show(ctx, poll, options, tally, mine, zone, member, page_of=position)

    async def _record_vote(
        self, ctx: Context[Any], option_id: int, member: Member, choice: str
    ) -> int | None:
        """Record ``member``'s answer to the option ``option_id`` if it belongs to an open poll of this community,
        in one statement (an insert that becomes an update on a second answer, like ``_record``). The poll's id,
        or None when nothing was recorded."""
        dialect = ctx.session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        answers = PollAnswer.__table__.c
        source = (
            select(
                PollOption.community_id,
                PollOption.poll_id,
                PollOption.id,
                literal(member.id, answers.member_id.type),
                literal(choice, answers.choice.type),
                literal(ctx.now, answers.answered_at.type),
            )
            .join(MeetingPoll, MeetingPoll.id == PollOption.poll_id)
            .where(
                PollOption.id == option_id,
                PollOption.community_id == ctx.community.id,
                MeetingPoll.status == MeetingPollStatus.OPEN,
            )
        )
        statement = insert(PollAnswer).from_select(
            ["community_id", "poll_id", "option_id", "member_id", "choice", "answered_at"], source
        )
        upsert = statement.on_conflict_do_update(
            index_elements=["option_id", "member_id"],
            set_={"choice": statement.excluded.choice, "answered_at": statement.excluded.answered_at},
        ).returning(PollAnswer.poll_id)
        return cast("int | None", await ctx.session.scalar(upsert))

    async def _state(
        self, ctx: Context[Any], poll_id: int, member: Member
    ) -> tuple[MeetingPoll, list[PollOption], Tally, dict[int, str], str]:
        """The poll, its options, the tally, ``member``'s own answers and the time zone their dates are shown in,
        in one read."""
        chosen_zone = (
            select(MeetingPreference.timezone)
            .where(MeetingPreference.member_id == member.id)
            .scalar_subquery()
        )
        rows = (
            await ctx.session.execute(
                select(
                    MeetingPoll,
                    PollOption,
                    PollAnswer.id,
                    PollAnswer.answered_at,
                    PollAnswer.choice,
                    Member.external_id,
                    chosen_zone,
                )
                .join(PollOption, PollOption.poll_id == MeetingPoll.id)
                .outerjoin(PollAnswer, PollAnswer.option_id == PollOption.id)
                .outerjoin(Member, Member.id == PollAnswer.member_id)
                .where(MeetingPoll.id == poll_id, MeetingPoll.community_id == ctx.community.id)
                .order_by(PollOption.position)
            )
        ).all()
        if not rows:
            raise UserError(ctx._("This button no longer matches a poll. Try /agora meeting next."))
        poll, zone = rows[0][0], rows[0][6]
        options = list({row[1].id: row[1] for row in rows}.values())
        answered = sorted(
            (row for row in rows if row[2] is not None and row[5] is not None),
            key=lambda row: (row[3], row[2]),
        )
        tally = count([o.id for o in options], [(row[1].id, row[5], str(row[4])) for row in answered])
        mine = {row[1].id: str(row[4]) for row in answered if row[5] == member.external_id}
        return poll, options, tally, mine, zone or await ctx.timezone_for(member)

    @action(NONE_SUIT)
    async def none_suit(self, ctx: Context[ButtonPressed]) -> None:
        event = ctx.event
        poll = await self._poll_from(ctx, row_id(event.ref) or 0)
        options = (await ctx.session.scalars(select(PollOption).where(PollOption.poll_id == poll.id))).all()
        await self._answered(ctx, poll, {o.id: NO for o in options}, page_of=len(options))

    async def _answered(
        self, ctx: Context[Any], poll: MeetingPoll, choices: dict[int, str], *, page_of: int
    ) -> None:
        self._require_open(ctx, poll)
        member = await ctx.member()
        await self._record(ctx, poll, member, choices)
        poll, options, tally, mine, zone = await self._state(ctx, poll.id, member)
        await self._show(ctx, poll, options, tally, mine, zone, member, page_of=page_of)

    async def _show(
        self,
        ctx: Context[Any],
        poll: MeetingPoll,
        options: list[PollOption],
        tally: Tally,
        mine: dict[int, str],
        zone: str,
        member: Member,
        *,
        page_of: int,
    ) -> None:
        """After an answer: the member's ballot in place, then the poll closed if everyone answered, else its
        post's tally updated."""
        ctx.replace_pressed(self._ballot(ctx, poll, options, mine, (page_of - 1) // PAGE, zone))
        # Only an answer that completes this member's ballot can complete everyone's.
        counted = await counted_members(ctx) if member.external_id in tally.complete else []
        if counted and all(m.external_id in tally.complete for m in counted):
            ctx.reply(ctx._("Everyone has answered: the poll is closed. Thank you!"))
            await self._close(ctx, poll, options, tally)
            return
        await ctx.replace_post(poll.post_entry_id, self._poll_message(ctx, poll, options, tally))

    # --- nudging, closing, deciding --------------------------------------------------------------------------

    @timer(NUDGE)
    async def nudge(self, ctx: Context[TimerFired]) -> None:
        event = ctx.event
        poll = await ctx.row(MeetingPoll, event.ref)
        if poll is None or poll.status != MeetingPollStatus.OPEN:
            return
        options, tally = await self._load(ctx, poll)
        for member in await counted_members(ctx):
            if member.external_id in tally.complete or not await wants_reminders(ctx, member.id):
                continue
            zone = await zone_of(ctx, member)
            missing = len(options) - sum(
                1
                for o in options
                if member.external_id in {*tally.of(o.id).yes, *tally.of(o.id).maybe, *tally.of(o.id).no}
            )

            await ctx.dm(member, partial(_nudge, poll=poll, zone=zone, missing=missing))

    @timer(CLOSE)
    async def deadline(self, ctx: Context[TimerFired]) -> None:
        event = ctx.event
        poll = await ctx.row(MeetingPoll, event.ref)
        if poll is None or poll.status != MeetingPollStatus.OPEN:
            return
        options, tally = await self._load(ctx, poll)
        await self._close(ctx, poll, options, tally)

    @command("meeting close", N_("Close the open date poll now"), animator_only=True)
    async def close_now(self, ctx: Context[Any]) -> None:
        _ = ctx._
        poll = await open_poll(ctx)
        if poll is None or poll.status != MeetingPollStatus.OPEN:
            raise UserError(_("No date poll is open."))
        options, tally = await self._load(ctx, poll)
        await self._close(ctx, poll, options, tally)
        ctx.reply(_("The poll “{title}” is closed.", title=untrusted(poll.title)))

    async def _close(
        self, ctx: Context[Any], poll: MeetingPoll, options: list[PollOption], tally: Tally
    ) -> None:
        """The best future date wins; a tie goes to the organiser; a poll whose dates all passed just ends."""
        await ctx.cancel_timer(CLOSE, str(poll.id))
        await ctx.cancel_timer(NUDGE, str(poll.id))
        poll.closed_at = ctx.now
        eligible = [o.id for o in options if o.starts_at > ctx.now]
        best = tally.best(eligible)
        if len(best) == 1:
            await self._decide(ctx, poll, options, tally, next(o for o in options if o.id == best[0]))
            return
        poll.status = MeetingPollStatus.TIE if best else MeetingPollStatus.CLOSED
        await ctx.replace_post(poll.post_entry_id, self._poll_message(ctx, poll, options, tally))
        if not best:
            await ctx.dm(
                poll.created_by,
                lambda _: Message(
                    title=_("The poll “{title}” ended without a date", title=untrusted(poll.title)),
                    text=_("All its dates have passed. Open another one with /agora meeting poll."),
                ),
            )
            return
        zone = ctx.settings.timezone
        tied = [o for o in options if o.id in best]
        await ctx.dm(
            poll.created_by,
            lambda _: Message(
                title=_("It's a tie: {title}", title=untrusted(poll.title)),
                text=_(
                    "These dates got the same answers. Choose the one that suits you as the organiser: I'll "
                    "announce it right away."
                )
                if tally.voters
                else _(
                    "Nobody answered the poll. Choose a date yourself and I'll announce it right away, or open "
                    "another poll with /agora meeting poll."
                ),
                fields=tuple(
                    Field(
                        option_label(_, o, zone, ctx.now),
                        f"✅ {len(tally.of(o.id).yes)} · 🤔 {len(tally.of(o.id).maybe)} · ❌ {len(tally.of(o.id).no)}",
                    )
                    for o in tied
                ),
                buttons=tuple(
                    Button(PICK, _("Choose {number}", number=o.position), ref=str(o.id), style="primary")
                    for o in tied
                ),
                footer=zone_footer(_, zone),
            ),
        )

    @action(PICK)
    async def pick(self, ctx: Context[ButtonPressed]) -> None:
        event = ctx.event
        _ = ctx._
        option = await ctx.owned(
            PollOption, event.ref, gone=N_("This button no longer matches a poll. Try /agora meeting next.")
        )
        poll = await self._poll_from(ctx, option.poll_id)
        assert ctx.actor is not None
        if not ctx.is_animator and ctx.actor.id != poll.created_by:
            raise UserError(_("The organiser of the poll (or an animator) chooses between the tied dates."))
        if poll.status != MeetingPollStatus.TIE:
            raise UserError(_("The date of “{title}” is already chosen.", title=untrusted(poll.title)))
        if option.starts_at <= ctx.now:
            raise UserError(_("That date has passed: choose another one."))
        options, tally = await self._load(ctx, poll)
        await self._decide(ctx, poll, options, tally, option)
        ctx.reply(
            _(
                "Done: “{title}” will be on {when}. The announcement is posted.",
                title=untrusted(poll.title),
                when=long_time(_, option.starts_at, ctx.settings.timezone),
            )
        )

    async def _decide(
        self,
        ctx: Context[Any],
        poll: MeetingPoll,
        options: list[PollOption],
        tally: Tally,
        option: PollOption,
    ) -> None:
        poll.status, poll.chosen_option_id = MeetingPollStatus.CLOSED, option.id
        await ctx.replace_post(poll.post_entry_id, self._poll_message(ctx, poll, options, tally))
        await ctx.emit(
            MeetingDateChosen(
                community=ctx.community_ref,
                title=poll.title,
                place=poll.place,
                starts_at=option.starts_at,
                ends_at=option.ends_at or option.starts_at + timedelta(minutes=poll.duration_minutes),
                capacity=poll.capacity,
                channel_id=poll.channel_id,
                created_by=poll.created_by,
                poll_id=poll.id,
                option_id=option.id,
            )
        )

    # --- the next date, fixed systematically ---------------------------------------------------------------

    @on(MeetingEnded)
    async def next_poll(self, ctx: Context[MeetingEnded]) -> None:
        event = ctx.event
        settings = ctx.settings.meetings
        if settings.next_poll != "auto":
            return
        meeting = await ctx.session.get(Meeting, event.meeting_id)
        if meeting is None or await open_poll(ctx) is not None or await upcoming_meeting(ctx) is not None:
            return
        zone = ctx.settings.timezone
        # Members get a day at least to answer, and the poll closes lead_time before its first date.
        starts = slot_candidates(
            meeting.starts_at, zone, settings.cadence, after=ctx.now + timedelta(days=1) + settings.lead_time
        )
        channel = meeting.channel_id or meeting_channel(ctx)
        if not starts or channel is None:
            return
        _ = ctx._
        await self._create(
            ctx,
            title=meeting.title,
            place=meeting.place,
            duration=meeting.ends_at - meeting.starts_at,
            capacity=meeting.capacity,
            options=[
                NewOption(unmarked(short_time(_, start, zone, ctx.now)), start, None) for start in starts
            ],
            closes=min(ctx.now + settings.poll_duration, starts[0] - settings.lead_time),
            channel=channel,
            created_by=meeting.created_by,
            automatic=True,
        )


def _nudge(_: Translator, *, poll: MeetingPoll, zone: str, missing: int) -> Message:
    """The one reminder of a date poll, to a member who has dates left to answer, in their words."""
    # Formatted apart: a call taking ``_`` among ngettext's arguments would hide its plural from the extraction.
    deadline = long_time(_, poll.closes_at, zone)
    return Message(
        title=_("When can you come to “{title}”?", title=untrusted(poll.title)),
        text=_.ngettext(
            "The date poll closes on {deadline}, and {count} date still waits for your answer: it "
            "takes a minute, and it helps choose a date that suits the most members.",
            "The date poll closes on {deadline}, and {count} dates still wait for your answer: it "
            "takes a minute, and it helps choose a date that suits the most members.",
            missing,
            deadline=deadline,
        ),
        buttons=(Button(BALLOT, _("Answer"), ref=str(poll.id)),),
        footer=_("This is the only reminder for this poll. To stop them all: /agora meeting reminders off"),
    )
