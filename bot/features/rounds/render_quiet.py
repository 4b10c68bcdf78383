"""What the grouping rounds say to a quiet member: the one question about staying in, the replies to its buttons,
and the word that they were paused. A translator and plain data in, a Message out."""

from __future__ import annotations

from bot.features.rounds.render import JOIN
from bot.i18n import Translator
from bot.messages import Button, Message

__all__ = ["PAUSE_DAYS", "QUIET", "asked_to_stay", "chose", "paused_quietly"]

# Button actions of the question (ref: the member's participant id).
QUIET = {"keep": "rounds:quiet_keep", "pause": "rounds:quiet_pause", "out": "rounds:quiet_out"}
PAUSE_DAYS = 30


def asked_to_stay(_: Translator, participant_id: int, days: int) -> Message:
    """Once, privately, to a member who left "Did you meet?" unanswered two rounds in a row."""
    ref = str(participant_id)
    return Message(
        title=_("Still up for the rounds?"),
        text=_(
            "You haven't answered “Did you meet?” for the last two rounds, which is fine: maybe it's not the "
            "right time. Would you like to stay in? Meanwhile I've kept you out of this round, so that nobody "
            "waits for you."
        ),
        buttons=(
            Button(QUIET["keep"], _("Keep me in"), ref=ref, style="success"),
            Button(QUIET["pause"], _("Pause me for a month"), ref=ref, style="secondary"),
            Button(QUIET["out"], _("Take me out"), ref=ref, style="secondary"),
        ),
        footer=_.ngettext(
            "I'll only ask this once. Without an answer within {count} day, I'll pause you until you come back.",
            "I'll only ask this once. Without an answer within {count} days, I'll pause you until you come back.",
            days,
        ),
    )


def chose(_: Translator, choice: str, back_on: str) -> tuple[str, Message]:
    """The reply to the member's choice, and what the question becomes (no buttons left). ``back_on`` is the
    date a month's pause ends, as shown."""
    text = {
        "keep": _(
            "Great, you're in for the next round! Pressing “Yes, we met” after it helps me plan the next ones."
        ),
        "pause": _(
            "Done: no rounds for you until {date}; you're back automatically after that. To come back sooner: "
            "/agora round join.",
            date=back_on,
        ),
        "out": _("Done: you no longer take part in the rounds. Come back any time with /agora round join."),
    }[choice]
    shown = {
        "keep": _("You chose to stay in the rounds."),
        "pause": _("You paused the rounds until {date}.", date=back_on),
        "out": _("You left the rounds."),
    }[choice]
    return text, Message(title=_("Still up for the rounds?"), text=shown)


def paused_quietly(_: Translator) -> Message:
    """To a quiet member who did not answer the question either: paused, and how to come back."""
    return Message(
        text=_(
            "I haven't heard from you, so I've paused the rounds for you: no more groups until you say so. "
            "Whenever you feel like meeting people again, press the button or type /agora round join."
        ),
        buttons=(Button(JOIN, _("Count me in"), style="success"),),
        footer=_("To stop the rounds altogether: /agora round leave."),
    )
