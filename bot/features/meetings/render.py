"""How meetings read: dates and times in a member's time zone, lists of names, the .ics file, the settings page.
Translator and plain data in, text or a Message out; no database.

Longer than our usual 500 lines on purpose: every message of the three meeting features (meetings, missions,
date polls) is here, in the one module the architecture test keeps free of storage and SQLAlchemy."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from bot.content import ContentItem
from bot.durations import format_duration, parse_duration
from bot.features.meetings.dates import DateProblem, LineProblem
from bot.features.meetings.events import BALLOT, DATE_CARD, DRAW, NAMES_SHOWN, NONE_SUIT, NOTES_CARD, VOTE
from bot.features.meetings.settings import MeetingSettings
from bot.features.meetings.tally import CHOICES, MAYBE, NO, YES, OptionTally, Tally
from bot.i18n import N_, Translator
from bot.messages import Attachment, Button, Field, Message, mention, moment, unmarked, untrusted, zone_note
from bot.settings.types import excerpt


class Named(Protocol):
    """A member as render needs them: the name they go by, else their platform id."""

    display_name: str
    external_id: str


_URL = re.compile(r"^https?://\S+$")

# --- formatting ----------------------------------------------------------------------------------------------


# These give moments (bot.messages.moment): the words as the community reads them, which a platform that shows
# each member their own time zone replaces. Where the text is stored or sent as plain text, unmarked() it.


def long_time(_: Translator, at: datetime, timezone: str) -> str:
    """ "Tuesday 1 December 2026 at 6:30 PM" / « mardi 1 décembre 2026 à 18:30 »."""
    return moment(at, _.datetime(at, timezone), "full")


def short_time(_: Translator, at: datetime, timezone: str, now: datetime) -> str:
    """ "Tue 1 Dec, 6:30 PM" / « mar. 1 déc. à 18:30 »; "Tue 5 Jan 2027, 6:30 PM" from another year."""
    return moment(at, _.datetime(at, timezone, _("EEE d MMM, h:mm a"), now=now), "short")


def clock_time(_: Translator, at: datetime, timezone: str) -> str:
    return moment(at, _.datetime(at, timezone, _("h:mm a")), "time")


def when_text(_: Translator, start: datetime, end: datetime | None, timezone: str) -> str:
    """A meeting's time: "Tuesday 1 December 2026 at 6:30 PM – 8:30 PM"."""
    if end is None:
        return long_time(_, start, timezone)
    zone = ZoneInfo(timezone)
    same_day = start.astimezone(zone).date() == end.astimezone(zone).date()
    finish = clock_time(_, end, timezone) if same_day else long_time(_, end, timezone)
    return f"{long_time(_, start, timezone)} – {finish}"


def delay_text(_: Translator, delay: timedelta) -> str:
    """ "24 hours", "1 hour", "2 days", "30 minutes"."""
    minutes = int(delay.total_seconds() // 60)
    if minutes >= 2 * 24 * 60 and minutes % (24 * 60) == 0:
        return _.ngettext("{count} day", "{count} days", minutes // (24 * 60))
    if minutes >= 60 and minutes % 60 == 0:
        return _.ngettext("{count} hour", "{count} hours", minutes // 60)
    return _.ngettext("{count} minute", "{count} minutes", minutes)


def names_text(_: Translator, member_ids: list[str]) -> str:
    """Mentions of the first members, then how many more: lists stay readable (and within platform limits)."""
    if not member_ids:
        return "—"
    shown = ", ".join(mention(member_id) for member_id in member_ids[:NAMES_SHOWN])
    more = len(member_ids) - NAMES_SHOWN
    if more > 0:
        shown += " " + _.ngettext("and {count} other", "and {count} others", more)
    return shown


def display_name(member: Named) -> str:
    return member.display_name or member.external_id


def zone_footer(_: Translator, timezone: str) -> str:
    """The note naming the time zone of a message's dates (left out where each member sees their own)."""
    return zone_note(_("Times are in {timezone} time.", timezone=timezone))


def meeting_uid(meeting_id: int, platform: str, external_id: str) -> str:
    """A meeting's calendar uid: it names the community, so calendars never mix two groups' meetings."""
    return f"meeting-{meeting_id}-{platform}-{external_id}@agora"


def ics_event(
    *,
    uid: str,
    title: str,
    start: datetime,
    end: datetime,
    place: str,
    description: str,
    stamp: datetime,
    cancelled: bool = False,
    sequence: int = 0,
) -> CalendarEvent:
    """One meeting as an iCalendar event (RFC 5545), in UTC so every calendar shows it at the right local time:
    the announcement's file and the community's calendar feed hold the same event (the same uid)."""
    event = CalendarEvent()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", title)
    event.add("sequence", sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if place:
        event.add("location", place)
        if _URL.match(place):
            event.add("url", place)
    if description:
        event.add("description", description)
    return event


def ics_calendar(events: list[CalendarEvent], *, cancelled: bool = False, name: str = "") -> str:
    """An iCalendar file holding ``events``. A cancellation carries ``METHOD:CANCEL``, so calendars that
    imported the event remove it; ``name`` names a feed in the calendars subscribed to it."""
    calendar = Calendar()
    calendar.add("prodid", "-//Agora//Meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    for event in events:
        calendar.add_component(event)
    return str(calendar.to_ical().decode("utf-8"))


def ics_attachment(*, title: str, cancelled: bool = False, **event: Any) -> Attachment:
    """An iCalendar file for one meeting: ``ics_event``'s keywords (uid, start, end, place, ...)."""
    calendar = ics_calendar([ics_event(title=title, cancelled=cancelled, **event)], cancelled=cancelled)
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40] or "meeting"
    return Attachment(f"{slug}.ics", calendar, "text/calendar")


NEXT_POLL_LABELS = {
    "auto": N_("a new date poll"),
    "same_slot": N_("the same slot again"),
    "off": N_("nothing"),
}


def format_duration_words(_: Translator, cadence: str) -> str:
    """A cadence as words: "4 weeks", "10 days"."""
    delta = parse_duration(cadence)
    if delta.days % 7 == 0:
        return _.ngettext("{count} week", "{count} weeks", delta.days // 7)
    return _.ngettext("{count} day", "{count} days", delta.days)


def settings_page(_: Translator, settings: MeetingSettings, title: str) -> Message:
    """How meetings work here: each setting as an animator reads it."""
    off = _("off")
    return Message(
        title=title,
        text=_("Change any of them with /agora meeting settings and the option's name."),
        fields=(
            Field(_("Poll open for"), format_duration(settings.poll_duration), inline=True),
            Field(_("Poll closes before the first date"), format_duration(settings.lead_time), inline=True),
            Field(
                _("Nudge after"),
                format_duration(settings.nudge_after) if settings.nudge_after else off,
                inline=True,
            ),
            Field(
                _("Reminders before"),
                ", ".join(format_duration(r) for r in settings.reminders) or off,
                inline=True,
            ),
            Field(_("Recap reminder after"), format_duration(settings.recap_within), inline=True),
            Field(_("After a meeting"), _(NEXT_POLL_LABELS[settings.next_poll]), inline=True),
            Field(_("Cadence"), settings.cadence, inline=True),
            Field(_("Places"), str(settings.capacity) if settings.capacity else _("no limit"), inline=True),
            Field(_("Meeting length"), format_duration(settings.duration), inline=True),
        ),
        ephemeral=True,
    )


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
    if problem.code == "too_soon":
        return _(
            "It is too soon: the poll closes {lead} before its first date, so that the chosen date can be announced. "
            "Choose a date after {date}.",
            lead=delay_text(_, details["lead"]),
            date=long_time(_, details["earliest"], timezone),
        )
    if problem.code == "duplicate":
        return _("It is the same date as line {other}.", other=details["other"])
    return _(
        "I can't read a date in it. Examples: “mardi 1 déc 18h30”, “next thursday 6pm”, “2026-12-03 18:00”."
    )


def describe_line(_: Translator, line: LineProblem, timezone: str) -> str:
    """Why a line of the poll form was refused, as the form shows it next to the field: plain text (a form's
    error is no post, so the dates in it are words, not moments)."""
    return unmarked(
        _(
            "Line {number} (“{text}”): {problem}",
            number=line.number,
            text=excerpt(line.text),
            problem=describe_problem(_, line.problem, timezone),
        )
    )


# --- the meeting's announcement ---------------------------------------------------------------------------


class Meeting(Protocol):
    """A meeting, as render reads it (a row used as plain data; its status compared with the enum's strings)."""

    @property
    def status(self) -> str: ...

    id: int
    title: str
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int | None
    ended_at: datetime | None


@dataclass(frozen=True)
class Answers:
    """Who answered a meeting (platform member ids, each list in its order)."""

    going: list[str] = field(default_factory=list)
    waitlist: list[str] = field(default_factory=list)
    maybe: list[str] = field(default_factory=list)


def rsvp_buttons(_: Translator, meeting_id: int) -> tuple[Button, ...]:
    """Going, maybe, can't come."""
    ref = str(meeting_id)
    return (
        Button("meeting:going", _("Going"), ref=ref, style="success"),
        Button("meeting:maybe", _("Maybe"), ref=ref, style="secondary"),
        Button("meeting:not-going", _("Can't come"), ref=ref, style="secondary"),
    )


def announcement(_: Translator, meeting: Meeting, people: Answers, missions: str, zone: str) -> Message:
    """The meeting's announcement, kept up to date: when, where, who comes, the missions since last time, the
    answer buttons (none once it took place or was cancelled)."""
    fields = [Field(_("When"), when_text(_, meeting.starts_at, meeting.ends_at, zone))]
    if meeting.place:
        fields.append(Field(_("Where"), untrusted(meeting.place)))
    if meeting.status == "cancelled":
        return Message(
            title=_("Cancelled: {title}", title=untrusted(meeting.title)),
            text=_("This meeting is cancelled."),
            fields=tuple(fields),
            footer=zone_footer(_, zone),
        )
    going = (
        _("Going ({count}/{capacity})", count=len(people.going), capacity=meeting.capacity)
        if meeting.capacity
        else _("Going ({count})", count=len(people.going))
    )
    fields.append(Field(going, names_text(_, people.going)))
    if people.waitlist:
        fields.append(
            Field(
                _("Waiting list ({count})", count=len(people.waitlist)),
                names_text(_, people.waitlist),
            )
        )
    if people.maybe:
        fields.append(
            Field(
                _("Maybe ({count})", count=len(people.maybe)),
                names_text(_, people.maybe),
            )
        )
    if missions:
        fields.append(Field(_("Missions since last time"), missions))
    if meeting.ended_at is not None:
        return Message(
            title=untrusted(meeting.title),
            text=_("This meeting has taken place. Thank you to everyone who came!"),
            fields=tuple(fields),
            footer=zone_footer(_, zone),
        )
    text = _("Will you come? Your answer puts your name on the list, so the organisers know who to expect.")
    if meeting.capacity:
        left = meeting.capacity - len(people.going)
        text += " " + (
            _.ngettext("{count} place left.", "{count} places left.", left)
            if left > 0
            else _("It is full: new answers join the waiting list, in order.")
        )
    return Message(
        title=untrusted(meeting.title),
        text=text,
        fields=tuple(fields),
        buttons=rsvp_buttons(_, meeting.id),
        footer=zone_footer(_, zone) + " " + _("The .ics file adds it to your calendar."),
    )


# --- mission cards ------------------------------------------------------------------------------------------


def card_name(item: ContentItem) -> str:
    """A card's name: its text up to the colon ("Find the venue"), as member text (animators write cards)."""
    return untrusted(item.text.split(":", 1)[0].strip())


def missions_post(
    _: Translator, title: str, meeting_id: int, drawn: list[tuple[str, ContentItem]]
) -> Message:
    """The end-of-meeting post: thanks, the button to draw a card, and the cards drawn so far (member id, card)."""
    listing = missions_lines(drawn)
    return Message(
        title=_("Thank you for coming to “{title}”!", title=untrusted(title)),
        text=_(
            "Before you go, draw a mission card: a small task until the next meeting, so that the group "
            "doesn't rest on the organisers alone. One card each."
        ),
        fields=(Field(_("Missions drawn"), listing),) if drawn else (),
        buttons=(Button(DRAW, _("Draw a mission card"), ref=str(meeting_id), style="success"),),
    )


def mission_drawn(_: Translator, card: ContentItem) -> Message:
    """What the member who drew ``card`` reads: the card, and what it lets them do."""
    hint = {
        DATE_CARD: _("You can open the date poll yourself: /agora meeting poll."),
        NOTES_CARD: _("After the next meeting, I'll ask you for the recap."),
    }.get(card.id, _("Your card is shown to everyone on the post, so you can find help if you need it."))
    return Message(
        title=_("Your mission: {card}", card=card_name(card)),
        text=f"{untrusted(card.text)}\n{hint}",
        footer=_("Card suggested by {author}", author=untrusted(card.author)) if card.author else None,
        ephemeral=True,
    )


def missions_list(_: Translator, title: str, date: str, drawn: list[tuple[str, ContentItem]]) -> Message:
    """``/agora meeting missions``: each card drawn at the last meeting (member's name, card)."""
    return Message(
        title=_("Missions until the next meeting"),
        text=_("Drawn at “{title}” ({date}).", title=untrusted(title), date=date),
        fields=tuple(Field(untrusted(name), untrusted(card.text)) for name, card in drawn),
        ephemeral=True,
    )


# --- date polls ---------------------------------------------------------------------------------------------
# Polls and their options arrive as rows used as plain data (no storage import here): their statuses are compared
# with the strings the status enum's members equal.

# Options per ballot message: three buttons each stays within Discord's 25 buttons per message.
PAGE = 8
SYMBOLS = {YES: "✅", MAYBE: "🤔", NO: "❌"}


class PollOption(Protocol):
    """A poll's date, as render reads it."""

    id: int
    position: int
    starts_at: datetime
    ends_at: datetime | None


class MeetingPoll(Protocol):
    """A date poll, as render reads it."""

    @property
    def status(self) -> str: ...

    id: int
    title: str
    place: str
    duration_minutes: int
    capacity: int | None
    closes_at: datetime
    automatic: bool
    chosen_option_id: int | None
    created_by: str


def option_label(_: Translator, option: PollOption, zone: str, now: datetime) -> str:
    """A date of the poll: \"2. Tue 1 Dec, 6:30 PM – 8:30 PM\" (with the year when it is not this one)."""
    label = f"{option.position}. {short_time(_, option.starts_at, zone, now)}"
    if option.ends_at is not None:
        label += f" – {clock_time(_, option.ends_at, zone)}"
    return label


def tally_text(_: Translator, counts: OptionTally, name: Callable[[Hashable], str] = str) -> str:
    """An option's tally: the counts, then who said yes and who if need be (``name`` gives the platform id of a
    voter as the tally holds them)."""
    value = f"✅ {len(counts.yes)} · 🤔 {len(counts.maybe)} · ❌ {len(counts.no)}"
    if counts.yes:
        value += "\n✅ " + names_text(_, [name(m) for m in counts.yes])
    if counts.maybe:
        value += "\n🤔 " + names_text(_, [name(m) for m in counts.maybe])
    return value


def poll_message(
    _: Translator, poll: MeetingPoll, options: Sequence[PollOption], tally: Tally, zone: str, now: datetime
) -> Message:
    """The poll's post: each date with its tally, then what happens next (answer, the tie, the date chosen)."""
    fields = []
    for option in options:
        value = tally_text(_, tally.of(option.id))
        label = option_label(_, option, zone, now)
        if poll.chosen_option_id == option.id:
            label = f"🏆 {label}"
        fields.append(Field(label, value))
    if poll.place:
        fields.append(Field(_("Where"), untrusted(poll.place), inline=True))
    fields.append(
        Field(_("Duration"), format_duration(timedelta(minutes=poll.duration_minutes)), inline=True)
    )
    if poll.capacity:
        fields.append(Field(_("Places"), str(poll.capacity), inline=True))
    buttons: tuple[Button, ...] = ()
    if poll.status == "open":
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
    elif poll.status == "tie":
        tied = [o for o in options if o.id in set(tally.best([o.id for o in options if o.starts_at > now]))]
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
        title=untrusted(poll.title),
        text=text,
        fields=tuple(fields),
        buttons=buttons,
        footer=zone_footer(_, zone),
    )


def ballot(
    _: Translator,
    poll: MeetingPoll,
    options: Sequence[PollOption],
    mine: dict[int, str],
    page: int,
    zone: str,
    now: datetime,
) -> Message:
    """A member's own ballot, one page of dates: their answers, a button per date and choice."""
    pages = [options[i : i + PAGE] for i in range(0, len(options), PAGE)]
    chunk = pages[page]
    answers = {YES: _("✅ yes"), MAYBE: _("🤔 if need be"), NO: _("❌ no")}
    fields = tuple(
        Field(
            option_label(_, option, zone, now),
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
    title = _("Your answers: {title}", title=untrusted(poll.title))
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


def missions_lines(drawn: list[tuple[str, ContentItem]]) -> str:
    """The cards members hold, one line each: "• @member — Find the venue"."""
    return "\n".join(f"• {mention(member_id)} — {card_name(card)}" for member_id, card in drawn)
