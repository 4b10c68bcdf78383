"""The meeting commands: the next meeting, who comes (and the CSV export), cancelling, places, and each member's
own time zone and reminders. Handlers of :class:`bot.features.meetings.MeetingsFeature`."""

from __future__ import annotations

import csv
import io
import re
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.chat import Capability
from bot.context import Context
from bot.errors import UserError
from bot.events import CommandInvoked
from bot.features.meetings.events import (
    BALLOT,
    ENDED,
    GOING,
    MAYBE,
    MEETING_EVENT,
    NOT_GOING,
    REMINDER,
    WAITLIST,
)
from bot.features.meetings.handlers_meetings import MeetingHandlers, meeting_ics
from bot.features.meetings.queries import (
    latest_ended_meeting,
    open_poll,
    preference,
    roster,
    upcoming_meeting,
    zone_of,
)
from bot.features.meetings.render import (
    display_name,
    long_time,
    when_text,
    zone_footer,
)
from bot.features.meetings.rules import means_no_limit
from bot.i18n import N_, Translator
from bot.messages import Attachment, Button, Field, Message, mention, untrusted
from bot.router import Option, command
from bot.settings.types import excerpt, is_off, time_zone, whole_number
from storage.models import MeetingPollStatus, MeetingStatus, Member, Timer
from storage.tables.meetings import Meeting, MeetingPreference

__all__ = ["MeetingCommands"]


class MeetingCommands(MeetingHandlers):
    """``/agora meeting next|attendees|export|cancel|capacity|timezone|reminders``."""

    # --- commands ---------------------------------------------------------------------------------------------

    @command("meeting next", N_("The next meeting (or the open date poll), and your answer"))
    async def next(self, ctx: Context[Any]) -> None:
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
                fields.append(Field(_("Where"), untrusted(meeting.place)))
            count = (
                _("{count}/{capacity} going", count=len(people.going), capacity=meeting.capacity)
                if meeting.capacity
                else _("{count} going", count=len(people.going))
            )
            ctx.reply(
                Message(
                    title=untrusted(meeting.title),
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
                    title=untrusted(poll.title),
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

    async def _target(self, ctx: Context[Any]) -> Meeting:
        meeting = await upcoming_meeting(ctx)
        if meeting is None:
            raise UserError(ctx._("No meeting is planned yet."))
        return meeting

    @command("meeting attendees", N_("Who is coming to the next meeting"))
    async def attendees(self, ctx: Context[Any]) -> None:
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
                title=_("Who is coming: {title}", title=untrusted(meeting.title)),
                text=when_text(_, meeting.starts_at, meeting.ends_at, await zone_of(ctx, member)),
                fields=tuple(fields),
                ephemeral=True,
            )
        )

    @command(
        "meeting export", N_("Receive the list of who answered the next meeting, as CSV"), animator_only=True
    )
    async def export(self, ctx: Context[Any]) -> None:
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
        attendees = Message(
            title=_("Attendees: {title}", title=untrusted(meeting.title)),
            text=_(
                "{going} going, {waiting} waiting, {maybe} maybe, {absent} can't come. The list is attached.",
                going=len(people.going),
                waiting=len(people.waitlist),
                maybe=len(people.maybe),
                absent=len(people.not_going),
            ),
            attachments=(Attachment(f"{slug}-{day}.csv", buffer.getvalue(), "text/csv"),),
        )
        await ctx.dm(ctx.actor, lambda _: attendees)  # built in the actor's words: it is for them
        ctx.reply(_("I sent you the list as a CSV file, by direct message."))

    @command(
        "meeting cancel",
        N_("Cancel the next meeting and tell who answered"),
        options=[Option("reason", N_("Why, in a few words (optional)"), rest=True)],
        animator_only=True,
    )
    async def cancel(self, ctx: Context[CommandInvoked], reason: str = "") -> None:
        _ = ctx._
        meeting = await self._target(ctx)
        reason = reason.strip()
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
        await ctx.delete_event((MEETING_EVENT, str(meeting.id)))
        await self._refresh(ctx, meeting)
        told = [m for m in people.going + people.waitlist + people.maybe if m.left_at is None]
        ics = meeting_ics(ctx, meeting, cancelled=True)
        for member in told:
            zone = await zone_of(ctx, member)

            def cancelled(_: Translator, zone: str = zone) -> Message:
                return Message(
                    title=_("Cancelled: {title}", title=untrusted(meeting.title)),
                    text=_(
                        "“{title}”, {when}, is cancelled. Sorry for the change of plans!",
                        title=untrusted(meeting.title),
                        when=when_text(_, meeting.starts_at, meeting.ends_at, zone),
                    ),
                    fields=(Field(_("Why"), untrusted(reason)),) if reason else (),
                    attachments=(ics,),
                    footer=_("The attached file removes it from your calendar."),
                )

            await ctx.dm(member, cancelled)
        ctx.reply(
            _.ngettext(
                "“{title}” is cancelled; I told the {count} member who had answered.",
                "“{title}” is cancelled; I told the {count} members who had answered.",
                len(told),
                title=untrusted(meeting.title),
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
    async def capacity(self, ctx: Context[CommandInvoked], places: str = "") -> None:
        _ = ctx._
        meeting = await self._target(ctx)
        raw = places.strip().lower()
        if means_no_limit(raw):
            limit: int | None = None
        elif (number := whole_number(raw)) is not None and number > 0:
            limit = number
        else:
            raise UserError(
                _(
                    "“{value}” is not a number of places. Give a whole number, or none for no limit.",
                    value=untrusted(excerpt(raw)),
                )
            )
        meeting.capacity = limit
        promoted = await self._promote(ctx, meeting)
        await self._refresh(ctx, meeting)
        text = (
            _("“{title}” now has {places} places.", title=untrusted(meeting.title), places=limit)
            if limit
            else _("“{title}” now has no limit on places.", title=untrusted(meeting.title))
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
    async def timezone(self, ctx: Context[CommandInvoked], zone: str = "") -> None:
        _ = ctx._
        member = await ctx.member()
        value = zone.strip()
        found = await preference(ctx, member.id)
        if not value:
            ctx.reply(
                self._zone_said(ctx, await zone_of(ctx, member))
                + " "
                + _("Change it with /agora meeting timezone zone=America/Montreal (or reset).")
            )
            return
        if value.lower() in ("reset", "community") or is_off(value):
            chosen: str | None = None
        else:
            chosen = time_zone(_, value)
        if found is None:
            found = MeetingPreference(community_id=ctx.community.id, member_id=member.id, reminders=True)
            ctx.session.add(found)
        found.timezone = chosen
        ctx.reply(self._zone_said(ctx, chosen or ctx.settings.timezone))

    @staticmethod
    def _zone_said(ctx: Context[Any], zone: str) -> str:
        """Where dates follow the reader's own clock (Discord), the member's zone only writes the times given as
        text; saying "your dates are shown in…" there would not be true."""
        if ctx.can(Capability.LOCAL_TIMES):
            return ctx._(
                "Here, dates already show in your device's time zone; {timezone} is kept for the times Agora "
                "writes as plain text.",
                timezone=zone,
            )
        return ctx._("Your dates are shown in {timezone} time.", timezone=zone)

    @command(
        "meeting reminders",
        N_("Turn your meeting reminders and poll nudges on or off"),
        options=[Option("state", N_("on or off"), required=True, choices=("on", "off"))],
    )
    async def reminders(self, ctx: Context[CommandInvoked], state: str = "") -> None:
        _ = ctx._
        member = await ctx.member()
        found = await preference(ctx, member.id)
        if found is None:
            found = MeetingPreference(community_id=ctx.community.id, member_id=member.id, reminders=True)
            ctx.session.add(found)
        found.reminders = state == "on"
        ctx.reply(
            _("Meeting reminders are on: I'll remind you before the meetings you're going to.")
            if found.reminders
            else _(
                "Meeting reminders are off: no more reminders nor poll nudges. You still hear when a place "
                "opens for you or a meeting is cancelled. Turn them back on with /agora meeting reminders on."
            )
        )
