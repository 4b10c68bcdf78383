"""After the date is fixed: reminders to who is going, the meeting's end, the recap (asked, reminded, posted), and
the same slot again when the next date is not polled. Handlers of :class:`bot.features.meetings.MeetingsFeature`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.context import Context
from bot.errors import FormErrors, UserError
from bot.events import ButtonPressed, FormSubmitted, TimerFired
from bot.features.meetings.dates import next_same_slot
from bot.features.meetings.events import (
    ENDED,
    MEETING_POST,
    NOTES_CARD,
    RECAP,
    RECAP_FORM,
    RECAP_REMINDER,
    REMINDER,
    MeetingDateChosen,
    MeetingEnded,
)
from bot.features.meetings.handlers_meetings import MeetingHandlers, meeting_channel
from bot.features.meetings.queries import (
    latest_ended_meeting,
    open_poll,
    roster,
    upcoming_meeting,
    wants_reminders,
    zone_of,
)
from bot.features.meetings.render import (
    delay_text,
    display_name,
    format_duration_words,
    long_time,
    when_text,
)
from bot.i18n import N_, Translator
from bot.messages import Button, Field, Form, FormField, Message, untrusted
from bot.router import action, command, form, timer
from bot.settings.types import row_id
from storage.models import MeetingStatus, Member
from storage.tables.meetings import Meeting, MissionDraw

__all__ = ["RecapHandlers"]


class RecapHandlers(MeetingHandlers):
    """Reminders, the end of a meeting, its recap and the same slot again."""

    # --- reminders --------------------------------------------------------------------------------------------

    @timer(REMINDER)
    async def remind(self, ctx: Context[TimerFired]) -> None:
        event = ctx.event
        meeting_ref, _sep, minutes = event.ref.partition(":")
        meeting = await ctx.row(Meeting, meeting_ref)
        if meeting is None or meeting.status != MeetingStatus.SCHEDULED or meeting.starts_at <= ctx.now:
            return
        delay = meeting.starts_at - ctx.now if not minutes.isdigit() else timedelta(minutes=int(minutes))
        for member in (await roster(ctx, meeting)).going:
            if member.left_at is not None or not await wants_reminders(ctx, member.id):
                continue
            zone = await zone_of(ctx, member)

            def reminder(_: Translator, zone: str = zone) -> Message:
                return Message(
                    title=_("Reminder: {title}", title=untrusted(meeting.title)),
                    text=_(
                        "“{title}” starts in {delay}: {when}. You said you're coming; if that changed, press the "
                        "button so that the organisers know (and someone waiting gets your place).",
                        title=untrusted(meeting.title),
                        delay=delay_text(_, delay),
                        when=when_text(_, meeting.starts_at, meeting.ends_at, zone),
                    ),
                    fields=(Field(_("Where"), untrusted(meeting.place)),) if meeting.place else (),
                    buttons=(
                        Button("meeting:not-going", _("Can't come"), ref=str(meeting.id), style="secondary"),
                    ),
                    footer=_("To stop meeting reminders: /agora meeting reminders off"),
                )

            await ctx.dm(member, reminder)

    # --- after the meeting: recap, next date --------------------------------------------------------------

    @timer(ENDED)
    async def ended(self, ctx: Context[TimerFired]) -> None:
        event = ctx.event
        meeting = await ctx.row(Meeting, event.ref)
        if meeting is None or meeting.status != MeetingStatus.SCHEDULED or meeting.ended_at is not None:
            return
        meeting.ended_at = ctx.now
        await self._refresh(ctx, meeting)
        owner = await self._recap_owner(ctx, meeting)
        await self._ask_recap(ctx, meeting, owner, reminder=False)
        await ctx.set_timer(RECAP_REMINDER, str(meeting.id), ctx.now + ctx.settings.meetings.recap_within)
        await ctx.emit(MeetingEnded(community=ctx.community_ref, meeting_id=meeting.id))
        if ctx.settings.meetings.next_poll == "same_slot":
            await self._same_slot(ctx, meeting)

    async def _recap_owner(self, ctx: Context[Any], meeting: Meeting) -> str:
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

    async def _ask_recap(self, ctx: Context[Any], meeting: Meeting, owner: str, *, reminder: bool) -> None:
        await ctx.dm(owner, lambda _: self._recap_request(_, meeting, reminder=reminder))

    @staticmethod
    def _recap_request(_: Translator, meeting: Meeting, *, reminder: bool) -> Message:
        """The direct message asking ``meeting``'s note-taker (or organiser) for its recap, in their words."""
        if reminder:
            title = _("The recap of “{title}” is still waiting", title=untrusted(meeting.title))
            text = _(
                "Members who couldn't come are counting on it, and the materials are most useful now. "
                "This is the only reminder."
            )
        else:
            title = _("How did “{title}” go?", title=untrusted(meeting.title))
            text = _(
                "While it's fresh: share the recap and the materials (slides, links), and I'll post them for "
                "everyone, including those who couldn't come. A few lines are enough."
            )
        return Message(
            title=title,
            text=text,
            buttons=(Button(RECAP, _("Write the recap"), ref=str(meeting.id)),),
            footer=None if reminder else _("If it hasn't come, I'll remind you once, tomorrow."),
        )

    @timer(RECAP_REMINDER)
    async def recap_reminder(self, ctx: Context[TimerFired]) -> None:
        event = ctx.event
        meeting = await ctx.row(Meeting, event.ref)
        if meeting is None or meeting.status != MeetingStatus.SCHEDULED or meeting.recap is not None:
            return
        await self._ask_recap(ctx, meeting, await self._recap_owner(ctx, meeting), reminder=True)

    async def _may_write_recap(self, ctx: Context[Any], meeting: Meeting) -> None:
        assert ctx.actor is not None
        if ctx.is_animator or ctx.actor.id in (meeting.created_by, await self._recap_owner(ctx, meeting)):
            return
        raise UserError(
            ctx._(
                "The recap is written by the organiser or the note-taker. Send yours to them, they'll be glad!"
            )
        )

    def _recap_form(self, ctx: Context[Any], meeting: Meeting) -> Form:
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

    @action(RECAP, opens_form=True)
    async def open_recap(self, ctx: Context[ButtonPressed]) -> None:
        event = ctx.event
        meeting = await self._meeting_from(ctx, event.ref)
        await self._may_write_recap(ctx, meeting)
        ctx.open_form(self._recap_form(ctx, meeting))

    @command(
        "meeting recap", N_("Write the recap of the last meeting (organiser or note-taker)"), opens_form=True
    )
    async def recap_command(self, ctx: Context[Any]) -> None:
        meeting = await latest_ended_meeting(ctx)
        if meeting is None:
            raise UserError(ctx._("No meeting has taken place yet: there is no recap to write."))
        await self._may_write_recap(ctx, meeting)
        ctx.open_form(self._recap_form(ctx, meeting))

    @form(RECAP_FORM)
    async def recap_submitted(self, ctx: Context[FormSubmitted]) -> None:
        event = ctx.event
        _ = ctx._
        if row_id(event.ref) is not None:
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
        public = ctx.public
        message = Message(
            title=public("Recap: {title}", title=untrusted(meeting.title)),
            text=untrusted(recap),
            fields=(Field(public("Materials"), untrusted(materials)),) if materials else (),
            footer=public(
                "{date} · shared by {name}",
                date=long_time(public, meeting.starts_at, ctx.settings.timezone),
                name=untrusted(display_name(author)),
            ),
        )
        channel = meeting.channel_id or meeting_channel(ctx)
        if meeting.recap_entry_id is None and channel:
            entry = ctx.post(channel, message, origin=(MEETING_POST, str(meeting.id)))
            await ctx.session.flush()
            meeting.recap_entry_id = entry.id
        elif meeting.recap_entry_id is not None:
            await ctx.replace_post(meeting.recap_entry_id, message)
        ctx.reply(
            _("Thank you! The recap is posted for everyone.")
            if first
            else _("Thank you! The recap is updated.")
        )

    async def _same_slot(self, ctx: Context[Any], meeting: Meeting) -> None:
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
        organiser = await ctx.find_member(meeting.created_by)
        zone = await zone_of(ctx, organiser)

        def planned(_: Translator) -> Message:
            cadence = (
                _("a month") if settings.cadence == "monthly" else format_duration_words(_, settings.cadence)
            )
            return Message(
                title=_("The next “{title}” is planned", title=untrusted(meeting.title)),
                text=_(
                    "Same slot, {cadence} later: {when}. It's announced, and members are answering. To change "
                    "it: /agora meeting cancel, then /agora meeting poll.",
                    cadence=cadence,
                    when=when_text(_, start, start + (meeting.ends_at - meeting.starts_at), zone),
                ),
            )

        await ctx.dm(organiser or meeting.created_by, planned)
