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

import dataclasses
from typing import Any

from sqlalchemy import select

from bot.chat import ScheduledEvent
from bot.content import load_bank
from bot.context import Context
from bot.errors import UserError
from bot.events import ButtonPressed, MemberLeft
from bot.features.meetings import render
from bot.features.meetings.events import (
    ENDED,
    GOING,
    MAYBE,
    MEETING_EVENT,
    MEETING_POST,
    NAMES_SHOWN,
    NOT_GOING,
    REMINDER,
    RSVP_ACTIONS,
    WAITLIST,
    MeetingDateChosen,
)
from bot.features.meetings.queries import (
    Roster,
    latest_ended_meeting,
    mission_draws,
    roster,
    zone_of,
)
from bot.features.meetings.render import (
    ics_attachment,
    meeting_uid,
    when_text,
    zone_footer,
)
from bot.features.meetings.rules import places_to_give, rsvp_status
from bot.i18n import N_, Translator
from bot.messages import Attachment, Button, Field, Message, untrusted
from bot.router import action, on
from storage.models import MeetingStatus, Member, PollChoice, RsvpStatus
from storage.tables.meetings import Meeting, PollAnswer, Rsvp

__all__ = ["MeetingHandlers", "community_name", "meeting_channel", "meeting_ics", "refresh_post"]


def community_name(ctx: Context[Any]) -> str:
    return ctx.settings.name or ctx.community.name or "Agora"


def meeting_ics(ctx: Context[Any], meeting: Meeting, *, cancelled: bool = False) -> Attachment:
    """The .ics file of ``meeting`` (its uid names the community, so calendars never mix two groups' meetings)."""
    return ics_attachment(
        uid=meeting_uid(meeting.id, ctx.community.platform, ctx.community.external_id),
        title=meeting.title,
        start=meeting.starts_at,
        end=meeting.ends_at,
        place=meeting.place,
        description=community_name(ctx),
        stamp=ctx.now,
        cancelled=cancelled,
        sequence=1 if cancelled else 0,
    )


async def refresh_post(ctx: Context[Any], post_entry_id: int | None, message: Message) -> int | None:
    """Replace what an earlier post says (a tally, a list), and return the update's entry id to remember.
    The outbox supersedes an earlier update still waiting (``ctx.replace_post``)."""
    entry = await ctx.replace_post(post_entry_id, message)
    return entry.id if entry is not None else None


def meeting_channel(ctx: Context[Any], fallback: str | None = None) -> str | None:
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
        if meeting.channel_id:
            message = await self._announcement(ctx, meeting, Roster())
            message = dataclasses.replace(message, ephemeral=False, attachments=(meeting_ics(ctx, meeting),))
            entry = ctx.post(meeting.channel_id, message, origin=(MEETING_POST, str(meeting.id)))
            await ctx.session.flush()
            meeting.announcement_entry_id = entry.id
        ctx.create_event(
            ScheduledEvent(
                name=meeting.title,
                start=meeting.starts_at,
                end=meeting.ends_at,
                location=meeting.place or community_name(ctx),
                description=ctx.public(
                    "Answer on the announcement so that the organisers know who is coming."
                ),
            ),
            origin=(MEETING_EVENT, str(meeting.id)),
        )
        for delay in ctx.settings.meetings.reminders:
            due = meeting.starts_at - delay
            if due > ctx.now:
                await ctx.set_timer(REMINDER, f"{meeting.id}:{int(delay.total_seconds() // 60)}", due)
        await ctx.set_timer(ENDED, str(meeting.id), meeting.ends_at)
        if event.poll_id is not None and event.option_id is not None:
            await self._tell_voters(ctx, meeting, event.poll_id, event.option_id)

    async def _tell_voters(self, ctx: Context[Any], meeting: Meeting, poll_id: int, option_id: int) -> None:
        """Everyone who answered the poll hears the date it fixed, with the RSVP buttons and the .ics."""
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
            suits = choices.get(member_id) in (PollChoice.YES, PollChoice.MAYBE)

            def date_set(_: Translator, zone: str = zone, suits: bool = suits) -> Message:
                when = when_text(_, meeting.starts_at, meeting.ends_at, zone)
                if suits:
                    text = _("It's one of the dates you said would work for you. Will you come?")
                else:
                    text = _("It isn't a date you could make, sorry. If your plans change, you're welcome!")
                return Message(
                    title=_("The date is set: {title}", title=untrusted(meeting.title)),
                    text=f"{when}\n{text}",
                    fields=(Field(_("Where"), untrusted(meeting.place)),) if meeting.place else (),
                    buttons=self._rsvp_buttons(_, meeting),
                    attachments=(ics,),
                    footer=zone_footer(_, zone),
                )

            await ctx.dm(member, date_set)

    def _rsvp_buttons(self, _: Translator, meeting: Meeting) -> tuple[Button, ...]:
        return render.rsvp_buttons(_, meeting.id)

    async def _announcement(self, ctx: Context[Any], meeting: Meeting, people: Roster) -> Message:
        return render.announcement(
            ctx.public,
            meeting,
            render.Answers(
                going=[m.external_id for m in people.going],
                waitlist=[m.external_id for m in people.waitlist],
                maybe=[m.external_id for m in people.maybe],
            ),
            await self._missions_in_progress(ctx, meeting),
            ctx.settings.timezone,
        )

    async def _missions_in_progress(self, ctx: Context[Any], meeting: Meeting) -> str:
        """The mission cards drawn at the meeting before this one: who is on what."""
        previous = await latest_ended_meeting(ctx, before=meeting.starts_at)
        if previous is None or previous.id == meeting.id:
            return ""
        cards = {item.id: item for item in load_bank("missions", ctx.settings.locale)}
        drawn = [
            (member.external_id, cards[draw.card_id])
            for draw, member in await mission_draws(ctx, previous)
            if draw.card_id in cards
        ]
        return render.missions_lines(drawn[:NAMES_SHOWN])

    async def _refresh(self, ctx: Context[Any], meeting: Meeting) -> None:
        message = await self._announcement(ctx, meeting, await roster(ctx, meeting))
        meeting.list_entry_id = await refresh_post(ctx, meeting.announcement_entry_id, message)

    # --- RSVP -----------------------------------------------------------------------------------------------------

    async def _meeting_from(self, ctx: Context[Any], ref: str) -> Meeting:
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
            raise UserError(
                _("“{title}” was cancelled: there is nothing to answer.", title=untrusted(meeting.title))
            )
        if meeting.ended_at is not None or meeting.ends_at <= ctx.now:
            raise UserError(_("“{title}” has already taken place.", title=untrusted(meeting.title)))
        member = await ctx.member()
        zone = await zone_of(ctx, member)
        people = await roster(ctx, meeting)
        current = people.status_of(member)
        when = when_text(_, meeting.starts_at, meeting.ends_at, zone)
        if wanted == GOING and current == GOING:
            ctx.reply(
                _(
                    "You're already on the list for “{title}”, {when}. See you there!",
                    title=untrusted(meeting.title),
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
                    title=untrusted(meeting.title),
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
                title=untrusted(meeting.title),
                when=when,
            )
        elif status == WAITLIST:
            reply = _(
                "“{title}” is full ({capacity} places). You're number {position} on the waiting list: I'll "
                "write to you as soon as a place opens.",
                title=untrusted(meeting.title),
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
        self, ctx: Context[Any], meeting: Meeting, member: Member, status: str, existing: Rsvp | None
    ) -> Rsvp:
        if existing is None:
            existing = Rsvp(
                community_id=ctx.community.id, meeting_id=meeting.id, member_id=member.id, status=status
            )
            ctx.session.add(existing)
        existing.status, existing.updated_at = RsvpStatus(status), ctx.now
        existing.waitlisted_at = ctx.now if status == WAITLIST else None
        await ctx.session.flush()
        return existing

    async def _promote(self, ctx: Context[Any], meeting: Meeting) -> list[Member]:
        """Give free places to the waiting list, in order, and tell each person promoted by direct message."""
        people = await roster(ctx, meeting)
        promoted = places_to_give(people.waitlist, len(people.going), meeting.capacity)
        for member in promoted:
            await self._set_rsvp(ctx, meeting, member, GOING, people.answers[member.id])
            zone = await zone_of(ctx, member)

            def place_opened(_: Translator, zone: str = zone) -> Message:
                return Message(
                    title=_("A place opened up: you're in!"),
                    text=_(
                        "A place opened up for “{title}”, {when}, and it's yours: you're on the list. See you "
                        "there! If you can't come after all, press the button so the next person gets it.",
                        title=untrusted(meeting.title),
                        when=when_text(_, meeting.starts_at, meeting.ends_at, zone),
                    ),
                    fields=(Field(_("Where"), untrusted(meeting.place)),) if meeting.place else (),
                    buttons=(
                        Button("meeting:not-going", _("Can't come"), ref=str(meeting.id), style="secondary"),
                    ),
                    attachments=(meeting_ics(ctx, meeting),),
                    footer=zone_footer(_, zone),
                )

            await ctx.dm(member, place_opened)
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
