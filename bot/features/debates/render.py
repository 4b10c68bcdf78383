"""What debates say: the debate's post, its summary, the settings page, the status, the motions and the
proposals lists, the request to lead. Translator and plain data in, :class:`Message` out; no database.

Rows arrive as anything with the attributes the protocols below name (the ORM rows fit, as do test doubles).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.durations import format_duration
from bot.features.debates.summary import Summary
from bot.i18n import Translator
from bot.messages import Button, Field, Message, mention, untrusted

__all__ = [
    "APPROVE",
    "CLOSE",
    "LEAD_ACCEPT",
    "LEAD_DECLINE",
    "LEAD_EXPIRY",
    "REJECT",
    "SCHEDULED",
    "TAKE",
    "VOLUNTEER",
    "DebateLike",
    "MotionLike",
    "OpenDebate",
    "ask_message",
    "chunks",
    "debate_message",
    "footer",
    "motions_message",
    "proposal_message",
    "settings_page",
    "status_message",
    "summary_message",
]

TAKE = "debate:take"  # ref "<debate id>.<position index>"
LEAD_ACCEPT = "debate:lead-accept"  # ref: the request's id
LEAD_DECLINE = "debate:lead-decline"
VOLUNTEER = "debate:volunteer"
APPROVE = "debate:approve"  # ref: the motion's id
REJECT = "debate:reject"
CLOSE = "debate:close"  # timer, ref: the debate's id
LEAD_EXPIRY = "debate:lead-expiry"  # timer, ref: the request's id
SCHEDULED = "debate:scheduled"  # the community's recurring rule

When = Callable[[datetime], str]


class DebateLike(Protocol):
    """What rendering reads of a debate (read-only, so that the ORM row and its status enum fit)."""

    @property
    def id(self) -> int: ...

    @property
    def number(self) -> int: ...

    @property
    def motion(self) -> str: ...

    @property
    def positions(self) -> list[str]: ...

    @property
    def credit(self) -> str: ...

    @property
    def channel(self) -> str: ...

    @property
    def status(self) -> str: ...

    @property
    def anonymous(self) -> bool: ...

    @property
    def closes_at(self) -> datetime: ...

    @property
    def closed_at(self) -> datetime | None: ...


class MotionLike(Protocol):
    """What rendering reads of a community's own motion."""

    @property
    def id(self) -> int: ...

    @property
    def text(self) -> str: ...

    @property
    def positions(self) -> list[str]: ...

    @property
    def credited(self) -> bool: ...


def footer(_: Translator, debate: DebateLike) -> str:
    if debate.credit:
        return _("Debate #{number}, motion proposed by {author}", number=debate.number, author=debate.credit)
    return _("Debate #{number}", number=debate.number)


def debate_message(
    _: Translator, when: When, debate: DebateLike, participants: int, lead: str | None, *, threads: bool
) -> Message:
    """The debate's post: the motion, the buttons while open, how many took a position (not which: the
    distribution waits for the close, so nobody follows the crowd). ``lead`` is the lead's platform id."""
    where = (
        _(
            "Arguments go in the thread under this message: one idea per message, and reply to the ones "
            "you want to discuss."
        )
        if threads
        else _(
            "Post your arguments in this channel: one idea per message, and reply to the ones you want "
            "to discuss."
        )
    )
    privacy = (
        _("The summary at the close gives the counts and how many minds changed, without names.")
        if debate.anonymous
        else _("The summary at the close shows who stood where, with names.")
    )
    is_open = debate.status == "open"
    fields = [
        Field(
            _("Positions taken"),
            _.ngettext("{count} member so far", "{count} members so far", participants)
            if is_open
            else _.ngettext("{count} member", "{count} members", participants),
            inline=True,
        )
    ]
    if lead is not None:
        fields.append(Field(_("Led by"), mention(lead), inline=True))
    buttons: tuple[Button, ...] = ()
    if is_open:
        text = "\n".join(
            (
                _(
                    "Where do you stand? Take a position with a button below; you can change your mind "
                    "until {date}.",
                    date=when(debate.closes_at),
                ),
                where,
                privacy,
            )
        )
        buttons = tuple(
            Button(TAKE, position, ref=f"{debate.id}.{index}", style="secondary")
            for index, position in enumerate(debate.positions)
        )
    else:
        assert debate.closed_at is not None
        text = _("This debate closed on {date}. The summary is below.", date=when(debate.closed_at))
    return Message(
        title=_("Debate: {motion}", motion=untrusted(debate.motion)),
        text=text,
        fields=tuple(fields),
        buttons=buttons,
        footer=footer(_, debate),
    )


def summary_message(
    _: Translator, debate: DebateLike, summary: Summary, lead: str | None, *, volunteer_button: bool
) -> Message:
    """The summary posted at the close: where members stood at first and at the end, who moved where."""
    positions = summary.positions
    if not summary.participants:
        text = _("Nobody took a position this time.")
    else:
        took = _.ngettext(
            "{count} member took a position.", "{count} members took a position.", summary.participants
        )
        changed = (
            _.ngettext(
                "{count} of them changed their mind during the debate.",
                "{count} of them changed their minds during the debate.",
                summary.changed,
            )
            if summary.changed
            else _("Nobody changed their mind during the debate.")
        )
        text = f"{took} {changed}"
    fields: list[Field] = []
    if summary.participants:
        lines = [
            _(
                "{position}: {count} ({percent}%), {before} at the start",
                position=untrusted(position),
                count=summary.after[i],
                percent=summary.percents[i],
                before=summary.before[i],
            )
            for i, position in enumerate(positions)
        ]
        fields.append(Field(_("Where members stand at the close"), "\n".join(f"• {line}" for line in lines)))
    if summary.shifts:
        lines = []
        for shift in summary.shifts:
            line = _.ngettext(
                "{count} member went from “{source}” to “{target}”",
                "{count} members went from “{source}” to “{target}”",
                shift.count,
                source=untrusted(positions[shift.source]),
                target=untrusted(positions[shift.target]),
            )
            if not debate.anonymous and shift.members:
                line = f"{line}: {', '.join(shift.members)}"
            lines.append(f"• {line}")
        fields.append(Field(_("Who changed their mind, and in which direction"), "\n".join(lines)))
    if not debate.anonymous and summary.participants:
        lines = [
            f"• {untrusted(positions[i])}: {', '.join(names)}"
            for i, names in enumerate(summary.holders)
            if names
        ]
        fields.append(Field(_("Who stands where"), "\n".join(lines)))
    if summary.arguments:
        lines = []
        for argument in summary.arguments:
            line = _.ngettext(
                "“{argument}” ({count} reply)",
                "“{argument}” ({count} replies)",
                argument.replies,
                argument=untrusted(argument.excerpt),
            )
            if not debate.anonymous and argument.author:
                line = f"{line}, {argument.author}"
            lines.append(f"• {line}")
        fields.append(Field(_("The most-replied arguments"), "\n".join(lines)))
    if lead is not None:
        fields.append(Field(_("Led by"), _("{lead}: thank you!", lead=mention(lead))))
    privacy = (
        _("Anonymous summary: counts only, no names.")
        if debate.anonymous
        else _("As announced, this summary shows names.")
    )
    buttons: tuple[Button, ...] = ()
    if volunteer_button:
        buttons = (Button(VOLUNTEER, _("I'd like to lead a debate"), style="secondary"),)
    return Message(
        title=_("Debate closed: {motion}", motion=untrusted(debate.motion)),
        text=text,
        fields=tuple(fields),
        buttons=buttons,
        footer=f"{footer(_, debate)} · {privacy}",
    )


@dataclass(frozen=True)
class SettingsView:
    """The debate settings as the page shows them."""

    enabled: bool
    duration: timedelta
    anonymous: bool
    rotating_lead: bool
    lead_answer_within: timedelta
    schedule: str | None
    next_debate: str | None  # the next scheduled date, formatted; None when nothing is scheduled
    channel: str


def settings_page(_: Translator, title: str, view: SettingsView) -> Message:
    """The page of ``/agora debate settings``."""
    yes, no = _("yes"), _("no")
    schedule = (
        _("{rule} (next: {date})", rule=view.schedule, date=view.next_debate)
        if view.schedule and view.next_debate is not None
        else _("none: debates start when an animator runs /agora debate start")
    )
    return Message(
        title=title,
        text=_("Change them with /agora debate settings and the option's name, e.g. anonymous=no."),
        fields=(
            Field(_("Enabled"), yes if view.enabled else no, inline=True),
            Field(_("Duration"), format_duration(view.duration), inline=True),
            Field(_("Anonymous summaries"), yes if view.anonymous else no, inline=True),
            Field(_("Rotating lead"), yes if view.rotating_lead else no, inline=True),
            Field(
                _("Time to answer a request to lead"), format_duration(view.lead_answer_within), inline=True
            ),
            Field(_("Schedule"), schedule),
            Field(
                _("Channel"),
                f"<#{view.channel}>" if view.channel else _("not set: /agora setup debates_channel=#…"),
            ),
        ),
        ephemeral=True,
    )


@dataclass(frozen=True)
class OpenDebate:
    """An open debate as ``/agora debate status`` lists it, with the member's position (None: none yet)."""

    number: int
    motion: str
    channel: str
    closes: str
    position: str | None


def status_message(
    _: Translator, debates: Sequence[OpenDebate], next_debate: str | None, *, enabled: bool
) -> Message:
    """The open debates, the member's position in each, and the next debate."""
    fields = []
    for debate in debates:
        mine = (
            _("Your position: “{position}”.", position=untrusted(debate.position))
            if debate.position is not None
            else _("You haven't taken a position yet.")
        )
        closes = _("Closes on {date}.", date=debate.closes)
        fields.append(
            Field(f"#{debate.number} {untrusted(debate.motion)}", f"{closes} {mine}\n<#{debate.channel}>")
        )
    text = _("No debate is open right now.") if not fields else ""
    if next_debate is not None:
        fields.append(Field(_("Next debate"), next_debate))
    elif not enabled:
        fields.append(Field(_("Next debate"), _("Debates are switched off in this community.")))
    else:
        fields.append(Field(_("Next debate"), _("When an animator starts one: no regular schedule is set.")))
    return Message(
        title=_("Debates"),
        text=text,
        fields=tuple(fields),
        footer=_("Propose a motion of your own with /agora debate propose."),
        ephemeral=True,
    )


def motions_message(
    _: Translator,
    entries: Sequence[tuple[str, str, bool]],
    tags: Sequence[str],
    *,
    shown: int,
    animator: bool,
) -> Message:
    """The motions ready to debate: ``entries`` are (key, text, debated already), those not debated first."""
    listed = entries[:shown]
    debated = _("(debated)")
    lines = [
        f"• {key} — {untrusted(text)}" + (f" {debated}" if was_used else "") for key, text, was_used in listed
    ]
    more = len(entries) - len(listed)
    notes = []
    if more:
        notes.append(
            _.ngettext(
                "{count} more motion: narrow the list with tag=…",
                "{count} more motions: narrow the list with tag=…",
                more,
            )
        )
    notes.append(_("Tags: {tags}.", tags=", ".join(tags)))
    usage = (
        _("Start one with /agora debate start motion=<id>, or propose your own with /agora debate propose.")
        if animator
        else _("Propose your own with /agora debate propose: the animators review proposals.")
    )
    return Message(
        title=_("Motions ready to debate"),
        text=usage,
        fields=tuple(chunks(_("Motions"), lines)),
        footer=" ".join(notes),
        ephemeral=True,
    )


def proposal_message(
    _: Translator, motion: MotionLike, proposer: str | None, *, decided: str = ""
) -> Message:
    """A member's proposal as the animators review it (with the buttons), or as decided (``decided``)."""
    who = mention(proposer) if proposer is not None else _("a former member")
    fields = []
    if motion.positions:
        fields.append(Field(_("Positions"), "\n".join(f"• {untrusted(p)}" for p in motion.positions)))
    notes = [f"“{untrusted(motion.text)}”"]
    if not motion.credited:
        notes.append(_("The author asked not to be named when it is debated."))
    if decided:
        notes.append(decided)
    buttons: tuple[Button, ...] = ()
    if not decided:
        buttons = (
            Button(APPROVE, _("Approve"), ref=str(motion.id), style="success"),
            Button(REJECT, _("Decline"), ref=str(motion.id), style="secondary"),
        )
    return Message(
        title=_("Motion {key}, proposed by {member}", key=f"c{motion.id}", member=who),
        text="\n".join(notes),
        fields=tuple(fields),
        buttons=buttons,
        ephemeral=True,
    )


def ask_message(_: Translator, when: When, debate: DebateLike, ask_id: int, answer_by: datetime) -> Message:
    """The direct message asking a volunteer to lead a debate."""
    return Message(
        title=_("Would you lead this debate?"),
        text="\n".join(
            (
                _(
                    "The debate “{motion}” is open in <#{channel}> until {date}.",
                    motion=untrusted(debate.motion),
                    channel=debate.channel,
                    date=when(debate.closes_at),
                ),
                _(
                    "Leading means: welcome the first arguments, invite quieter members to speak, keep the "
                    "exchange kind, and sum up each side once midway. Volunteers take turns, and it is "
                    "your turn."
                ),
                _("Please answer by {date}; after that I ask the next volunteer.", date=when(answer_by)),
            )
        ),
        buttons=(
            Button(LEAD_ACCEPT, _("I'll lead it"), ref=str(ask_id), style="success"),
            Button(LEAD_DECLINE, _("Not this time"), ref=str(ask_id), style="secondary"),
        ),
        footer=_("You get this because you volunteered. To stop: /agora debate volunteer stop=yes."),
    )


def chunks(title: str, lines: list[str], limit: int = 1000) -> list[Field]:
    """Lines grouped into fields of ``title``, each under ``limit`` characters (Discord's cap: 1024)."""
    fields: list[Field] = []
    current: list[str] = []
    for line in lines:
        if current and len("\n".join([*current, line])) > limit:
            fields.append(Field(title, "\n".join(current)))
            current = []
        current.append(line)
    if current:
        fields.append(Field(title, "\n".join(current)))
    return fields
