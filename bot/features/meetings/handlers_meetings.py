"""Meetings: the date chosen by a poll becomes a meeting members can count on.

- The announcement (in the meetings channel) carries the date, the place, an .ics file for calendars, and
  the RSVP buttons: going, maybe, can't come. With a capacity, who answers "going" once it is full joins a
  waiting list, in order; when someone who was going cancels (or leaves the community), the first person
  waiting gets the place automatically and is told by direct message. The list of who is coming is on the
  announcement (kept up to date) and behind ``/agora meeting attendees``; animators export it as CSV.
- On Discord, the meeting is also a Scheduled Event (through the outbox).
- Reminders go to who is going, by direct message, 24 h and 1 h before (configurable); each says how to stop.
- At the end, the animator (or whoever drew the note-taking card last time) is asked for the recap and the
  materials, which are posted and kept; one reminder if they don't come within a day.
- The next date is fixed systematically: right after a meeting the poll feature opens the next poll, or this
  feature schedules the same slot one cadence later (``community.meetings.next_poll``), unless turned off.

Members choose the time zone their dates are shown in (``/agora meeting timezone``) and may turn reminders
off (``/agora meeting reminders off``). Shared helpers of the meeting modules (formatting, preferences,
live updates of a post) live here too.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from bot.chat import ScheduledEvent
from bot.content import load_bank
from bot.context import Context
from bot.errors import FormErrors, UserError
from bot.events import ButtonPressed, CommandInvoked, FormSubmitted, MemberLeft, TimerFired
from bot.features.meetings.dates import next_same_slot
from bot.features.meetings.events import (
    BALLOT,
    ENDED,
    GOING,
    MAYBE,
    NAMES_SHOWN,
    NOT_GOING,
    NOTES_CARD,
    RECAP,
    RECAP_FORM,
    RECAP_REMINDER,
    REMINDER,
    RSVP_ACTIONS,
    WAITLIST,
    MeetingDateChosen,
    MeetingEnded,
)
from bot.features.meetings.queries import (
    Roster,
    latest_ended_meeting,
    open_poll,
    preference,
    roster,
    upcoming_meeting,
    wants_reminders,
    zone_of,
)
from bot.features.meetings.render import (
    delay_text,
    display_name,
    format_duration_words,
    ics_attachment,
    long_time,
    names_text,
    when_text,
    zone_footer,
)
from bot.features.meetings.rules import places_to_give, rsvp_status
from bot.i18n import N_, Translator
from bot.messages import Attachment, Button, Field, Form, FormField, Message, mention
from bot.router import Option, action, command, form, on, timer
from storage.models import MeetingPollStatus, MeetingStatus, Member, PollChoice, Timer
from storage.tables.meetings import Meeting, MeetingPreference, MissionDraw, PollAnswer, Rsvp

__all__ = ["MeetingHandlers", "community_name", "meeting_channel", "meeting_ics", "refresh_post"]


def community_name(ctx: Context) -> str:
    return ctx.settings.name or ctx.community.name or "Agora"


def meeting_ics(ctx: Context, meeting: Meeting, *, cancelled: bool = False) -> Attachment:
    """The .ics file of ``meeting`` (its uid names the community, so calendars never mix two groups' meetings)."""
    return ics_attachment(
        uid=f"meeting-{meeting.id}-{ctx.community.platform}-{ctx.community.external_id}@agora",
        title=meeting.title,
        start=meeting.starts_at,
        end=meeting.ends_at,
        place=meeting.place,
        description=community_name(ctx),
        stamp=ctx.now,
        cancelled=cancelled,
        sequence=1 if cancelled else 0,
    )


async def refresh_post(ctx: Context, post_entry_id: int | None, message: Message) -> int | None:
    """Replace what an earlier post says (a tally, a list), and return the update's entry id to remember.
    The outbox supersedes an earlier update still waiting (``ctx.replace_post``)."""
    entry = await ctx.replace_post(post_entry_id, message)
    return entry.id if entry is not None else None


def meeting_channel(ctx: Context, fallback: str | None = None) -> str | None:
    """Where meetings are posted: the meetings channel (or announcements, welcome), else ``fallback``."""
    return ctx.settings.channel("meetings") or fallback


class MeetingHandlers:
    """Meetings: announcement with .ics, RSVP with capacity and waiting list, reminders, recap, next date
    (the handlers of :class:`bot.features.meetings.MeetingsFeature`)."""

    # --- a date is fixed: the meeting ----------------------------------------------------------------------

    @on(MeetingDateChosen)
    async def schedule(self, ctx: Context[MeetingDateChosen]) -> None:
        event = ctx.event
        meeting = Meeting(
            community_id=ctx.community.id,
            poll_id=event.poll_id,
            title=event.title,
            place=event.place,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            capacity=event.capacity,
            channel_id=meeting_channel(ctx, event.channel_id),
            created_by=event.created_by,
            created_at=ctx.now,
        )
        ctx.session.add(meeting)
        await ctx.session.flush()
        _ = ctx._
        if meeting.channel_id:
            message = await self._announcement(ctx, meeting, Roster())
            message = Message(
                title=message.title,
                text=message.text,
                fields=message.fields,
                buttons=message.buttons,
                footer=message.footer,
                attachments=(meeting_ics(ctx, meeting),),
            )
            entry = ctx.post(meeting.channel_id, message)
            await ctx.session.flush()
            meeting.announcement_entry_id = entry.id
        ctx.create_event(
            ScheduledEvent(
                name=meeting.title,
                start=meeting.starts_at,
                end=meeting.ends_at,
                location=meeting.place or community_name(ctx),
                description=_("Answer on the announcement so that the organisers know who is coming."),
            )
        )
        for delay in ctx.settings.meetings.reminders:
            due = meeting.starts_at - delay
            if due > ctx.now:
                await ctx.set_timer(REMINDER, f"{meeting.id}:{int(delay.total_seconds() // 60)}", due)
        await ctx.set_timer(ENDED, str(meeting.id), meeting.ends_at)
        if event.poll_id is not None and event.option_id is not None:
            await self._tell_voters(ctx, meeting, event.poll_id, event.option_id)

    async def _tell_voters(self, ctx: Context, meeting: Meeting, poll_id: int, option_id: int) -> None:
        """Everyone who answered the poll hears the date it fixed, with the RSVP buttons and the .ics."""
        _ = ctx._
        rows = (
            await ctx.session.execute(
                select(Member, PollAnswer.option_id, PollAnswer.choice)
                .join(PollAnswer, PollAnswer.member_id == Member.id)
                .where(PollAnswer.poll_id == poll_id, Member.left_at.is_(None))
                .order_by(Member.id)
            )
        ).all()
        choices: dict[int, str | None] = {}
        voters: dict[int, Member] = {}
        for member, answered_option, choice in rows:
            voters[member.id] = member
            if answered_option == option_id:
                choices[member.id] = choice
            else:
                choices.setdefault(member.id, None)
        ics = meeting_ics(ctx, meeting)
        for member_id, member in voters.items():
            zone = await zone_of(ctx, member)
            when = when_text(_, meeting.starts_at, meeting.ends_at, zone)
            if choices.get(member_id) in (PollChoice.YES, PollChoice.MAYBE):
                text = _("It's one of the dates you said would work for you. Will you come?")
            else:
                text = _("It isn't a date you could make, sorry. If your plans change, you're welcome!")
            ctx.dm(
                member.external_id,
                Message(
                    title=_("The date is set: {title}", title=meeting.title),
                    text=f"{when}\n{text}",
                    fields=(Field(_("Where"), meeting.place),) if meeting.place else (),
                    buttons=self._rsvp_buttons(_, meeting),
                    attachments=(ics,),
                    footer=zone_footer(_, zone),
                ),
            )

    def _rsvp_buttons(self, _: Translator, meeting: Meeting) -> tuple[Button, ...]:
        ref = str(meeting.id)
        return (
            Button("meeting:going", _("Going"), ref=ref, style="success"),
            Button("meeting:maybe", _("Maybe"), ref=ref, style="secondary"),
            Button("meeting:not-going", _("Can't come"), ref=ref, style="secondary"),
        )

    async def _announcement(self, ctx: Context, meeting: Meeting, people: Roster) -> Message:
        _ = ctx._
        zone = ctx.settings.timezone
        fields = [Field(_("When"), when_text(_, meeting.starts_at, meeting.ends_at, zone))]
        if meeting.place:
            fields.append(Field(_("Where"), meeting.place))
        if meeting.status == MeetingStatus.CANCELLED:
            return Message(
                title=_("Cancelled: {title}", title=meeting.title),
                text=_("This meeting is cancelled."),
                fields=tuple(fields),
                footer=zone_footer(_, zone),
            )
        going = (
            _("Going ({count}/{capacity})", count=len(people.going), capacity=meeting.capacity)
            if meeting.capacity
            else _("Going ({count})", count=len(people.going))
        )
        fields.append(Field(going, names_text(_, [m.external_id for m in people.going])))
        if people.waitlist:
            fields.append(
                Field(
                    _("Waiting list ({count})", count=len(people.waitlist)),
                    names_text(_, [m.external_id for m in people.waitlist]),
                )
            )
        if people.maybe:
            fields.append(
                Field(
                    _("Maybe ({count})", count=len(people.maybe)),
                    names_text(_, [m.external_id for m in people.maybe]),
                )
            )
        missions = await self._missions_in_progress(ctx, meeting)
        if missions:
            fields.append(Field(_("Missions since last time"), missions))
        if meeting.ended_at is not None:
            return Message(
                title=meeting.title,
                text=_("This meeting has taken place. Thank you to everyone who came!"),
                fields=tuple(fields),
                footer=zone_footer(_, zone),
            )
        text = _(
            "Will you come? Your answer puts your name on the list, so the organisers know who to expect."
        )
        if meeting.capacity:
            left = meeting.capacity - len(people.going)
            text += " " + (
                _.ngettext("{count} place left.", "{count} places left.", left)
                if left > 0
                else _("It is full: new answers join the waiting list, in order.")
            )
        return Message(
            title=meeting.title,
            text=text,
            fields=tuple(fields),
            buttons=self._rsvp_buttons(_, meeting),
            footer=zone_footer(_, zone) + " " + _("The .ics file adds it to your calendar."),
        )

    async def _missions_in_progress(self, ctx: Context, meeting: Meeting) -> str:
        """The mission cards drawn at the meeting before this one: who is on what."""
        previous = await latest_ended_meeting(ctx, before=meeting.starts_at)
        if previous is None or previous.id == meeting.id:
            return ""
        rows = (
            await ctx.session.execute(
                select(MissionDraw.card_id, Member)
                .join(Member, Member.id == MissionDraw.member_id)
                .where(MissionDraw.meeting_id == previous.id)
                .order_by(MissionDraw.drawn_at, MissionDraw.id)
            )
        ).all()
        if not rows:
            return ""
        cards = {item.id: item for item in load_bank("missions", ctx.settings.locale)}
        lines = [
            f"• {mention(member.external_id)} — {cards[card].text.split(':', 1)[0].strip()}"
            for card, member in rows
            if card in cards
        ]
        return "\n".join(lines[:NAMES_SHOWN])

    async def _refresh(self, ctx: Context, meeting: Meeting) -> None:
        message = await self._announcement(ctx, meeting, await roster(ctx, meeting))
        meeting.list_entry_id = await refresh_post(ctx, meeting.announcement_entry_id, message)

    # --- RSVP -----------------------------------------------------------------------------------------------------

    async def _meeting_from(self, ctx: Context, ref: str) -> Meeting:
        return await ctx.owned(
            Meeting, ref, gone=N_("This button no longer matches a meeting. Try /agora meeting next.")
        )

    @action("meeting:going")
    @action("meeting:maybe")
    @action("meeting:not-going")
    async def answer(self, ctx: Context[ButtonPressed]) -> None:
        event = ctx.event
        _ = ctx._
        meeting = await self._meeting_from(ctx, event.ref)
        wanted = RSVP_ACTIONS[event.action]
        if meeting.status == MeetingStatus.CANCELLED:
            raise UserError(_("“{title}” was cancelled: there is nothing to answer.", title=meeting.title))
        if meeting.ended_at is not None or meeting.ends_at <= ctx.now:
            raise UserError(_("“{title}” has already taken place.", title=meeting.title))
        member = await ctx.member()
        zone = await zone_of(ctx, member)
        people = await roster(ctx, meeting)
        current = people.status_of(member)
        when = when_text(_, meeting.starts_at, meeting.ends_at, zone)
        if wanted == GOING and current == GOING:
            ctx.reply(
                _(
                    "You're already on the list for “{title}”, {when}. See you there!",
                    title=meeting.title,
                    when=when,
                )
            )
            return
        if wanted == GOING and current == WAITLIST:
            ctx.reply(
                _(
                    "You're number {position} on the waiting list for “{title}”. I'll write to you as soon as "
                    "a place opens.",
                    position=people.position(member),
                    title=meeting.title,
                )
            )
            return
        status = rsvp_status(wanted, len(people.going), meeting.capacity)
        await self._set_rsvp(ctx, meeting, member, status, people.answers.get(member.id))
        promoted = await self._promote(ctx, meeting) if current == GOING else []
        people = await roster(ctx, meeting)
        await self._refresh(ctx, meeting)
        if status == GOING:
            reply = _(
                "You're on the list for “{title}”, {when}. See you there! If your plans change, press "
                "“Can't come” so that the organisers know.",
                title=meeting.title,
                when=when,
            )
        elif status == WAITLIST:
            reply = _(
                "“{title}” is full ({capacity} places). You're number {position} on the waiting list: I'll "
                "write to you as soon as a place opens.",
                title=meeting.title,
                capacity=meeting.capacity,
                position=people.position(member),
            )
        elif status == MAYBE:
            reply = _("Noted: maybe. Press “Going” once you know, so that your name is on the list.")
        else:
            reply = _(
                "Noted: you can't come this time. Thank you for saying so! The recap will be posted after."
            )
        if promoted:
            reply += " " + _.ngettext(
                "Your place went to the next person on the waiting list.",
                "Your places went to the next people on the waiting list.",
                len(promoted),
            )
        ctx.reply(reply)

    async def _set_rsvp(
        self, ctx: Context, meeting: Meeting, member: Member, status: str, existing: Rsvp | None
    ) -> Rsvp:
        if existing is None:
            existing = Rsvp(
                community_id=ctx.community.id, meeting_id=meeting.id, member_id=member.id, status=status
            )
            ctx.session.add(existing)
        existing.status, existing.updated_at = status, ctx.now
        existing.waitlisted_at = ctx.now if status == WAITLIST else None
        await ctx.session.flush()
        return existing

    async def _promote(self, ctx: Context, meeting: Meeting) -> list[Member]:
        """Give free places to the waiting list, in order, and tell each person promoted by direct message."""
        people = await roster(ctx, meeting)
        promoted = places_to_give(people.waitlist, len(people.going), meeting.capacity)
        _ = ctx._
        for member in promoted:
            await self._set_rsvp(ctx, meeting, member, GOING, people.answers[member.id])
            zone = await zone_of(ctx, member)
            ctx.dm(
                member.external_id,
                Message(
                    title=_("A place opened up: you're in!"),
                    text=_(
                        "A place opened up for “{title}”, {when}, and it's yours: you're on the list. See you "
                        "there! If you can't come after all, press the button so the next person gets it.",
                        title=meeting.title,
                        when=when_text(_, meeting.starts_at, meeting.ends_at, zone),
                    ),
                    fields=(Field(_("Where"), meeting.place),) if meeting.place else (),
                    buttons=(
                        Button("meeting:not-going", _("Can't come"), ref=str(meeting.id), style="secondary"),
                    ),
                    attachments=(meeting_ics(ctx, meeting),),
                    footer=zone_footer(_, zone),
                ),
            )
        return promoted

    @on(MemberLeft)
    async def free_places(self, ctx: Context[MemberLeft]) -> None:
        """Who leaves the community no longer holds a place: the waiting list moves up."""
        event = ctx.event
        member = await ctx.find_member(event.member.id)
        if member is None:
            return
        rows = (
            await ctx.session.execute(
                select(Rsvp, Meeting)
                .join(Meeting, Meeting.id == Rsvp.meeting_id)
                .where(
                    Rsvp.member_id == member.id,
                    Rsvp.status.in_((GOING, WAITLIST)),
                    Meeting.status == MeetingStatus.SCHEDULED,
                    Meeting.ended_at.is_(None),
                    Meeting.starts_at > ctx.now,
                )
            )
        ).all()
        for rsvp, meeting in rows:
            was_going = rsvp.status == GOING
            await self._set_rsvp(ctx, meeting, member, NOT_GOING, rsvp)
            if was_going:
                await self._promote(ctx, meeting)
            await self._refresh(ctx, meeting)

    # --- reminders --------------------------------------------------------------------------------------------

    @timer(REMINDER)
    async def remind(self, ctx: Context[TimerFired]) -> None:
        event = ctx.event
        meeting_ref, _sep, minutes = event.ref.partition(":")
        meeting = await ctx.session.get(Meeting, int(meeting_ref)) if meeting_ref.isdigit() else None
        if meeting is None or meeting.status != MeetingStatus.SCHEDULED or meeting.starts_at <= ctx.now:
            return
        _ = ctx._
        delay = meeting.starts_at - ctx.now if not minutes.isdigit() else timedelta(minutes=int(minutes))
        for member in (await roster(ctx, meeting)).going:
            if member.left_at is not None or not await wants_reminders(ctx, member.id):
                continue
            zone = await zone_of(ctx, member)
            ctx.dm(
                member.external_id,
                Message(
                    title=_("Reminder: {title}", title=meeting.title),
                    text=_(
                        "“{title}” starts in {delay}: {when}. You said you're coming; if that changed, press the "
                        "button so that the organisers know (and someone waiting gets your place).",
                        title=meeting.title,
                        delay=delay_text(_, delay),
                        when=when_text(_, meeting.starts_at, meeting.ends_at, zone),
                    ),
                    fields=(Field(_("Where"), meeting.place),) if meeting.place else (),
                    buttons=(
                        Button("meeting:not-going", _("Can't come"), ref=str(meeting.id), style="secondary"),
                    ),
                    footer=_("To stop meeting reminders: /agora meeting reminders off"),
                ),
            )

    # --- after the meeting: recap, next date --------------------------------------------------------------

    @timer(ENDED)
    async def ended(self, ctx: Context[TimerFired]) -> None:
        event = ctx.event
        meeting = await ctx.session.get(Meeting, int(event.ref)) if event.ref.isdigit() else None
        if meeting is None or meeting.status != MeetingStatus.SCHEDULED or meeting.ended_at is not None:
            return
        meeting.ended_at = ctx.now
        await self._refresh(ctx, meeting)
        owner = await self._recap_owner(ctx, meeting)
        self._ask_recap(ctx, meeting, owner, reminder=False)
        await ctx.set_timer(RECAP_REMINDER, str(meeting.id), ctx.now + ctx.settings.meetings.recap_within)
        await ctx.emit(MeetingEnded(community=ctx.community_ref, meeting_id=meeting.id))
        if ctx.settings.meetings.next_poll == "same_slot":
            await self._same_slot(ctx, meeting)

    async def _recap_owner(self, ctx: Context, meeting: Meeting) -> str:
        """Who is asked for the recap: whoever drew the note-taking card at the meeting before, else the organiser."""
        previous = await latest_ended_meeting(ctx, before=meeting.starts_at)
        if previous is not None and previous.id != meeting.id:
            note_taker = await ctx.session.scalar(
                select(Member)
                .join(MissionDraw, MissionDraw.member_id == Member.id)
                .where(
                    MissionDraw.meeting_id == previous.id,
                    MissionDraw.card_id == NOTES_CARD,
                    Member.left_at.is_(None),
                )
            )
            if note_taker is not None:
                return note_taker.external_id
        return meeting.created_by

    def _ask_recap(self, ctx: Context, meeting: Meeting, owner: str, *, reminder: bool) -> None:
        _ = ctx._
        if reminder:
            title = _("The recap of “{title}” is still waiting", title=meeting.title)
            text = _(
                "Members who couldn't come are counting on it, and the materials are most useful now. "
                "This is the only reminder."
            )
        else:
            title = _("How did “{title}” go?", title=meeting.title)
            text = _(
                "While it's fresh: share the recap and the materials (slides, links), and I'll post them for "
                "everyone, including those who couldn't come. A few lines are enough."
            )
        ctx.dm(
            owner,
            Message(
                title=title,
                text=text,
                buttons=(Button(RECAP, _("Write the recap"), ref=str(meeting.id)),),
                footer=None if reminder else _("If it hasn't come, I'll remind you once, tomorrow."),
            ),
        )

    @timer(RECAP_REMINDER)
    async def recap_reminder(self, ctx: Context[TimerFired]) -> None:
        event = ctx.event
        meeting = await ctx.session.get(Meeting, int(event.ref)) if event.ref.isdigit() else None
        if meeting is None or meeting.status != MeetingStatus.SCHEDULED or meeting.recap is not None:
            return
        self._ask_recap(ctx, meeting, await self._recap_owner(ctx, meeting), reminder=True)

    async def _may_write_recap(self, ctx: Context, meeting: Meeting) -> None:
        assert ctx.actor is not None
        if ctx.is_animator or ctx.actor.id in (meeting.created_by, await self._recap_owner(ctx, meeting)):
            return
        raise UserError(
            ctx._(
                "The recap is written by the organiser or the note-taker. Send yours to them, they'll be glad!"
            )
        )

    def _recap_form(self, ctx: Context, meeting: Meeting) -> Form:
        _ = ctx._
        return Form(
            id=RECAP_FORM,
            title=_("Recap of the meeting"),
            ref=str(meeting.id),
            submit_label=_("Post the recap"),
            fields=(
                FormField(
                    "recap",
                    _("What was said and decided"),
                    required=True,
                    multiline=True,
                    max_length=3000,
                    default=meeting.recap or "",
                ),
                FormField(
                    "materials",
                    _("Materials: slides, links, documents (optional)"),
                    multiline=True,
                    max_length=1000,
                    default=meeting.materials or "",
                ),
            ),
        )

    @action(RECAP)
    async def open_recap(self, ctx: Context[ButtonPressed]) -> None:
        event = ctx.event
        meeting = await self._meeting_from(ctx, event.ref)
        await self._may_write_recap(ctx, meeting)
        ctx.open_form(self._recap_form(ctx, meeting))

    @command("meeting recap", N_("Write the recap of the last meeting (organiser or note-taker)"))
    async def recap_command(self, ctx: Context) -> None:
        meeting = await latest_ended_meeting(ctx)
        if meeting is None:
            raise UserError(ctx._("No meeting has taken place yet: there is no recap to write."))
        await self._may_write_recap(ctx, meeting)
        ctx.open_form(self._recap_form(ctx, meeting))

    @form(RECAP_FORM)
    async def recap_submitted(self, ctx: Context[FormSubmitted]) -> None:
        event = ctx.event
        _ = ctx._
        if event.ref.isdigit():
            meeting = await self._meeting_from(ctx, event.ref)
        else:
            found = await latest_ended_meeting(ctx)
            if found is None:
                raise UserError(_("No meeting has taken place yet: there is no recap to write."))
            meeting = found
        await self._may_write_recap(ctx, meeting)
        recap = (event.values.get("recap") or "").strip()
        materials = (event.values.get("materials") or "").strip()
        if not recap:
            raise FormErrors({"recap": _("A few lines are enough, but the recap can't be empty.")})
        author = await ctx.member()
        first = meeting.recap is None
        meeting.recap, meeting.materials = recap, materials or None
        meeting.recap_by, meeting.recap_at = author.external_id, ctx.now
        await ctx.cancel_timer(RECAP_REMINDER, str(meeting.id))
        message = Message(
            title=_("Recap: {title}", title=meeting.title),
            text=recap,
            fields=(Field(_("Materials"), materials),) if materials else (),
            footer=_(
                "{date} · shared by {name}",
                date=long_time(_, meeting.starts_at, ctx.settings.timezone),
                name=display_name(author),
            ),
        )
        channel = meeting.channel_id or meeting_channel(ctx)
        if meeting.recap_entry_id is None and channel:
            entry = ctx.post(channel, message)
            await ctx.session.flush()
            meeting.recap_entry_id = entry.id
        elif meeting.recap_entry_id is not None:
            await ctx.replace_post(meeting.recap_entry_id, message)
        ctx.reply(
            _("Thank you! The recap is posted for everyone.")
            if first
            else _("Thank you! The recap is updated.")
        )

    async def _same_slot(self, ctx: Context, meeting: Meeting) -> None:
        """The next meeting at the same slot, one cadence later, unless one is already planned or polled."""
        if await upcoming_meeting(ctx) is not None or await open_poll(ctx) is not None:
            return
        settings = ctx.settings.meetings
        start = next_same_slot(meeting.starts_at, ctx.settings.timezone, settings.cadence)
        await ctx.emit(
            MeetingDateChosen(
                community=ctx.community_ref,
                title=meeting.title,
                place=meeting.place,
                starts_at=start,
                ends_at=start + (meeting.ends_at - meeting.starts_at),
                capacity=meeting.capacity,
                channel_id=meeting.channel_id,
                created_by=meeting.created_by,
            )
        )
        _ = ctx._
        cadence = (
            _("a month") if settings.cadence == "monthly" else format_duration_words(_, settings.cadence)
        )
        ctx.dm(
            meeting.created_by,
            Message(
                title=_("The next “{title}” is planned", title=meeting.title),
                text=_(
                    "Same slot, {cadence} later: {when}. It's announced, and members are answering. To change "
                    "it: /agora meeting cancel, then /agora meeting poll.",
                    cadence=cadence,
                    when=when_text(
                        _, start, start + (meeting.ends_at - meeting.starts_at), ctx.settings.timezone
                    ),
                ),
            ),
        )

    # --- commands ---------------------------------------------------------------------------------------------

    @command("meeting next", N_("The next meeting (or the open date poll), and your answer"))
    async def next(self, ctx: Context) -> None:
        _ = ctx._
        member = await ctx.member()
        zone = await zone_of(ctx, member)
        meeting = await upcoming_meeting(ctx)
        if meeting is not None:
            people = await roster(ctx, meeting)
            status = people.status_of(member)
            yours = {
                GOING: _("You're going."),
                MAYBE: _("You answered maybe."),
                NOT_GOING: _("You said you can't come."),
                WAITLIST: _(
                    "You're number {position} on the waiting list.", position=people.position(member)
                ),
                None: _("You haven't answered yet."),
            }[status]
            fields = [Field(_("When"), when_text(_, meeting.starts_at, meeting.ends_at, zone))]
            if meeting.place:
                fields.append(Field(_("Where"), meeting.place))
            count = (
                _("{count}/{capacity} going", count=len(people.going), capacity=meeting.capacity)
                if meeting.capacity
                else _("{count} going", count=len(people.going))
            )
            ctx.reply(
                Message(
                    title=meeting.title,
                    text=f"{yours} {count}.",
                    fields=tuple(fields),
                    buttons=self._rsvp_buttons(_, meeting),
                    footer=zone_footer(_, zone),
                    ephemeral=True,
                )
            )
            return
        poll = await open_poll(ctx)
        if poll is not None and poll.status == MeetingPollStatus.OPEN:
            ctx.reply(
                Message(
                    title=poll.title,
                    text=_(
                        "No date yet: the poll is open until {deadline}. Your answer helps choose it.",
                        deadline=long_time(_, poll.closes_at, zone),
                    ),
                    buttons=(Button(BALLOT, _("Answer"), ref=str(poll.id)),),
                    ephemeral=True,
                )
            )
            return
        text = _("No meeting is planned yet.")
        if ctx.is_animator:
            text += " " + _("Open a date poll with /agora meeting poll.")
        ctx.reply(text)

    async def _target(self, ctx: Context) -> Meeting:
        meeting = await upcoming_meeting(ctx)
        if meeting is None:
            raise UserError(ctx._("No meeting is planned yet."))
        return meeting

    @command("meeting attendees", N_("Who is coming to the next meeting"))
    async def attendees(self, ctx: Context) -> None:
        _ = ctx._
        meeting = await self._target(ctx)
        people = await roster(ctx, meeting)

        def listing(members: list[Member]) -> str:
            return "\n".join(f"{i}. {mention(m.external_id)}" for i, m in enumerate(members, start=1)) or "—"

        going = (
            _("Going ({count}/{capacity})", count=len(people.going), capacity=meeting.capacity)
            if meeting.capacity
            else _("Going ({count})", count=len(people.going))
        )
        fields = [Field(going, listing(people.going))]
        if people.waitlist:
            fields.append(
                Field(_("Waiting list ({count})", count=len(people.waitlist)), listing(people.waitlist))
            )
        if people.maybe:
            fields.append(Field(_("Maybe ({count})", count=len(people.maybe)), listing(people.maybe)))
        if people.not_going:
            fields.append(
                Field(_("Can't come ({count})", count=len(people.not_going)), listing(people.not_going))
            )
        member = await ctx.member()
        ctx.reply(
            Message(
                title=_("Who is coming: {title}", title=meeting.title),
                text=when_text(_, meeting.starts_at, meeting.ends_at, await zone_of(ctx, member)),
                fields=tuple(fields),
                ephemeral=True,
            )
        )

    @command(
        "meeting export", N_("Receive the list of who answered the next meeting, as CSV"), animator_only=True
    )
    async def export(self, ctx: Context) -> None:
        _ = ctx._
        meeting = await upcoming_meeting(ctx) or await latest_ended_meeting(ctx)
        if meeting is None:
            raise UserError(_("No meeting is planned yet."))
        people = await roster(ctx, meeting)
        labels = {
            GOING: _("going"),
            WAITLIST: _("waiting list"),
            MAYBE: _("maybe"),
            NOT_GOING: _("can't come"),
        }
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(
            [_("name"), _("member id"), _("answer"), _("waiting list position"), _("answered at")]
        )
        for status, members in (
            (GOING, people.going),
            (WAITLIST, people.waitlist),
            (MAYBE, people.maybe),
            (NOT_GOING, people.not_going),
        ):
            for position, member in enumerate(members, start=1):
                rsvp = people.answers[member.id]
                writer.writerow(
                    [
                        display_name(member),
                        member.external_id,
                        labels[status],
                        position if status == WAITLIST else "",
                        ctx._.datetime(rsvp.updated_at, ctx.settings.timezone, "yyyy-MM-dd HH:mm"),
                    ]
                )
        slug = re.sub(r"[^a-z0-9]+", "-", meeting.title.lower()).strip("-")[:40] or "meeting"
        day = meeting.starts_at.astimezone(ZoneInfo(ctx.settings.timezone)).date().isoformat()
        assert ctx.actor is not None
        ctx.dm(
            ctx.actor.id,
            Message(
                title=_("Attendees: {title}", title=meeting.title),
                text=_(
                    "{going} going, {waiting} waiting, {maybe} maybe, {absent} can't come. The list is attached.",
                    going=len(people.going),
                    waiting=len(people.waitlist),
                    maybe=len(people.maybe),
                    absent=len(people.not_going),
                ),
                attachments=(Attachment(f"{slug}-{day}.csv", buffer.getvalue(), "text/csv"),),
            ),
        )
        ctx.reply(_("I sent you the list as a CSV file, by direct message."))

    @command(
        "meeting cancel",
        N_("Cancel the next meeting and tell who answered"),
        options=[Option("reason", N_("Why, in a few words (optional)"), rest=True)],
        animator_only=True,
    )
    async def cancel(self, ctx: Context[CommandInvoked]) -> None:
        event = ctx.event
        _ = ctx._
        meeting = await self._target(ctx)
        reason = str(event.args.get("reason") or "").strip()
        people = await roster(ctx, meeting)
        meeting.status = MeetingStatus.CANCELLED
        refs = (
            await ctx.session.scalars(
                select(Timer.ref).where(
                    Timer.community_id == ctx.community.id,
                    Timer.kind == REMINDER,
                    Timer.ref.startswith(f"{meeting.id}:"),
                )
            )
        ).all()
        for ref in refs:
            await ctx.cancel_timer(REMINDER, ref)
        await ctx.cancel_timer(ENDED, str(meeting.id))
        await self._refresh(ctx, meeting)
        told = [m for m in people.going + people.waitlist + people.maybe if m.left_at is None]
        ics = meeting_ics(ctx, meeting, cancelled=True)
        for member in told:
            zone = await zone_of(ctx, member)
            text = _(
                "“{title}”, {when}, is cancelled. Sorry for the change of plans!",
                title=meeting.title,
                when=when_text(_, meeting.starts_at, meeting.ends_at, zone),
            )
            ctx.dm(
                member.external_id,
                Message(
                    title=_("Cancelled: {title}", title=meeting.title),
                    text=text,
                    fields=(Field(_("Why"), reason),) if reason else (),
                    attachments=(ics,),
                    footer=_("The attached file removes it from your calendar."),
                ),
            )
        ctx.reply(
            _.ngettext(
                "“{title}” is cancelled; I told the {count} member who had answered.",
                "“{title}” is cancelled; I told the {count} members who had answered.",
                len(told),
                title=meeting.title,
            )
            + " "
            + _("To fix another date: /agora meeting poll.")
        )

    @command(
        "meeting capacity",
        N_("Change how many places the next meeting has (a number, or none for no limit)"),
        options=[Option("places", N_("Number of places, or none"), required=True)],
        animator_only=True,
    )
    async def capacity(self, ctx: Context[CommandInvoked]) -> None:
        event = ctx.event
        _ = ctx._
        meeting = await self._target(ctx)
        raw = str(event.args.get("places", "")).strip().lower()
        if raw in ("none", "aucune", "aucun", "off", "unlimited", "illimité", "0"):
            places = None
        elif raw.isdigit() and int(raw) > 0:
            places = int(raw)
        else:
            raise UserError(
                _(
                    "“{value}” is not a number of places. Give a whole number, or none for no limit.",
                    value=raw,
                )
            )
        meeting.capacity = places
        promoted = await self._promote(ctx, meeting)
        await self._refresh(ctx, meeting)
        text = (
            _("“{title}” now has {places} places.", title=meeting.title, places=places)
            if places
            else _("“{title}” now has no limit on places.", title=meeting.title)
        )
        if promoted:
            text += " " + _.ngettext(
                "{count} member from the waiting list got a place and was told.",
                "{count} members from the waiting list got a place and were told.",
                len(promoted),
            )
        ctx.reply(text)

    @command(
        "meeting timezone",
        N_("Show the dates in your own time zone (e.g. America/Montreal), or reset"),
        options=[Option("zone", N_("Your time zone, e.g. America/Montreal, or reset"))],
    )
    async def timezone(self, ctx: Context[CommandInvoked]) -> None:
        event = ctx.event
        _ = ctx._
        member = await ctx.member()
        value = str(event.args.get("zone") or "").strip()
        found = await preference(ctx, member.id)
        if not value:
            ctx.reply(
                _("Your dates are shown in {timezone} time.", timezone=await zone_of(ctx, member))
                + " "
                + _("Change it with /agora meeting timezone zone=America/Montreal (or reset).")
            )
            return
        if value.lower() in ("reset", "none", "community", "aucun"):
            zone = None
        else:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise UserError(
                    _(
                        "“{value}” is not a time zone I know. Examples: Europe/Paris, Europe/Brussels, "
                        "America/Montreal, UTC.",
                        value=value,
                    )
                ) from None
            zone = value
        if found is None:
            found = MeetingPreference(community_id=ctx.community.id, member_id=member.id, reminders=True)
            ctx.session.add(found)
        found.timezone = zone
        ctx.reply(_("Your dates are shown in {timezone} time.", timezone=zone or ctx.settings.timezone))

    @command(
        "meeting reminders",
        N_("Turn your meeting reminders and poll nudges on or off"),
        options=[Option("state", N_("on or off"), required=True, choices=("on", "off"))],
    )
    async def reminders(self, ctx: Context[CommandInvoked]) -> None:
        event = ctx.event
        _ = ctx._
        member = await ctx.member()
        found = await preference(ctx, member.id)
        if found is None:
            found = MeetingPreference(community_id=ctx.community.id, member_id=member.id, reminders=True)
            ctx.session.add(found)
        found.reminders = event.args.get("state") == "on"
        ctx.reply(
            _("Meeting reminders are on: I'll remind you before the meetings you're going to.")
            if found.reminders
            else _(
                "Meeting reminders are off: no more reminders nor poll nudges. You still hear when a place "
                "opens for you or a meeting is cancelled. Turn them back on with /agora meeting reminders on."
            )
        )
