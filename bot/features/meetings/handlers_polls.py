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
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.context import Context
from bot.durations import format_duration, parse_duration
from bot.errors import FormErrors, UserError
from bot.events import ButtonPressed, CommandInvoked, FormSubmitted, TimerFired
from bot.features.meetings.dates import DateProblem, LineProblem, parse_options, parse_when, slot_candidates
from bot.features.meetings.events import (
    BALLOT,
    DATE_CARD,
    MAX_PLACE,
    MAX_TITLE,
    MeetingDateChosen,
    MeetingEnded,
)
from bot.features.meetings.handlers_meetings import meeting_channel, refresh_post
from bot.features.meetings.queries import (
    counted_members,
    holds_card,
    open_poll,
    upcoming_meeting,
    wants_reminders,
    zone_of,
)
from bot.features.meetings.render import clock_time, long_time, names_text, short_time, zone_footer
from bot.features.meetings.tally import CHOICES, MAYBE, NO, YES, Tally, count
from bot.i18n import N_, Translator
from bot.messages import Button, Field, Form, FormField, Message, mention
from bot.router import Option, action, command, form, on, timer
from storage.models import MeetingPollStatus, Member
from storage.tables.meetings import Meeting, MeetingPoll, PollAnswer, PollOption

__all__ = ["MAX_OPTIONS", "PollHandlers", "describe_problem"]

POLL_FORM = "meeting_poll"
VOTE = "meeting:vote"  # ref "<option id>.<yes|maybe|no>"
NONE_SUIT = "meeting:none"  # ref: the poll's id
PICK = "meeting:pick"  # ref: the option's id (a tie broken by the organiser)
CLOSE = "meeting:poll-close"  # timer, ref: the poll's id
NUDGE = "meeting:poll-nudge"  # timer, ref: the poll's id
MAX_OPTIONS = 20
# Options per ballot message: three buttons each stays within Discord's 25 buttons per message.
PAGE = 8
SYMBOLS = {YES: "✅", MAYBE: "🤔", NO: "❌"}
_NO_LIMIT = ("none", "aucune", "aucun", "no limit", "illimité", "unlimited", "0")


def day_text(_: Translator, day: date, pattern: str) -> str:
    return _.datetime(datetime.combine(day, time(12), tzinfo=UTC), "UTC", pattern)


def describe_problem(_: Translator, problem: DateProblem, timezone: str) -> str:
    """Why a date line was refused, in the community's language."""
    details = problem.details
    if problem.code == "no_time":
        return _("It has no time. Add one, e.g. “18h30” or “6:30 pm”.")
    if problem.code == "no_date":
        return _("It has a time but no day. Add one, e.g. “jeudi 3 déc” or “next thursday”.")
    if problem.code == "several_times":
        return _("It has more than two times. Give a start time, or a range like “18h-20h”.")
    if problem.code == "ends_before_start":
        return _(
            "It ends ({end}) before it starts ({start}).",
            start=details["start"].strftime("%H:%M"),
            end=details["end"].strftime("%H:%M"),
        )
    if problem.code == "invalid_date":
        return _("That day doesn't exist in the calendar.")
    if problem.code == "ambiguous_order":
        pattern = _("d MMMM y")
        return _(
            "It could be {first} or {second}. Write the month in words, or the full date like {example}.",
            first=day_text(_, details["day_month"], pattern),
            second=day_text(_, details["month_day"], pattern),
            example=details["day_month"].isoformat(),
        )
    if problem.code == "weekday_mismatch":
        day: date = details["day"]
        typed = day + timedelta(days=details["weekday"] - day.weekday())
        pattern = _("d MMMM y")
        return _(
            "{date} is a {actual}, not a {typed}. Check the day or the date.",
            date=day_text(_, day, pattern),
            actual=day_text(_, day, "EEEE"),
            typed=day_text(_, typed, "EEEE"),
        )
    if problem.code == "nonexistent":
        return _(
            "{time} doesn't exist that night in {timezone}: the clocks go forward an hour. Choose another time.",
            time=details["local"].strftime("%H:%M"),
            timezone=timezone,
        )
    if problem.code == "repeated":
        return _(
            "{time} happens twice that night in {timezone}: the clocks go back an hour. Choose another time.",
            time=details["local"].strftime("%H:%M"),
            timezone=timezone,
        )
    if problem.code == "past":
        return _("It is in the past ({date}).", date=long_time(_, details["start"], timezone))
    if problem.code == "too_far":
        return _(
            "It is more than a year away ({date}): check the year.",
            date=long_time(_, details["start"], timezone),
        )
    if problem.code == "duplicate":
        return _("It is the same date as line {other}.", other=details["other"])
    return _(
        "I can't read a date in it. Examples: “mardi 1 déc 18h30”, “next thursday 6pm”, “2026-12-03 18:00”."
    )


def describe_line(_: Translator, line: LineProblem, timezone: str) -> str:
    return _(
        "Line {number} (“{text}”): {problem}",
        number=line.number,
        text=line.text,
        problem=describe_problem(_, line.problem, timezone),
    )


@dataclass(frozen=True)
class _NewOption:
    text: str
    start: datetime
    end: datetime | None


class PollHandlers:
    """Date polls: the form, the ballots, the live tally, the nudge, the close and the tie-break."""

    # --- opening a poll ----------------------------------------------------------------------------------------

    async def _may_organise(self, ctx: Context) -> Member:
        member = await ctx.member()
        if ctx.is_animator or await holds_card(ctx, member, DATE_CARD):
            return member
        raise UserError(
            ctx._(
                "Only the animators (or whoever drew the “fix the next date” card) can open a date poll. "
                "Suggest your dates to an animator: they'll be glad!"
            )
        )

    async def _no_open_poll(self, ctx: Context) -> None:
        poll = await open_poll(ctx)
        if poll is not None:
            raise UserError(
                ctx._(
                    "A poll is already open (“{title}”, until {deadline}). Close it first with /agora meeting close.",
                    title=poll.title,
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
    )
    async def poll(self, ctx: Context[CommandInvoked]) -> None:
        event = ctx.event
        _ = ctx._
        await self._may_organise(ctx)
        await self._no_open_poll(ctx)
        ref = ""
        closes_text = str(event.args.get("closes") or "").strip()
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

    def _closing_time(self, ctx: Context, text: str) -> datetime:
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
                        value=text,
                        problem=describe_problem(_, problem, ctx.settings.timezone),
                    )
                ) from None
        if delay <= timedelta():
            raise UserError(_("“{value}” is not a closing time I understand.", value=text))
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
                    "“{value}” is not a duration I understand. Examples: 2h, 1h30m, 90m.", value=raw_duration
                )
        capacity = ctx.settings.meetings.capacity
        raw_capacity = (values.get("capacity") or "").strip().lower()
        if raw_capacity in _NO_LIMIT:
            capacity = None
        elif raw_capacity:
            if raw_capacity.isdigit() and int(raw_capacity) > 0:
                capacity = int(raw_capacity)
            else:
                errors["capacity"] = _(
                    "“{value}” is not a number of places. Give a whole number, or leave it empty for no limit.",
                    value=raw_capacity,
                )
        parsed, problems = parse_options(
            values.get("options") or "", now=ctx.now, timezone=zone, language=_.language
        )
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
        if event.ref.isdigit():
            asked = datetime.fromtimestamp(int(event.ref), tz=UTC)
            closes = asked if asked > ctx.now else closes
        first = min(option.start for option in parsed)
        capped = closes > first
        closes = min(closes, first)
        poll = await self._create(
            ctx,
            title=title,
            place=place,
            duration=duration,
            capacity=capacity,
            options=[_NewOption(o.text, o.start, o.end) for o in parsed],
            closes=closes,
            channel=channel,
            created_by=member.external_id,
        )
        notes = [
            _(
                "Line {number} (“{text}”) is read day/month: {date}.",
                number=number,
                text=option.text,
                date=long_time(_, option.start, zone),
            )
            if option.read_as == "day_month"
            else _(
                "Line {number} (“{text}”) is read month/day: {date}.",
                number=number,
                text=option.text,
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
            text += " " + _("(It closes before the first date, so that the meeting can be announced.)")
        ctx.reply(
            Message(
                title=_("Poll opened: {title}", title=title), text="\n".join([text, *notes]), ephemeral=True
            )
        )

    async def _create(
        self,
        ctx: Context,
        *,
        title: str,
        place: str,
        duration: timedelta,
        capacity: int | None,
        options: list[_NewOption],
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
                text=option.text[:200],
                starts_at=option.start,
                ends_at=option.end,
            )
            for position, option in enumerate(sorted(options, key=lambda o: o.start), start=1)
        ]
        ctx.session.add_all(rows)
        await ctx.session.flush()
        entry = ctx.post(channel, self._poll_message(ctx, poll, rows, count([r.id for r in rows], [])))
        await ctx.session.flush()
        poll.post_entry_id = entry.id
        await ctx.set_timer(CLOSE, str(poll.id), closes)
        nudge = ctx.settings.meetings.nudge_after
        if nudge is not None and ctx.now + nudge < closes:
            await ctx.set_timer(NUDGE, str(poll.id), ctx.now + nudge)
        return poll

    # --- what members see ------------------------------------------------------------------------------------

    def _option_label(self, _: Translator, poll: MeetingPoll, option: PollOption, zone: str) -> str:
        label = f"{option.position}. {short_time(_, option.starts_at, zone)}"
        if option.ends_at is not None:
            label += f" – {clock_time(_, option.ends_at, zone)}"
        return label

    def _poll_message(
        self, ctx: Context, poll: MeetingPoll, options: list[PollOption], tally: Tally
    ) -> Message:
        _ = ctx._
        zone = ctx.settings.timezone
        fields = []
        for option in options:
            counts = tally.of(option.id)
            value = f"✅ {len(counts.yes)} · 🤔 {len(counts.maybe)} · ❌ {len(counts.no)}"
            if counts.yes:
                value += "\n✅ " + names_text(_, [str(m) for m in counts.yes])
            if counts.maybe:
                value += "\n🤔 " + names_text(_, [str(m) for m in counts.maybe])
            label = self._option_label(_, poll, option, zone)
            if poll.chosen_option_id == option.id:
                label = f"🏆 {label}"
            fields.append(Field(label, value))
        if poll.place:
            fields.append(Field(_("Where"), poll.place, inline=True))
        fields.append(
            Field(_("Duration"), format_duration(timedelta(minutes=poll.duration_minutes)), inline=True)
        )
        if poll.capacity:
            fields.append(Field(_("Places"), str(poll.capacity), inline=True))
        buttons: tuple[Button, ...] = ()
        if poll.status == MeetingPollStatus.OPEN:
            lines = [
                _(
                    "When shall we meet? Answer yes, if need be, or no for each date: the date that suits the "
                    "most members wins."
                ),
                _(
                    "The poll closes on {deadline}, or as soon as everyone has answered.",
                    deadline=long_time(_, poll.closes_at, zone),
                ),
            ]
            if poll.automatic:
                lines.append(
                    _("Opened right after the last meeting, so that the next date is fixed while it's fresh.")
                )
            text = "\n".join(lines)
            buttons = (Button(BALLOT, _("Answer"), ref=str(poll.id)),)
        elif poll.status == MeetingPollStatus.TIE:
            tied = [
                o
                for o in options
                if o.id in set(tally.best([o.id for o in options if o.starts_at > ctx.now]))
            ]
            if tally.voters:
                text = _(
                    "The poll is closed with a tie between dates {dates}: {organiser} chooses, and the meeting "
                    "is announced right after.",
                    dates=_.list([str(o.position) for o in tied]),
                    organiser=mention(poll.created_by),
                )
            else:
                text = _(
                    "The poll is closed and nobody answered: {organiser} chooses the date.",
                    organiser=mention(poll.created_by),
                )
        elif poll.chosen_option_id is not None:
            chosen = next(o for o in options if o.id == poll.chosen_option_id)
            text = _(
                "The poll is closed: the meeting will be on {when}. The announcement follows: answer it to "
                "get your place.",
                when=long_time(_, chosen.starts_at, zone),
            )
        else:
            text = _(
                "The poll is closed, but its dates have passed. An animator can open another one: /agora meeting poll."
            )
        return Message(
            title=poll.title, text=text, fields=tuple(fields), buttons=buttons, footer=zone_footer(_, zone)
        )

    def _ballot(
        self,
        ctx: Context,
        poll: MeetingPoll,
        options: list[PollOption],
        mine: dict[int, str],
        page: int,
        zone: str,
    ) -> Message:
        _ = ctx._
        pages = [options[i : i + PAGE] for i in range(0, len(options), PAGE)]
        chunk = pages[page]
        answers = {YES: _("✅ yes"), MAYBE: _("🤔 if need be"), NO: _("❌ no")}
        fields = tuple(
            Field(
                self._option_label(_, poll, option, zone),
                _("Your answer: {answer}", answer=answers[mine[option.id]])
                if option.id in mine
                else _("Not answered yet"),
            )
            for option in chunk
        )
        buttons = [
            Button(
                VOTE,
                f"{SYMBOLS[choice]} {option.position}",
                ref=f"{option.id}.{choice}",
                style="primary" if mine.get(option.id) == choice else "secondary",
            )
            for option in chunk
            for choice in CHOICES
        ]
        if page == len(pages) - 1:
            buttons.append(Button(NONE_SUIT, _("None of these dates"), ref=str(poll.id), style="danger"))
        title = _("Your answers: {title}", title=poll.title)
        if len(pages) > 1:
            title += f" ({page + 1}/{len(pages)})"
        answered = sum(1 for o in options if o.id in mine)
        return Message(
            title=title,
            text=_(
                "For each date: ✅ yes, 🤔 if need be, ❌ no. You can change your answers until {deadline}.",
                deadline=long_time(_, poll.closes_at, zone),
            ),
            fields=fields,
            buttons=tuple(buttons),
            footer=_("All answered, thank you! Your answers are in the tally.")
            if answered == len(options)
            else _(
                "{answered}/{total} dates answered. {zone}",
                answered=answered,
                total=len(options),
                zone=zone_footer(_, zone),
            ),
            ephemeral=True,
        )

    # --- answering ----------------------------------------------------------------------------------------------

    async def _load(self, ctx: Context, poll: MeetingPoll) -> tuple[list[PollOption], Tally]:
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
        return options, count([o.id for o in options], [tuple(row) for row in answers])

    async def _mine(self, ctx: Context, poll: MeetingPoll, member: Member) -> dict[int, str]:
        rows = await ctx.session.execute(
            select(PollAnswer.option_id, PollAnswer.choice).where(
                PollAnswer.poll_id == poll.id, PollAnswer.member_id == member.id
            )
        )
        return {option_id: choice for option_id, choice in rows.all()}

    async def _poll_from(self, ctx: Context, poll_id: int) -> MeetingPoll:
        return await ctx.owned(
            MeetingPoll, poll_id, gone=N_("This button no longer matches a poll. Try /agora meeting next.")
        )

    def _require_open(self, ctx: Context, poll: MeetingPoll) -> None:
        if poll.status != MeetingPollStatus.OPEN:
            raise UserError(
                ctx._(
                    "The poll “{title}” is closed: answers can't change any more. See /agora meeting next.",
                    title=poll.title,
                )
            )

    @action(BALLOT)
    async def ballot(self, ctx: Context[ButtonPressed]) -> None:
        event = ctx.event
        poll = await self._poll_from(ctx, int(event.ref) if event.ref.isdigit() else 0)
        self._require_open(ctx, poll)
        member = await ctx.member()
        options, _tally = await self._load(ctx, poll)
        mine = await self._mine(ctx, poll, member)
        zone = await zone_of(ctx, member)
        for page in range((len(options) + PAGE - 1) // PAGE):
            ctx.reply(self._ballot(ctx, poll, options, mine, page, zone))

    async def _record(self, ctx: Context, poll: MeetingPoll, member: Member, choices: dict[int, str]) -> None:
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
        option = await ctx.owned(
            PollOption, option_ref, gone=N_("This button no longer matches a poll. Try /agora meeting next.")
        )
        if choice not in CHOICES:
            raise UserError(ctx._("This button no longer matches a poll. Try /agora meeting next."))
        poll = await self._poll_from(ctx, option.poll_id)
        await self._answered(ctx, poll, {option.id: choice}, page_of=option.position)

    @action(NONE_SUIT)
    async def none_suit(self, ctx: Context[ButtonPressed]) -> None:
        event = ctx.event
        poll = await self._poll_from(ctx, int(event.ref) if event.ref.isdigit() else 0)
        options = (await ctx.session.scalars(select(PollOption).where(PollOption.poll_id == poll.id))).all()
        await self._answered(ctx, poll, {o.id: NO for o in options}, page_of=len(options))

    async def _answered(
        self, ctx: Context, poll: MeetingPoll, choices: dict[int, str], *, page_of: int
    ) -> None:
        self._require_open(ctx, poll)
        member = await ctx.member()
        await self._record(ctx, poll, member, choices)
        options, tally = await self._load(ctx, poll)
        mine = await self._mine(ctx, poll, member)
        zone = await zone_of(ctx, member)
        ctx.replace_pressed(self._ballot(ctx, poll, options, mine, (page_of - 1) // PAGE, zone))
        # Only an answer that completes this member's ballot can complete everyone's.
        counted = await counted_members(ctx) if member.external_id in tally.complete else []
        if counted and all(m.external_id in tally.complete for m in counted):
            ctx.reply(ctx._("Everyone has answered: the poll is closed. Thank you!"))
            await self._close(ctx, poll, options, tally)
            return
        poll.tally_entry_id = await refresh_post(
            ctx, poll.post_entry_id, self._poll_message(ctx, poll, options, tally)
        )

    # --- nudging, closing, deciding --------------------------------------------------------------------------

    @timer(NUDGE)
    async def nudge(self, ctx: Context[TimerFired]) -> None:
        event = ctx.event
        poll = await ctx.session.get(MeetingPoll, int(event.ref)) if event.ref.isdigit() else None
        if poll is None or poll.status != MeetingPollStatus.OPEN:
            return
        _ = ctx._
        options, tally = await self._load(ctx, poll)
        for member in await counted_members(ctx):
            if member.external_id in tally.complete or not await wants_reminders(ctx, member.id):
                continue
            zone = await zone_of(ctx, member)
            deadline = long_time(_, poll.closes_at, zone)
            missing = len(options) - sum(
                1
                for o in options
                if member.external_id in {*tally.of(o.id).yes, *tally.of(o.id).maybe, *tally.of(o.id).no}
            )
            ctx.dm(
                member.external_id,
                Message(
                    title=_("When can you come to “{title}”?", title=poll.title),
                    text=_.ngettext(
                        "The date poll closes on {deadline}, and {count} date still waits for your answer: it "
                        "takes a minute, and it helps choose a date that suits the most members.",
                        "The date poll closes on {deadline}, and {count} dates still wait for your answer: it "
                        "takes a minute, and it helps choose a date that suits the most members.",
                        missing,
                        deadline=deadline,
                    ),
                    buttons=(Button(BALLOT, _("Answer"), ref=str(poll.id)),),
                    footer=_(
                        "This is the only reminder for this poll. To stop them all: /agora meeting reminders off"
                    ),
                ),
            )

    @timer(CLOSE)
    async def deadline(self, ctx: Context[TimerFired]) -> None:
        event = ctx.event
        poll = await ctx.session.get(MeetingPoll, int(event.ref)) if event.ref.isdigit() else None
        if poll is None or poll.status != MeetingPollStatus.OPEN:
            return
        options, tally = await self._load(ctx, poll)
        await self._close(ctx, poll, options, tally)

    @command("meeting close", N_("Close the open date poll now"), animator_only=True)
    async def close_now(self, ctx: Context) -> None:
        _ = ctx._
        poll = await open_poll(ctx)
        if poll is None or poll.status != MeetingPollStatus.OPEN:
            raise UserError(_("No date poll is open."))
        options, tally = await self._load(ctx, poll)
        await self._close(ctx, poll, options, tally)
        ctx.reply(_("The poll “{title}” is closed.", title=poll.title))

    async def _close(self, ctx: Context, poll: MeetingPoll, options: list[PollOption], tally: Tally) -> None:
        """The best future date wins; a tie goes to the organiser; a poll whose dates all passed just ends."""
        await ctx.cancel_timer(CLOSE, str(poll.id))
        await ctx.cancel_timer(NUDGE, str(poll.id))
        poll.closed_at = ctx.now
        eligible = [o.id for o in options if o.starts_at > ctx.now]
        best = tally.best(eligible)
        _ = ctx._
        if len(best) == 1:
            await self._decide(ctx, poll, options, tally, next(o for o in options if o.id == best[0]))
            return
        poll.status = MeetingPollStatus.TIE if best else MeetingPollStatus.CLOSED
        poll.tally_entry_id = await refresh_post(
            ctx, poll.post_entry_id, self._poll_message(ctx, poll, options, tally)
        )
        if not best:
            ctx.dm(
                poll.created_by,
                Message(
                    title=_("The poll “{title}” ended without a date", title=poll.title),
                    text=_("All its dates have passed. Open another one with /agora meeting poll."),
                ),
            )
            return
        zone = ctx.settings.timezone
        tied = [o for o in options if o.id in best]
        ctx.dm(
            poll.created_by,
            Message(
                title=_("It's a tie: {title}", title=poll.title),
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
                        self._option_label(_, poll, o, zone),
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
            raise UserError(_("The date of “{title}” is already chosen.", title=poll.title))
        if option.starts_at <= ctx.now:
            raise UserError(_("That date has passed: choose another one."))
        options, tally = await self._load(ctx, poll)
        await self._decide(ctx, poll, options, tally, option)
        ctx.reply(
            _(
                "Done: “{title}” will be on {when}. The announcement is posted.",
                title=poll.title,
                when=long_time(_, option.starts_at, ctx.settings.timezone),
            )
        )

    async def _decide(
        self, ctx: Context, poll: MeetingPoll, options: list[PollOption], tally: Tally, option: PollOption
    ) -> None:
        poll.status, poll.chosen_option_id = MeetingPollStatus.CLOSED, option.id
        poll.tally_entry_id = await refresh_post(
            ctx, poll.post_entry_id, self._poll_message(ctx, poll, options, tally)
        )
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
        starts = slot_candidates(meeting.starts_at, zone, settings.cadence, after=ctx.now + timedelta(days=1))
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
            options=[_NewOption(short_time(_, start, zone), start, None) for start in starts],
            closes=min(ctx.now + settings.poll_duration, starts[0]),
            channel=channel,
            created_by=meeting.created_by,
            automatic=True,
        )
