"""What the grouping rounds say: the group's first message, the "Did you meet?" question, the announcements, the
members' and the animators' pages. A translator and plain data in, a Message out; no database."""

from __future__ import annotations

from dataclasses import dataclass

from bot.content import ContentItem
from bot.durations import format_duration
from bot.features.rounds import render_time
from bot.features.rounds.rules import Participation, Profile, RoundLine
from bot.features.rounds.settings import RoundSettings
from bot.i18n import N_, Translator
from bot.messages import Button, Field, Message, mention, untrusted

__all__ = [
    "ANSWERS",
    "JOIN",
    "LEAVE",
    "SNOOZE",
    "Seat",
    "alone",
    "announcement",
    "answer_buttons",
    "answered",
    "did_you_meet",
    "group_message",
    "joined",
    "left",
    "my_place",
    "settings_page",
    "shared_line",
    "started",
    "status",
    "unplaced",
    "when",
]

JOIN = "rounds:join"
LEAVE = "rounds:leave"
SNOOZE = "rounds:snooze"
ANSWERS = {"met": "rounds:met", "not_yet": "rounds:not_yet", "wont": "rounds:wont"}

CADENCE_NAMES = {
    "weekly": N_("every week"),
    "biweekly": N_("every two weeks"),
    "monthly": N_("every month"),
}
DAY_NAMES = {
    "mon": N_("Monday"),
    "tue": N_("Tuesday"),
    "wed": N_("Wednesday"),
    "thu": N_("Thursday"),
    "fri": N_("Friday"),
    "sat": N_("Saturday"),
    "sun": N_("Sunday"),
}
ODD_NAMES = {
    "bigger": N_("bigger groups (one member more)"),
    "smaller": N_("smaller groups (one member fewer)"),
}


@dataclass(frozen=True)
class Seat:
    """A member in a group, as the messages show them: their platform id (for mentions) and their profile."""

    external_id: str
    profile: Profile


def when(_: Translator, date: str | None, *, bare: bool = False) -> str:
    """ "Next round: Monday 6 July at 9:00." (regularity: members always see the next date); ``date`` is None
    when the rounds are paused. ``bare`` gives the date (or "paused") alone."""
    if date is None:
        return _("paused") if bare else _("The rounds are paused for now.")
    return date if bare else _("Next round: {date}.", date=date)


def _in_buttons(_: Translator) -> tuple[Button, ...]:
    return (
        Button(SNOOZE, _("Skip the next round"), ref="1", style="secondary"),
        Button(LEAVE, _("Leave the rounds"), style="secondary"),
    )


def my_place(
    _: Translator,
    *,
    active: bool,
    snoozed: int,
    next_round: str,
    avoided: int,
    paused_until: str | None = None,
) -> Message:
    """The member's own page: in or out, paused or skipping, the next date, and (to them alone) their exclusions.
    ``paused_until`` is the date a month's pause ends, "" for a pause until they come back, None when not
    paused."""
    if active and paused_until is not None:
        lines = [
            _(
                "The rounds are paused for you until {date}. Come back sooner with /agora round join.",
                date=paused_until,
            )
            if paused_until
            else _("The rounds are paused for you. Come back whenever you like with /agora round join.")
        ]
        buttons: tuple[Button, ...] = (Button(JOIN, _("Count me in"), style="success"),)
        return Message(title=_("Grouping rounds"), text="\n".join(lines), buttons=buttons, ephemeral=True)
    if not active:
        lines = [_("You don't take part in the rounds. Join with /agora round join.")]
    elif snoozed:
        lines = [
            _.ngettext(
                "You take part in the rounds, and skip the next one.",
                "You take part in the rounds, and skip the next {count} ones.",
                snoozed,
            )
        ]
    else:
        lines = [_("You take part in the rounds.")]
    lines.append(next_round)
    if avoided:
        lines.append(
            _.ngettext(
                "You asked not to be grouped with {count} member (only you can see this).",
                "You asked not to be grouped with {count} members (only you can see this).",
                avoided,
            )
        )
    buttons = _in_buttons(_) if active else (Button(JOIN, _("Count me in"), style="success"),)
    return Message(title=_("Grouping rounds"), text="\n".join(lines), buttons=buttons, ephemeral=True)


def joined(_: Translator, next_round: str) -> Message:
    return Message(
        text=_(
            "You're in! At each round I'll put you in a small group with members you haven't met yet. {when}",
            when=next_round,
        ),
        buttons=_in_buttons(_),
        ephemeral=True,
    )


def left(_: Translator) -> Message:
    return Message(
        text=_("Done: you no longer take part in the rounds. Come back any time with /agora round join."),
        buttons=(Button(JOIN, _("Count me in"), style="secondary"),),
        ephemeral=True,
    )


def shared_line(_: Translator, people: list[Profile]) -> str:
    """Why these members were put together, when they share something (interests, as they wrote them)."""

    def folded(p: Profile) -> dict[str, str]:
        return {i.casefold(): i for i in p.interests}

    sets = [folded(p) for p in people]
    common = set(sets[0]).intersection(*sets[1:]) if sets else set()
    if common and len(people) > 2:
        return _(
            "You all mentioned {things}.",
            things=_.list([untrusted(t) for t in sorted(sets[0][c] for c in common)]),
        )
    if common:
        return _(
            "{first} and {second} both mentioned {things}.",
            first=untrusted(people[0].name),
            second=untrusted(people[1].name),
            things=_.list([untrusted(t) for t in sorted(sets[0][c] for c in common)]),
        )
    lines = []
    for i, a in enumerate(people):
        for j in range(i + 1, len(people)):
            shared = set(sets[i]) & set(sets[j])
            if shared:
                lines.append(
                    _(
                        "{first} and {second} both mentioned {things}.",
                        first=untrusted(a.name),
                        second=untrusted(people[j].name),
                        things=_.list([untrusted(t) for t in sorted(sets[i][c] for c in shared)]),
                    )
                )
    return "\n".join(lines)


def group_message(
    _: Translator,
    number: int,
    seats: list[Seat],
    starter: ContentItem,
    *,
    captain: str | None = None,
    group_id: int | None = None,
) -> Message:
    """The first message of a group's conversation: who is who, what they share, something to start with, and
    (with ``captain`` and ``group_id``) who suggests a time, with the "Find a time" button."""
    people = [seat.profile for seat in seats]
    fields = []
    for person in people:
        parts = [untrusted(p) for p in (person.what, person.location) if p]
        if person.interests:
            parts.append(_("Interests: {things}", things=untrusted(", ".join(person.interests))))
        fallback = _(
            "Not introduced yet: {name}, tell the others in one line what you do.",
            name=untrusted(person.name),
        )
        fields.append(Field(untrusted(person.name), " · ".join(parts) if parts else fallback))
    shared = shared_line(_, people)
    if shared:
        fields.append(Field(_("What you have in common"), shared))
    starter_text = untrusted(starter.text)
    if starter.author:
        starter_text = _(
            "{text} (suggested by {author})", text=untrusted(starter.text), author=untrusted(starter.author)
        )
    fields.append(Field(_("To get the conversation going"), starter_text))
    text = _(
        "Hello {people}! This round puts you together. Find half an hour in the coming days (a coffee, a "
        "call or lunch) and start by saying hello here.",
        people=_.list([mention(seat.external_id) for seat in seats]),
    )
    buttons: tuple[Button, ...] = ()
    if captain is not None and group_id is not None:
        text += "\n" + render_time.captain_line(_, captain)
        buttons = (render_time.find_time_button(_, group_id),)
    return Message(
        title=_("Round {number}: meet each other", number=number),
        text=text,
        buttons=buttons,
        fields=tuple(fields),
        footer=_(
            "Can't make it this time? /agora round snooze skips the next round; "
            "/agora round leave stops the rounds for you."
        ),
    )


def answer_buttons(_: Translator, group_member_id: int | str) -> tuple[Button, ...]:
    ref = str(group_member_id)
    return (
        Button(ANSWERS["met"], _("Yes, we met"), ref=ref, style="success"),
        Button(ANSWERS["not_yet"], _("Not yet"), ref=ref, style="secondary"),
        Button(ANSWERS["wont"], _("We won't"), ref=ref, style="secondary"),
    )


def alone(_: Translator, next_round: str) -> Message:
    """To the only member taking part: no group this time."""
    return Message(
        _(
            "You were the only member taking part this time, so there is no group for you in this "
            "round. Invite a colleague to join with /agora round join! {when}",
            when=next_round,
        ),
        footer=_("To stop the rounds: /agora round leave."),
    )


def unplaced(_: Translator, number: int, next_round: str) -> Message:
    """To a member the round could not place."""
    return Message(
        _(
            "Round {number} could not find a group for you this time, sorry. You're still in for the "
            "next one. {when}",
            number=number,
            when=next_round,
        ),
        footer=_("To stop the rounds: /agora round leave."),
    )


def announcement(_: Translator, number: int, people: int, groups: int, next_round: str) -> Message:
    """The round's post in the rounds channel, with the button to join the next one."""
    return Message(
        _.ngettext(
            "Round {number} is out: {people} members in {count} group, each in its own conversation. {when}",
            "Round {number} is out: {people} members in {count} groups, each in its own conversation. {when}",
            groups,
            number=number,
            people=people,
            when=next_round,
        ),
        buttons=(Button(JOIN, _("Count me in"), style="success"),),
        footer=_("Join the next one with the button, or /agora round join."),
    )


def planning(_: Translator, number: int) -> str:
    """To the animator who started a round by hand, while its groups are being worked out."""
    return _(
        "Planning round {number}: working out who meets whom takes a few seconds. "
        "I will tell you in a direct message when it is out.",
        number=number,
    )


def started(_: Translator, number: int, people: int, groups: int) -> str:
    """To the animator who started a round by hand."""
    return _.ngettext(
        "Round {number} is out: {people} members in {count} group.",
        "Round {number} is out: {people} members in {count} groups.",
        groups,
        number=number,
        people=people,
    )


def did_you_meet(_: Translator, number: int, others: list[str], seat_id: int) -> Message:
    """The follow-up, once, to each member of a group."""
    return Message(
        title=_("Round {number}: did you meet?", number=number),
        text=_(
            "A few days ago, round {number} put you with {names}. Did you manage to meet?",
            number=number,
            names=_.list([untrusted(o) for o in others]),
        ),
        buttons=answer_buttons(_, seat_id),
        footer=_(
            "Your answer helps plan the next rounds. I won't ask again. To stop the rounds: /agora round leave."
        ),
    )


def answered(_: Translator, answer: str, number: int, others: list[str], ref: str) -> tuple[str, Message]:
    """The reply to an answer to "Did you meet?", and what the question becomes (only "Not yet" keeps a button)."""
    names = _.list([untrusted(o) for o in others])
    text = {
        "met": _("Wonderful! Thank you for telling me."),
        "not_yet": _("No rush: your conversation stays open. If you meet later, press “Yes, we met” above."),
        "wont": _("Thanks for saying so. A later round may put you together again."),
    }[answer]
    shown = {
        "met": _("✅ You met {names}.", names=names),
        "not_yet": _("⏳ Not yet met with {names}.", names=names),
        "wont": _("You won't meet {names} this time.", names=names),
    }[answer]
    question = Message(
        title=_("Round {number}: did you meet?", number=number),
        text=shown,
        buttons=(Button(ANSWERS["met"], _("Yes, we met"), ref=ref, style="success"),)
        if answer == "not_yet"
        else (),
    )
    return text, question


def status(
    _: Translator,
    *,
    participation: Participation,
    next_round: str,
    lines: list[RoundLine],
    dates: list[str],
    coverage: tuple[int, int] = (0, 0),
) -> Message:
    """The animators' statistics: participation and pauses, the next round, the last rounds, the meeting rate
    (overall and per round) and the new pairs made so far against the most the roster allows. ``dates`` are the
    rounds' dates as shown, one per line of ``lines``."""
    p = participation
    fields = [
        Field(
            _("Participation"),
            _(
                "{active} taking part, {snoozed} skipping the next round, {out} left the rounds.",
                active=p.taking_part,
                snoozed=p.snoozed,
                out=p.out,
            )
            + "\n"
            + _(
                "Paused: {quiet} as quiet (no answer to “Did you meet?” twice, then to my question), {month} for "
                "a month.",
                quiet=p.paused_quiet,
                month=p.paused_month,
            ),
        ),
        Field(_("Next round"), next_round),
    ]
    if not lines:
        text = _("No round yet. Members join with /agora round join; start one now with /agora round start.")
    else:
        shown = [
            _(
                "Round {number}, {date}: {people} members in {groups} groups · {new} new pairs of "
                "{pairs} · {met} of {groups} groups met ({answered} answered)",
                number=line.number,
                date=date,
                people=line.people,
                groups=line.groups,
                new=line.new,
                pairs=line.pairs,
                met=line.met,
                answered=line.answered,
            )
            for line, date in zip(lines, dates, strict=True)
        ]
        fields.append(Field(_("Last rounds"), "\n".join(shown[-8:])))
        rates = [
            _("Round {number}: {rate}%", number=line.number, rate=round(100 * line.met / line.answered))
            if line.answered
            else _("Round {number}: no answers", number=line.number)
            for line in lines[-8:]
        ]
        fields.append(Field(_("Meeting rate per round"), " · ".join(rates)))
        made, possible = coverage
        fields.append(
            Field(
                _("New pairs so far"),
                _.ngettext(
                    "{made} of the {count} pair possible among the members taking part.",
                    "{made} of the {count} pairs possible among the members taking part.",
                    possible,
                    made=made,
                ),
            )
        )
        met_total = sum(line.met for line in lines)
        answered_total = sum(line.answered for line in lines)
        rate = round(100 * met_total / answered_total) if answered_total else None
        fields.append(
            Field(
                _("Meeting rate"),
                _(
                    "{rate}% of the groups that answered met ({met} of {answered}).",
                    rate=rate,
                    met=met_total,
                    answered=answered_total,
                )
                if rate is not None
                else _("Nobody has answered “Did you meet?” yet."),
            )
        )
        text = _.ngettext("{count} round so far.", "{count} rounds so far.", len(lines))
    return Message(title=_("Grouping rounds"), text=text, fields=tuple(fields), ephemeral=True)


def settings_page(_: Translator, title: str, s: RoundSettings) -> Message:
    """The rounds' settings page, after ``/agora round settings`` (``title`` says whether it saved a change)."""
    return Message(
        title=title,
        text=_("Change any of them with /agora round settings and the option's name."),
        fields=(
            Field(_("Rounds"), _("running") if s.enabled else _("paused"), inline=True),
            Field(_("Cadence"), _(CADENCE_NAMES[s.cadence]), inline=True),
            Field(_("When"), _("{day} at {time}", day=_(DAY_NAMES[s.day]), time=s.time), inline=True),
            Field(_("Group size"), str(s.group_size), inline=True),
            Field(_("Odd counts"), _(ODD_NAMES[s.odd]), inline=True),
            Field(_("“Did you meet?” asked after"), format_duration(s.follow_up_after), inline=True),
        ),
        ephemeral=True,
    )
