"""What a group says while finding a time: the captain's line in the group's first message, the "Find a time"
form, the group's date poll with its tally, and the time chosen. The dates, the tally's symbols and the .ics are
the meeting poll's own (:mod:`bot.features.meetings.render`); a translator and plain data in, a Message out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.features.meetings.render import SYMBOLS, PollOption, long_time, option_label, tally_text, zone_footer
from bot.features.meetings.tally import CHOICES, Tally
from bot.i18n import Translator
from bot.messages import Attachment, Button, Field, Form, FormField, Message, mention

__all__ = [
    "FIND_TIME",
    "MAX_TIMES",
    "POLL_FORM",
    "POLL_VOTE",
    "captain_line",
    "find_time_button",
    "no_time",
    "poll_form",
    "poll_message",
    "time_set",
]

FIND_TIME = "rounds:find_time"  # ref: the group's id
POLL_FORM = "rounds:time_poll"  # ref: the group's id
POLL_VOTE = "rounds:time_vote"  # ref: "<option id>.<yes|maybe|no>"
# A small poll for a small group: three buttons a time, all on one message.
MAX_TIMES = 5


def captain_line(_: Translator, captain: str) -> str:
    """The group's first message names its captain (who has been captain least recently) and what to do."""
    return _(
        "{captain}, you're this round's captain: press “Find a time” and suggest two or three times; the others "
        "answer in one click and I'll send everyone the invitation.",
        captain=mention(captain),
    )


def find_time_button(_: Translator, group_id: int) -> Button:
    return Button(FIND_TIME, _("Find a time"), ref=str(group_id))


def poll_form(_: Translator, group_id: int) -> Form:
    """A small form: the times, one per line, read like the meeting poll's dates."""
    return Form(
        id=POLL_FORM,
        title=_("Find a time"),
        ref=str(group_id),
        submit_label=_("Ask the group"),
        fields=(
            FormField(
                "options",
                _("Two or three times that suit you, one per line"),
                required=True,
                multiline=True,
                max_length=600,
                placeholder=_("Tuesday 12:30\nThursday 6pm"),
            ),
        ),
    )


def poll_message(
    _: Translator,
    *,
    author: str,
    options: Sequence[PollOption],
    tally: Tally,
    names: dict[int, str],
    zone: str,
    now: datetime,
    closes_at: datetime,
    open_: bool,
) -> Message:
    """The group's poll: each time with who said yes or if need be, and the buttons to answer while it's open.
    ``names`` maps member ids to the platform ids mentioned."""
    fields = []
    for option in options:
        value = tally_text(_, tally.of(option.id), lambda m: names.get(m, "?") if isinstance(m, int) else "?")
        fields.append(Field(option_label(_, option, zone, now), value))
    if open_:
        text = _(
            "{author} suggests these times. For each one: ✅ yes, 🤔 if need be, ❌ no. As soon as everyone has "
            "answered (or on {deadline}), the time that suits the group best is set.",
            author=mention(author),
            deadline=long_time(_, closes_at, zone),
        )
        buttons = tuple(
            Button(
                POLL_VOTE,
                f"{SYMBOLS[choice]} {option.position}",
                ref=f"{option.id}.{choice}",
                style="secondary",
            )
            for option in options
            for choice in CHOICES
        )
    else:
        text = _("This poll is closed.")
        buttons = ()
    return Message(
        title=_("Find a time"), text=text, fields=tuple(fields), buttons=buttons, footer=zone_footer(_, zone)
    )


def time_set(_: Translator, when: datetime, zone: str, group_id: int, ics: Attachment) -> Message:
    """The time the group settled on, with its calendar invitation."""
    return Message(
        title=_("It's a date!"),
        text=_(
            "The group meets on {when}. The invitation is attached: open it to add it to your calendar.",
            when=long_time(_, when, zone),
        ),
        attachments=(ics,),
        buttons=(find_time_button(_, group_id),),
        footer=_("Plans changed? “Find a time” asks the group again."),
    )


def no_time(_: Translator, group_id: int) -> Message:
    """Nobody can make any of the times."""
    return Message(
        _("None of these times works for everyone who answered. Suggest others with “Find a time”."),
        buttons=(find_time_button(_, group_id),),
    )
