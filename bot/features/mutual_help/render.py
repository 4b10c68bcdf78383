"""What mutual help says: the ask form, the public ask, the DM asking a member to help (and why them), the
introduction once they accept, the nudges to the asker, the thank-you, the list of asks. Translator and plain
data in, ``Message`` out; member text is always ``untrusted``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.features.meetings.dates import DateProblem
from bot.features.meetings.render import describe_problem
from bot.i18n import N_, Translator
from bot.messages import Button, Field, Form, FormField, Message, mention, untrusted
from bot.settings.types import excerpt

from .rules import DETAILS_MAX, NEED_MAX, WHEN_MAX, Figures

__all__ = ["ASK_FORM", "REFER_FORM", "SOLVED_FORM", "AskView"]

ASK_FORM = "help:ask"
REFER_FORM = "help:refer"
SOLVED_FORM = "help:solved"
CAN_HELP = "help:can"
KNOWS = "help:knows"
ACCEPT = "help:yes"
DECLINE = "help:no"
SOLVED = "help:solved"
WITHDRAW = "help:withdraw"
STILL = "help:still"
WIDEN = "help:widen"
ANIMATORS = "help:animators"
UNNAME = "help:unname"

_PARTS = {
    "offers": N_("offers: {words}"),
    "what": N_("does: {words}"),
    "interests": N_("interested in: {words}"),
}


@dataclass(frozen=True)
class AskView:
    """An ask as messages show it: its id, who asked (platform id), what, details, by when (already a moment
    or empty), discreet or not."""

    id: int
    asker: str
    need: str
    details: str = ""
    when: str = ""
    discreet: bool = False


def reasons_text(_: Translator, reasons: Sequence[tuple[str, str]]) -> str:
    """``offers: contract law · does: lawyer``: why a member was thought of (their words as member text)."""
    return " · ".join(_(_PARTS[part], words=untrusted(words)) for part, words in reasons if part in _PARTS)


def ask_form(_: Translator, *, discreet: bool) -> Form:
    """``/agora ask``: what I need (required), details, by when, public or discreet."""
    return Form(
        ASK_FORM,
        _("Ask the network for help"),
        fields=(
            FormField(
                "need",
                _("What I need"),
                required=True,
                max_length=NEED_MAX,
                placeholder=_("e.g. a lawyer who knows freelance contracts"),
            ),
            FormField(
                "details",
                _("Details (optional)"),
                multiline=True,
                max_length=DETAILS_MAX,
                placeholder=_("What you tried, what would help most"),
            ),
            FormField(
                "when",
                _("By when (optional)"),
                max_length=WHEN_MAX,
                placeholder=_("e.g. friday, 15 december, in 3 days"),
            ),
            FormField(
                "visibility",
                _("Public or discreet"),
                max_length=20,
                default=_("discreet") if discreet else _("public"),
                placeholder=_("public: posted for all; discreet: only the members I ask see it"),
            ),
        ),
        submit_label=_("Ask"),
    )


def bad_visibility(_: Translator, value: str) -> str:
    return _(
        "“{value}” is neither public nor discreet: write one of the two.", value=untrusted(excerpt(value, 40))
    )


def bad_date(_: Translator, value: str, problem: DateProblem, timezone: str) -> str:
    """Why "by when" is refused: a date in the past, or one I can't read."""
    if problem.code == "past":
        return _(
            "“{value}” is already past: give a date to come, or leave it empty.",
            value=untrusted(excerpt(value)),
        )
    return _(
        "I can't read “{value}” as a date ({why}). Examples: friday, 15 december, in 3 days.",
        value=untrusted(excerpt(value)),
        why=describe_problem(_, problem, timezone).rstrip("."),
    )


def _ask_fields(_: Translator, ask: AskView) -> tuple[Field, ...]:
    fields = []
    if ask.details:
        fields.append(Field(_("Details"), untrusted(ask.details)))
    if ask.when:
        fields.append(Field(_("By when"), ask.when))
    return tuple(fields)


def ask_post(_: Translator, ask: AskView) -> Message:
    """The public ask, in the help channel, with its two buttons."""
    return Message(
        title=_("Can you help?"),
        text=_("{asker} is looking for: {need}", asker=mention(ask.asker), need=untrusted(ask.need)),
        fields=_ask_fields(_, ask),
        buttons=(
            Button(CAN_HELP, _("I can help"), ref=str(ask.id)),
            Button(KNOWS, _("I know someone"), ref=str(ask.id), style="secondary"),
        ),
        footer=_(
            "“I can help” opens a private conversation with them; “I know someone” lets you name a member "
            "I will ask."
        ),
    )


def helper_request(
    _: Translator, ask: AskView, reasons: Sequence[tuple[str, str]], *, referred_by: str | None = None
) -> Message:
    """The DM asking a member to help: the ask, why them, Happy to help / Not this time."""
    if referred_by:
        why = _("{member} thought of you.", member=mention(referred_by))
    else:
        why = _(
            "I thought of you because your introduction says {reasons}.", reasons=reasons_text(_, reasons)
        )
    text = _("{asker} is looking for: {need}", asker=mention(ask.asker), need=untrusted(ask.need))
    if ask.discreet:
        text += "\n" + _("It is a discreet ask: only the members I ask see it. Please keep it to yourself.")
    return Message(
        title=_("Could you help?"),
        text=f"{text}\n{why}",
        fields=_ask_fields(_, ask),
        buttons=(
            Button(ACCEPT, _("Happy to help"), ref=""),
            Button(DECLINE, _("Not this time"), ref="", style="secondary"),
        ),
        footer=_(
            "If you say yes, I open a conversation with the two of you. If not, nobody is told and no reason is asked."
        ),
    )


def with_offer(message: Message, offer_id: int) -> Message:
    """``helper_request`` with its buttons pointing at the offer (known once it is stored)."""
    from dataclasses import replace

    return replace(message, buttons=tuple(replace(b, ref=str(offer_id)) for b in message.buttons))


def asked_reply(_: Translator, *, asked: int, channel: str | None, discreet: bool) -> str:
    """What the asker hears once their ask is recorded (and, if public, posted)."""
    if discreet:
        first = _("Your discreet ask is recorded: it is posted nowhere.")
    elif channel:
        first = _("Your ask is posted in {channel}.", channel=f"<#{channel}>")
    else:
        first = _("Your ask is recorded.")
    if asked:
        second = _.ngettext(
            "I have asked {count} member who could help; you will hear from me as soon as they accept.",
            "I have asked {count} members who could help; you will hear from me as soon as one accepts.",
            asked,
        )
    else:
        second = _(
            "I found nobody in the directory whose introduction matches yet; I'll tell you if nobody answers."
        )
    return f"{first} {second}"


def introduction(_: Translator, ask: AskView, helper: str, reasons: Sequence[tuple[str, str]]) -> Message:
    """The first message of the conversation opened for the asker and a member happy to help."""
    lines = [
        _(
            "{asker}, meet {helper}: they are happy to help with your ask “{need}”.",
            asker=mention(ask.asker),
            helper=mention(helper),
            need=untrusted(ask.need),
        ),
        _("{helper}, meet {asker}, who asked.", helper=mention(helper), asker=mention(ask.asker)),
    ]
    if reasons:
        lines.append(_("Why I thought of you: {reasons}.", reasons=reasons_text(_, reasons)))
    return Message(
        title=_("A warm introduction"),
        text="\n".join(lines),
        fields=_ask_fields(_, ask),
        buttons=(Button(SOLVED, _("Solved"), ref=str(ask.id)),),
        footer=_("Once it is sorted, the asker can press Solved."),
    )


def answered(_: Translator, ask: AskView, *, accepted: bool) -> Message:
    """The DM once answered (its buttons gone)."""
    text = (
        _(
            "✅ You are happy to help {asker} with “{need}”. Thank you!",
            asker=mention(ask.asker),
            need=untrusted(ask.need),
        )
        if accepted
        else _("You said not this time to “{need}”. No problem: nobody is told.", need=untrusted(ask.need))
    )
    return Message(text=text)


def ask_closed(_: Translator, status: str) -> str:
    return (
        _("This ask is solved: thank you all the same!")
        if status == "solved"
        else _("This ask was withdrawn.")
    )


def quiet(_: Translator, ask: AskView) -> Message:
    """To the asker, when nobody has accepted yet: kindly, with ways forward."""
    buttons = [Button(ANIMATORS, _("Ask the animators"), ref=str(ask.id))]
    if ask.discreet:
        buttons.insert(0, Button(WIDEN, _("Post it publicly"), ref=str(ask.id)))
    buttons.append(Button(WITHDRAW, _("Withdraw it"), ref=str(ask.id), style="secondary"))
    return Message(
        title=_("Nobody has said yes yet"),
        text=_(
            "Your ask “{need}” has found no one free yet. That happens: people are busy, and the right person "
            "may not be in the directory. Here is what you can do.",
            need=untrusted(ask.need),
        ),
        buttons=tuple(buttons),
    )


def follow_up(_: Translator, ask: AskView) -> Message:
    """To the asker, once, after the date or two weeks: is it solved?"""
    return Message(
        title=_("Did you find help?"),
        text=_("About your ask “{need}”: is it sorted?", need=untrusted(ask.need)),
        buttons=(
            Button(SOLVED, _("Solved"), ref=str(ask.id)),
            Button(STILL, _("Still looking"), ref=str(ask.id), style="secondary"),
            Button(WITHDRAW, _("Withdraw it"), ref=str(ask.id), style="secondary"),
        ),
        footer=_("I won't ask again."),
    )


def solved_form(_: Translator, ask_id: int, helpers: str) -> Form:
    """Who helped (optional) and a thank-you (optional)."""
    return Form(
        SOLVED_FORM,
        _("Solved!"),
        fields=(
            FormField("helper", _("Who helped (optional)"), max_length=100, default=helpers),
            FormField(
                "thanks",
                _("A thank-you to post (optional)"),
                multiline=True,
                max_length=500,
                placeholder=_("e.g. Thank you for your time and your advice!"),
            ),
        ),
        ref=str(ask_id),
        submit_label=_("Mark solved"),
    )


def thanks_post(_: Translator, ask: AskView, helper: str | None, thanks: str) -> Message:
    """The thank-you posted for a public ask solved (naming the helper unless they declined)."""
    text = (
        _(
            "{asker} thanks {helper} for their help with “{need}”.",
            asker=mention(ask.asker),
            helper=mention(helper),
            need=untrusted(ask.need),
        )
        if helper
        else _(
            "{asker} thanks a member of the network for their help with “{need}”.",
            asker=mention(ask.asker),
            need=untrusted(ask.need),
        )
    )
    if thanks:
        text += "\n" + f"“{untrusted(thanks)}”"
    return Message(title=_("Thank you!"), text=text)


def thanks_dm(_: Translator, ask: AskView, thanks: str, *, named: bool) -> Message:
    """To the helper: the asker's thanks; where it was posted naming them, a button to take their name off."""
    text = _(
        "{asker} marked “{need}” solved and thanks you for your help.",
        asker=mention(ask.asker),
        need=untrusted(ask.need),
    )
    if thanks:
        text += "\n" + f"“{untrusted(thanks)}”"
    buttons: tuple[Button, ...] = ()
    if named:
        text += "\n" + _("The thank-you is posted with your name.")
        buttons = (Button(UNNAME, _("Don't name me"), ref=str(ask.id), style="secondary"),)
    return Message(title=_("Thank you!"), text=text, buttons=buttons)


def refer_form(_: Translator, ask_id: int) -> Form:
    return Form(
        REFER_FORM,
        _("Who could help?"),
        fields=(FormField("member", _("The member (@name)"), required=True, max_length=100),),
        ref=str(ask_id),
        submit_label=_("Ask them"),
    )


def ask_line(_: Translator, ask: AskView, *, mine: bool) -> str:
    """One line of ``/agora asks``."""
    line = _("#{number} {asker}: {need}", number=ask.id, asker=mention(ask.asker), need=untrusted(ask.need))
    if ask.discreet:
        line += " " + _("(discreet)")
    if ask.when:
        line += " — " + _("by {date}", date=ask.when)
    if mine:
        line += " — " + _("yours")
    return line


def figures_text(_: Translator, figures: Figures, days: int) -> str:
    """For animators: counts, time to first offer, solved rate, who helps most (to thank them)."""
    lines = [
        _(
            "Last {days} days: {asks} asks, {open} open, {solved} solved, {withdrawn} withdrawn.",
            days=days,
            asks=figures.asks,
            open=figures.open,
            solved=figures.solved,
            withdrawn=figures.withdrawn,
        )
    ]
    if figures.first_offer is not None:
        hours = max(1, round(figures.first_offer.total_seconds() / 3600))
        lines.append(
            _.ngettext(
                "First offer after {count} hour (median).", "First offer after {count} hours (median).", hours
            )
        )
    if figures.solved_rate is not None:
        lines.append(_("Solved: {rate}% of the closed asks.", rate=round(figures.solved_rate * 100)))
    if figures.helpers:
        helpers = ", ".join(f"{mention(key)} ({count})" for key, count in figures.helpers)
        lines.append(_("Who helps most (to thank them; members don't see this): {helpers}", helpers=helpers))
    return "\n".join(lines)
