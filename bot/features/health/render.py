"""The health report and the monthly digest as messages: a translator and the report's plain data in, a
``Message`` out. No database here."""

from __future__ import annotations

from collections.abc import Callable

from bot.i18n import Translator
from bot.messages import Attachment, Field, Message, mention, untrusted

from . import rules
from .report import HealthReport

__all__ = ["chart_attachment", "digest_message", "report_message", "signed", "suggestion_text"]

# How many members at risk the chat names (the dashboard lists them all).
AT_RISK_NAMED = 10


def signed(_: Translator, value: int) -> str:
    """A change as members read it: "+3", "−2", "=" (no change)."""
    if value > 0:
        return f"+{value}"
    if value < 0:
        return f"\u2212{-value}"
    return "="


def _points(_: Translator, before: float | None, now: float | None) -> str:
    if before is None or now is None:
        return ""
    return _("The period before: {percent}.", percent=_.percent(before))


def _funnel_lines(_: Translator, report: HealthReport) -> str:
    lines = []
    for stage in report.funnel:
        change = signed(_, stage.change)
        if stage.share is None:
            lines.append(
                _("• {stage}: {count} ({change})", stage=_(stage.label), count=stage.count, change=change)
            )
        else:
            lines.append(
                _(
                    "• {stage}: {count}, {share} of the step before ({change})",
                    stage=_(stage.label),
                    count=stage.count,
                    share=_.percent(stage.share),
                    change=change,
                )
            )
    return "\n".join(lines)


def _at_risk(_: Translator, report: HealthReport, names: bool) -> str:
    count = len(report.at_risk)
    if not count:
        return _("Nobody: every member who joined more than 30 days ago has gone further than the charter.")
    text = _.ngettext(
        "{count} member joined more than 30 days ago and has gone no further than the charter.",
        "{count} members joined more than 30 days ago and have gone no further than the charter.",
        count,
    )
    if names:
        shown = [mention(member.external_id) for member in report.at_risk[:AT_RISK_NAMED]]
        if count > AT_RISK_NAMED:
            text += "\n" + _("{names} and {count} more.", names=", ".join(shown), count=count - AT_RISK_NAMED)
        else:
            text += "\n" + _.list(shown)
    return text


def _meetings(_: Translator, report: HealthReport, timezone: str) -> str:
    lines = []
    for meeting in report.meetings:
        day = _.datetime(meeting.starts_at, timezone, "d MMM", now=report.now)
        if meeting.capacity:
            going = _("{going}/{capacity} going", going=meeting.going, capacity=meeting.capacity)
        else:
            going = _("{count} going", count=meeting.going)
        lines.append(_("• {day}, {title}: {going}", day=day, title=untrusted(meeting.title), going=going))
    if not lines:
        lines.append(_("No meeting took place yet."))
    if report.next_meeting_at is not None:
        lines.append(
            _(
                "Next meeting: {day}.",
                day=_.datetime(report.next_meeting_at, timezone, "d MMM", now=report.now),
            )
        )
    elif report.open_polls:
        lines.append(_("A date poll is open."))
    else:
        lines.append(_("No meeting is fixed."))
    return "\n".join(lines)


def _rounds(_: Translator, report: HealthReport) -> str:
    rounds = report.rounds
    if rounds.rate is None:
        return _("No round in the period.")
    return " ".join(
        part
        for part in (
            _.ngettext(
                "{percent} of the members grouped said they met ({met} of {count}).",
                "{percent} of the members grouped said they met ({met} of {count}).",
                rounds.grouped,
                percent=_.percent(rounds.rate),
                met=rounds.met,
            ),
            _points(_, rounds.previous_rate, rounds.rate),
        )
        if part
    )


def _debates(_: Translator, report: HealthReport) -> str:
    debates = report.debates
    if not debates.held:
        return _("No debate in the period.")
    change = signed(_, debates.participants - debates.previous_participants)
    text = _.ngettext(
        "{count} debate in the period; {people} members took a position ({change}).",
        "{count} debates in the period; {people} members took a position ({change}).",
        debates.held,
        people=debates.participants,
        change=change,
    )
    if debates.positions:
        text += " " + _.ngettext(
            "{count} mind changed out of {positions} positions.",
            "{count} minds changed out of {positions} positions.",
            debates.minds_changed,
            positions=debates.positions,
        )
    return text


def report_message(
    _: Translator, report: HealthReport, timezone: str, *, names: bool = True, ephemeral: bool = True
) -> Message:
    """The health report as the chat shows it. ``names``: name the members at risk (in a private answer only:
    a post in a channel must not single anyone out)."""
    days = report.period.days
    active = report.active
    return Message(
        title=_.ngettext("Community health, last {count} day", "Community health, last {count} days", days),
        text=_(
            "{members} members; {active} did something in the period ({change} against the {days} days before).",
            members=report.members,
            active=active.now,
            change=signed(_, active.change),
            days=days,
        ),
        fields=(
            Field(_("Members who joined in the period, step by step"), _funnel_lines(_, report)),
            Field(_("Members at risk"), _at_risk(_, report, names)),
            Field(_("Meetings: who came"), _meetings(_, report, timezone)),
            Field(_("Rounds"), _rounds(_, report), inline=True),
            Field(_("Debates"), _debates(_, report), inline=True),
        ),
        footer=_("Changes are against the previous {days} days.", days=days),
        ephemeral=ephemeral,
    )


def chart_attachment(_: Translator, report: HealthReport, png: bytes) -> Attachment:
    """The report's chart (``charts.report_png``) as the PNG attachment of its message."""
    return Attachment.binary(_("health") + f"-{report.now:%Y-%m-%d}.png", png, "image/png")


def _change_line(_: Translator, change: rules.Change) -> str:
    if change.unit == "rate":
        return _(
            "• {what}: {now} (was {before})",
            what=_(change.label),
            now=_.percent(change.now),
            before=_.percent(change.before),
        )
    return _(
        "• {what}: {now} (was {before}, {change})",
        what=_(change.label),
        now=int(change.now),
        before=int(change.before),
        change=signed(_, int(change.delta)),
    )


def suggestion_text(_: Translator, suggestion: rules.Suggestion, command: Callable[[str], str]) -> str:
    """The suggested action in a sentence, with the command that does it."""
    if suggestion.key == "meeting":
        if suggestion.count:
            return _.ngettext(
                "No meeting fixed for {count} week: {command}",
                "No meeting fixed for {count} weeks: {command}",
                suggestion.count,
                command=command("meeting poll"),
            )
        return _("No meeting fixed yet: {command}", command=command("meeting poll"))
    if suggestion.key == "introductions":
        return _.ngettext(
            "{count} newcomer has not introduced themselves: {command}",
            "{count} newcomers have not introduced themselves: {command}",
            suggestion.count,
            command=command("newcomers"),
        )
    if suggestion.key == "round":
        return _.ngettext(
            "{count} member has done nothing since the charter: bring them into a round with {command}",
            "{count} members have done nothing since the charter: bring them into a round with {command}",
            suggestion.count,
            command=command("round start"),
        )
    return _("No debate in the period: open one with {command}", command=command("debate start"))


def digest_message(_: Translator, report: HealthReport, command: Callable[[str], str]) -> Message:
    """The monthly digest: the three things that changed most, and one suggested action."""
    changes = report.top_changes(3)
    suggestion = report.suggestion()
    fields = [
        Field(
            _("What changed most"),
            "\n".join(_change_line(_, change) for change in changes) if changes else _("Nothing moved."),
        )
    ]
    if suggestion is not None:
        fields.append(Field(_("One thing to do"), suggestion_text(_, suggestion, command)))
    return Message(
        title=_("Your community this month"),
        text=_.ngettext(
            "{count} member, {active} active in the last {days} days. The full report: {command}",
            "{count} members, {active} active in the last {days} days. The full report: {command}",
            report.members,
            active=report.active.now,
            days=report.period.days,
            command=command("health"),
        ),
        fields=tuple(fields),
        footer=_("Stop this monthly digest with {command} digest=off.", command=command("health settings")),
    )
