"""Icebreakers' messages: the question as asked, the review requests, the status page, the refusals. A translator
and plain values in, a ``Message`` or a text out; no database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.i18n import Translator
from bot.messages import Button, Field, Message, mention, untrusted
from bot.settings.types import CRON_LIMIT, excerpt

from .rules import MAX_LENGTH, MIN_GAP, MIN_LENGTH, TAG_LABELS, Candidate

__all__ = [
    "APPROVE",
    "REJECT",
    "REMOVE",
    "Status",
    "Suggestion",
    "author_message",
    "decision_text",
    "question_message",
    "question_refusal",
    "review_message",
    "rule_refusal",
    "status_message",
    "tags_text",
]

APPROVE = "icebreaker:approve"
REJECT = "icebreaker:reject"
REMOVE = "icebreaker:remove"


@dataclass(frozen=True)
class Suggestion:
    """A question of the community's own, as the review messages show it."""

    id: int
    text: str
    anonymous: bool
    status: str
    decided_by: str = ""
    decided_on: str = ""  # the decision's date, formatted in the community's time zone


def question_message(_: Translator, candidate: Candidate, *, threads: bool, next_date: str | None) -> Message:
    """The question as the community sees it, with who suggested it and when the next one comes."""
    lines = [untrusted(candidate.text)]
    if candidate.credit:
        lines.append(
            _("Question suggested by {member}", member=candidate.credit)
            if candidate.suggested
            else _("Question by {author}", author=candidate.credit)
        )
    footer = [
        _("Answer in the thread below, or simply react.") if threads else _("Answer below, or simply react.")
    ]
    if next_date is not None:
        footer.append(_("Next question: {date}.", date=next_date))
    # Members act, not only watch: the next question may be theirs.
    footer.append(_("Yours could be next: /agora icebreaker suggest."))
    return Message(title=_("Let's get to know each other"), text="\n".join(lines), footer=" ".join(footer))


def review_message(
    _: Translator, question: Suggestion, author: str | None, decision: str | None = None
) -> Message:
    """The review request an animator gets for a suggestion (with the decision once it is made)."""
    who = mention(author) if author else _("a former member")
    lines = [
        _("“{question}”", question=untrusted(question.text)),
        _("Suggested by {member}, who prefers not to be named when it is asked.", member=who)
        if question.anonymous
        else _("Suggested by {member}.", member=who),
    ]
    buttons: tuple[Button, ...] = ()
    if decision:
        lines.append(decision)
    else:
        buttons = (
            Button(APPROVE, _("Approve"), ref=str(question.id), style="success"),
            Button(REJECT, _("Reject"), ref=str(question.id), style="danger"),
        )
    return Message(
        title=_("A question suggested for the icebreakers"),
        text="\n".join(lines),
        buttons=buttons,
        footer=_("Approved questions are asked before the bank's."),
    )


def decision_text(_: Translator, question: Suggestion) -> str:
    """Who decided on a suggestion, what and when."""
    who = mention(question.decided_by) if question.decided_by else _("an animator")
    if question.status == "approved":
        return _("✅ Approved by {animator} on {date}.", animator=who, date=question.decided_on)
    if question.status == "rejected":
        return _("❌ Rejected by {animator} on {date}.", animator=who, date=question.decided_on)
    return _("Removed by {animator} on {date}.", animator=who, date=question.decided_on)


def author_message(_: Translator, question: Suggestion, *, approved: bool, credited: bool) -> Message:
    """What the member who suggested a question hears of the decision."""
    if not approved:
        return Message(
            _(
                "Thank you for suggesting “{question}”. The animators chose not to ask it this time; "
                "you are welcome to suggest another one whenever you like.",
                question=untrusted(question.text),
            )
        )
    if question.anonymous or not credited:
        text = _(
            "Good news: your question “{question}” was approved. It will be among the next ones asked, "
            "without your name.",
            question=untrusted(question.text),
        )
    else:
        text = _(
            "Good news: your question “{question}” was approved. It will be among the next ones asked, "
            "with your name.",
            question=untrusted(question.text),
        )
    return Message(text)


def tags_text(_: Translator, tags: Sequence[str]) -> str:
    """The chosen tags as a sentence's list (or "every tag")."""
    if not tags:
        return _("every tag")
    return _.list([_(TAG_LABELS.get(tag, tag)) for tag in tags])


def known_tags_text(_: Translator, known: Sequence[str]) -> str:
    """Every tag, as an animator may type it."""
    return ", ".join(_(TAG_LABELS.get(tag, tag)) for tag in known)


def rule_refusal(_: Translator, problem: str, rule: str, timezone: str) -> str:
    """Why a cron rule an animator typed is refused (``problem`` from ``rules.rule_problem``)."""
    if problem == "unreadable":
        return _(
            "“{rule}” is not a schedule I can read. Write it as a cron rule (minute hour day month "
            "weekday, in {timezone} time): for example “30 9 * * tue” for Tuesdays at 9:30, or "
            "“0 12 1 * *” for noon on the first day of each month.",
            rule=excerpt(rule),
            timezone=timezone,
        )
    if problem == "too_long":
        return _(
            "This schedule is too long to keep ({length} characters; at most {limit}). Shorten it with ranges, "
            "for example “0 18 * * mon-fri” rather than each day.",
            length=len(rule),
            limit=CRON_LIMIT,
        )
    if problem == "never":
        return _(
            "“{rule}” never comes round: no calendar has that date. Check the day and the month.",
            rule=excerpt(rule),
        )
    return _(
        "“{rule}” would ask a question less than {hours} hours after the previous one. "
        "Icebreakers work best once or twice a week.",
        rule=excerpt(rule),
        hours=int(MIN_GAP.total_seconds() // 3600),
    )


def question_refusal(_: Translator, problem: tuple[str, str], text: str, example: str) -> str:
    """Why ``text`` can't be a question (``problem`` from ``rules.question_problem``)."""
    reason, existing = problem
    if reason == "empty":
        return _(
            "The question is empty. Write it in one or two lines, for example: “{example}”", example=example
        )
    if reason == "short":
        return _(
            "“{question}” is too short to be a question: {minimum} characters at least.",
            question=untrusted(text),
            minimum=MIN_LENGTH,
        )
    if reason == "long":
        return _(
            "This question is {length} characters long; {maximum} at most, so that it can be answered "
            "in a line or two.",
            length=len(text),
            maximum=MAX_LENGTH,
        )
    if reason == "mentions":
        return _(
            "Please leave mentions (@someone, @everyone, #channel) out of the question: they would notify people."
        )
    return _("This question is already in the list: “{question}”", question=untrusted(existing))


@dataclass(frozen=True)
class Status:
    """What ``/agora icebreaker status`` shows, as plain values (dates already formatted)."""

    upcoming: tuple[str, ...]
    scheduled: bool  # a schedule row exists
    paused: bool
    channel: str | None
    done: int
    total: int
    last_question: str | None = None
    last_date: str = ""
    answers: int = 0  # members who answered the last question by reacting to it
    animator: bool = False
    rule: str = ""
    timezone: str = ""
    tags: tuple[str, ...] = ()
    credit: bool = True
    waiting: int = 0


def status_message(_: Translator, s: Status) -> Message:
    """The status page: when the next question comes, where, the progress through the questions, the last one."""
    fields: list[Field] = []
    if s.upcoming:
        fields.append(Field(_("Next question"), s.upcoming[0]))
        if len(s.upcoming) > 1:
            fields.append(Field(_("The one after"), s.upcoming[1]))
    elif s.scheduled and s.paused:
        fields.append(Field(_("Next question"), _("Paused by the animators for now.")))
    else:
        fields.append(Field(_("Next question"), _("Not scheduled yet.")))
    if s.channel:
        fields.append(Field(_("Where"), f"<#{s.channel}>", inline=True))
    fields.append(
        Field(
            _("Progress"),
            _.ngettext(
                "{count} question asked out of {total}; none comes back before all have been asked.",
                "{count} questions asked out of {total}; none comes back before all have been asked.",
                s.done,
                total=s.total,
            ),
        )
    )
    if s.last_question is not None:
        fields.append(
            Field(
                _("Last question"),
                _("“{question}”, on {date}", question=untrusted(s.last_question), date=s.last_date),
            )
        )
        if s.answers:
            fields.append(
                Field(
                    _("Answers by reaction"),
                    _.ngettext("{count} member reacted to it.", "{count} members reacted to it.", s.answers),
                    inline=True,
                )
            )
    if s.animator:
        fields.extend(_animator_fields(_, s))
    text = _("Have a question the group would enjoy? Suggest it with /agora icebreaker suggest.")
    if s.animator and not s.scheduled:
        text = _(
            "Icebreaker questions are not scheduled yet: set a schedule with /agora icebreaker schedule, "
            "or a channel for them with /agora setup icebreakers_channel=#channel."
        )
    elif s.animator and s.paused:
        text = _("Icebreaker questions are paused. Resume them with /agora icebreaker resume.")
    return Message(title=_("Icebreaker questions"), text=text, fields=tuple(fields), ephemeral=True)


def _animator_fields(_: Translator, s: Status) -> list[Field]:
    fields = [
        Field(_("Rule"), _("{rule} ({timezone} time)", rule=s.rule, timezone=s.timezone), inline=True),
        Field(_("Tags"), tags_text(_, s.tags), inline=True),
        Field(
            _("Credit"),
            _("whoever suggested a question is named") if s.credit else _("nobody is named"),
            inline=True,
        ),
    ]
    if s.waiting:
        fields.append(
            Field(
                _("Suggestions waiting"),
                _.ngettext(
                    "{count} suggestion is waiting: /agora icebreaker suggestions",
                    "{count} suggestions are waiting: /agora icebreaker suggestions",
                    s.waiting,
                ),
            )
        )
    return fields
