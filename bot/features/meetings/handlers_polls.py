"""Meeting polls: find the date that suits the most members (Rallly's model, in the chat).

- ``/agora meeting poll`` (animators, or whoever drew the "fix the next date" card) opens a form: the meeting's
  name, its dates typed the way people type them, one per line, in French or English ("mardi 1 déc 18h30",
  "next thursday 6pm", "2026-12-03 18:00", a range "18h-20h"), the place or link, the duration and the places.
  Dates are read in the community's time zone; a line that is unreadable, ambiguous, in the past or skipped by
  a daylight-saving change is refused, naming the line, and nothing is recorded until every line is right.
- The poll is posted in the meetings channel with a live tally. "Answer" opens each member's own ballot: for
  every date, yes, if need be, or no; answers change until the close.
- One nudge (configurable) to members who haven't answered, saying how to stop them.
- The poll closes at its deadline (even one that passed while the bot was stopped: once, at start), or as soon
  as every member has answered. The best date wins (most yes, then most if-need-be); a tie goes to the
  organiser, who picks with a button. The date becomes a meeting (``MeetingDateChosen``).
- Right after a meeting, the next poll opens by itself with dates around the community's cadence, so the next
  date is fixed while everyone is still there (``community.meetings.next_poll: auto``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.context import Context
from bot.durations import format_duration, parse_duration
from bot.errors import FormErrors, UserError
from bot.events import CommandInvoked, FormSubmitted
from bot.features.meetings import render
from bot.features.meetings.dates import DateProblem, LineProblem, parse_options, parse_when
from bot.features.meetings.events import (
    DATE_CARD,
    MAX_PLACE,
    MAX_TITLE,
    POLL_POST,
)
from bot.features.meetings.handlers_meetings import meeting_channel
from bot.features.meetings.queries import (
    holds_card,
    open_poll,
)
from bot.features.meetings.render import (
    delay_text,
    describe_line,
    describe_problem,
    long_time,
)
from bot.features.meetings.rules import means_no_limit
from bot.features.meetings.tally import Tally, count
from bot.i18n import N_
from bot.messages import Form, FormField, Message, unmarked, untrusted
from bot.router import Option, command, form
from bot.settings.types import excerpt, whole_number
from storage.models import MeetingPollStatus, Member, OutboxEntry
from storage.tables.meetings import MeetingPoll, PollOption

__all__ = ["MAX_OPTIONS", "NewOption", "PollHandlers"]

POLL_FORM = "meeting_poll"
PICK = "meeting:pick"  # ref: the option's id (a tie broken by the organiser)
CLOSE = "meeting:poll-close"  # timer, ref: the poll's id
NUDGE = "meeting:poll-nudge"  # timer, ref: the poll's id
MAX_OPTIONS = 20


@dataclass(frozen=True)
class NewOption:
    text: str
    start: datetime
    end: datetime | None


class PollHandlers:
    """Date polls: the form, the ballots, the live tally, the nudge, the close and the tie-break."""

    # --- opening a poll ----------------------------------------------------------------------------------------

    async def _may_organise(self, ctx: Context[Any]) -> Member:
        member = await ctx.member()
        if ctx.is_animator or await holds_card(ctx, member, DATE_CARD):
            return member
        raise UserError(
            ctx._(
                "Only the animators (or whoever drew the “fix the next date” card) can open a date poll. "
                "Suggest your dates to an animator: they'll be glad!"
            )
        )

    async def _no_open_poll(self, ctx: Context[Any]) -> None:
        poll = await open_poll(ctx)
        if poll is not None:
            raise UserError(
                ctx._(
                    "A poll is already open (“{title}”, until {deadline}). Close it first with /agora meeting close.",
                    title=untrusted(poll.title),
                    deadline=long_time(ctx._, poll.closes_at, ctx.settings.timezone),
                )
            )

    @command(
        "meeting poll",
        N_(
            "Open a date poll for the next meeting (animators, or whoever holds the “fix the next date” card)"
        ),
        options=[
            Option("closes", N_("When the poll closes: a delay (2d) or a date (friday 6pm)"), rest=True)
        ],
        opens_form=True,
    )
    async def poll(self, ctx: Context[CommandInvoked], closes: str = "") -> None:
        _ = ctx._
        await self._may_organise(ctx)
        await self._no_open_poll(ctx)
        ref = ""
        closes_text = closes.strip()
        if closes_text:
            ref = str(int(self._closing_time(ctx, closes_text).timestamp()))
        settings = ctx.settings.meetings
        ctx.open_form(
            Form(
                id=POLL_FORM,
                title=_("New date poll"),
                ref=ref,
                submit_label=_("Open the poll"),
                fields=(
                    FormField("title", _("What is the meeting?"), required=True, max_length=MAX_TITLE),
                    FormField(
                        "options",
                        _("Dates, one per line"),
                        required=True,
                        multiline=True,
                        max_length=2000,
                        placeholder=_("mardi 1 déc 18h30\nnext thursday 6pm\n2026-12-10 12:30"),
                    ),
                    FormField("place", _("Place or link"), max_length=MAX_PLACE),
                    FormField(
                        "duration", _("Duration"), default=format_duration(settings.duration), max_length=20
                    ),
                    FormField(
                        "capacity",
                        _("Places (empty: no limit)"),
                        default=str(settings.capacity) if settings.capacity else "",
                        max_length=6,
                    ),
                ),
            )
        )

    def _closing_time(self, ctx: Context[Any], text: str) -> datetime:
        """``closes=2d`` (a delay from now) or ``closes="friday 6pm"`` (a date)."""
        _ = ctx._
        try:
            delay = parse_duration(text)
        except ValueError:
            try:
                return parse_when(
                    text, now=ctx.now, timezone=ctx.settings.timezone, language=_.language
                ).start
            except DateProblem as problem:
                raise UserError(
                    _(
                        "“{value}” is not a closing time I understand: {problem}",
                        value=untrusted(excerpt(text)),
                        problem=describe_problem(_, problem, ctx.settings.timezone),
                    )
                ) from None
        if delay <= timedelta():
            raise UserError(
                _("“{value}” is not a closing time I understand.", value=untrusted(excerpt(text)))
            )
        return ctx.now + delay

    @form(POLL_FORM)
    async def submitted(self, ctx: Context[FormSubmitted]) -> None:
        event = ctx.event
        _ = ctx._
        member = await self._may_organise(ctx)
        await self._no_open_poll(ctx)
        zone = ctx.settings.timezone
        values = event.values
        errors: dict[str, str] = {}
        title = " ".join((values.get("title") or "").split())
        if not title:
            errors["title"] = _("Give the meeting a name, e.g. “Monthly meetup”.")
        elif len(title) > MAX_TITLE:
            errors["title"] = _("The name is too long: {max} characters at most.", max=MAX_TITLE)
        place = " ".join((values.get("place") or "").split())
        if len(place) > MAX_PLACE:
            errors["place"] = _("The place is too long: {max} characters at most.", max=MAX_PLACE)
        duration = ctx.settings.meetings.duration
        raw_duration = (values.get("duration") or "").strip()
        if raw_duration:
            try:
                duration = parse_duration(raw_duration)
            except ValueError:
                duration = timedelta()
            if not timedelta(minutes=5) <= duration <= timedelta(hours=24):
                errors["duration"] = _(
                    "“{value}” is not a duration I understand. Examples: 2h, 1h30m, 90m.",
                    value=untrusted(excerpt(raw_duration)),
                )
        capacity = ctx.settings.meetings.capacity
        raw_capacity = (values.get("capacity") or "").strip().lower()
        if raw_capacity and means_no_limit(raw_capacity):
            capacity = None
        elif raw_capacity:
            if (number := whole_number(raw_capacity)) is not None and number > 0:
                capacity = number
            else:
                errors["capacity"] = _(
                    "“{value}” is not a number of places. Give a whole number, or leave it empty for no limit.",
                    value=untrusted(excerpt(raw_capacity)),
                )
        parsed, problems = parse_options(
            values.get("options") or "", now=ctx.now, timezone=zone, language=_.language
        )
        lead = ctx.settings.meetings.lead_time
        if not problems:
            # The poll closes at least ``lead`` before its first date, and not before now.
            earliest = ctx.now + lead
            problems = [
                LineProblem(number, option.text, DateProblem("too_soon", earliest=earliest, lead=lead))
                for number, option in enumerate(parsed, start=1)
                if option.start < earliest
            ]
        if problems:
            errors["options"] = "\n".join(describe_line(_, line, zone) for line in problems)
        elif not parsed:
            errors["options"] = _("Add at least one date, one per line.")
        elif len(parsed) > MAX_OPTIONS:
            errors["options"] = _(
                "At most {max} dates per poll: there are {count}. Keep the likeliest ones.",
                max=MAX_OPTIONS,
                count=len(parsed),
            )
        if errors:
            raise FormErrors(errors)
        channel = meeting_channel(ctx, event.channel.id if event.channel else None)
        if channel is None:
            raise UserError(
                _(
                    "There is no channel for meetings yet. An animator can set one: /agora setup meetings_channel=#…"
                )
            )
        closes = ctx.now + ctx.settings.meetings.poll_duration
        if (stamp := whole_number(event.ref)) is not None:
            asked = datetime.fromtimestamp(stamp, tz=UTC)
            closes = asked if asked > ctx.now else closes
        latest = min(option.start for option in parsed) - lead
        capped = closes > latest
        closes = min(closes, latest)
        poll = await self._create(
            ctx,
            title=title,
            place=place,
            duration=duration,
            capacity=capacity,
            options=[NewOption(o.text, o.start, o.end) for o in parsed],
            closes=closes,
            channel=channel,
            created_by=member.external_id,
        )
        notes = [
            _(
                "Line {number} (“{text}”) is read day/month: {date}.",
                number=number,
                text=untrusted(option.text),
                date=long_time(_, option.start, zone),
            )
            if option.read_as == "day_month"
            else _(
                "Line {number} (“{text}”) is read month/day: {date}.",
                number=number,
                text=untrusted(option.text),
                date=long_time(_, option.start, zone),
            )
            for number, option in enumerate(parsed, start=1)
            if option.read_as
        ]
        deadline = long_time(_, poll.closes_at, zone)  # outside the call: Babel's extractor needs it so
        text = _.ngettext(
            "The poll is posted with {count} date. It closes on {deadline}, or as soon as everyone has answered.",
            "The poll is posted with {count} dates. It closes on {deadline}, or as soon as everyone has answered.",
            len(parsed),
            deadline=deadline,
        )
        if capped:
            text += " " + _(
                "(It closes {lead} before the first date, so that the meeting can be announced.)",
                lead=delay_text(_, lead),
            )
        await ctx.reply_once_posted(
            await ctx.session.get(OutboxEntry, poll.post_entry_id),
            Message(
                title=_("Poll opened: {title}", title=untrusted(title)),
                text="\n".join([text, *notes]),
                ephemeral=True,
            ),
        )

    async def _create(
        self,
        ctx: Context[Any],
        *,
        title: str,
        place: str,
        duration: timedelta,
        capacity: int | None,
        options: list[NewOption],
        closes: datetime,
        channel: str,
        created_by: str,
        automatic: bool = False,
    ) -> MeetingPoll:
        poll = MeetingPoll(
            community_id=ctx.community.id,
            title=title,
            place=place,
            duration_minutes=int(duration.total_seconds() // 60),
            capacity=capacity,
            channel_id=channel,
            created_by=created_by,
            created_at=ctx.now,
            closes_at=closes,
            status=MeetingPollStatus.OPEN,
            automatic=automatic,
        )
        ctx.session.add(poll)
        await ctx.session.flush()
        rows = [
            PollOption(
                community_id=ctx.community.id,
                poll_id=poll.id,
                position=position,
                text=unmarked(option.text)[:200],
                starts_at=option.start,
                ends_at=option.end,
            )
            for position, option in enumerate(sorted(options, key=lambda o: o.start), start=1)
        ]
        ctx.session.add_all(rows)
        await ctx.session.flush()
        entry = ctx.post(
            channel,
            self._poll_message(ctx, poll, rows, count([r.id for r in rows], [])),
            origin=(POLL_POST, str(poll.id)),
        )
        await ctx.session.flush()
        poll.post_entry_id = entry.id
        await ctx.set_timer(CLOSE, str(poll.id), closes)
        nudge = ctx.settings.meetings.nudge_after
        if nudge is not None and ctx.now + nudge < closes:
            await ctx.set_timer(NUDGE, str(poll.id), ctx.now + nudge)
        return poll

    # --- what members see ------------------------------------------------------------------------------------

    # Thin: the messages are render's (render.poll_message, render.ballot); kept as methods for their callers.

    def _option_label(self, ctx: Context[Any], option: PollOption) -> str:
        return render.option_label(ctx._, option, ctx.settings.timezone, ctx.now)

    def _poll_message(
        self, ctx: Context[Any], poll: MeetingPoll, options: list[PollOption], tally: Tally
    ) -> Message:
        return render.poll_message(ctx.public, poll, options, tally, ctx.settings.timezone, ctx.now)

    def _ballot(
        self,
        ctx: Context[Any],
        poll: MeetingPoll,
        options: list[PollOption],
        mine: dict[int, str],
        page: int,
        zone: str,
    ) -> Message:
        return render.ballot(ctx._, poll, options, mine, page, zone, ctx.now)
