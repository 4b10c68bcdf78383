"""Onboarding's messages: the invitation and the reminder, the introduction as posted, the thanks, the digest, the
settings page, and the profile fields the directory shares. A translator and plain values in (a profile is read
through its attributes only), a ``Message`` out; no database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from bot.durations import format_duration
from bot.i18n import Translator
from bot.messages import Button, Field, Message, mention, untrusted

from .matching import Suggestion
from .rules import LABELS

__all__ = [
    "INTRODUCE",
    "LATER",
    "DigestLine",
    "ProfileView",
    "charter_first",
    "digest_message",
    "form_errors",
    "introduction_message",
    "invitation",
    "invitation_done",
    "not_now",
    "profile_fields",
    "settings_page",
    "suggestion_lines",
    "thanks",
    "why_line",
]

INTRODUCE = "onboarding:introduce"
LATER = "onboarding:later"


class ProfileView(Protocol):
    """What the messages read of a profile."""

    name: str
    what: str
    location: str
    interests: list[Any]
    offers: str
    needs: str
    suggestions: list[Any]


def _clip(text: str, limit: int | None) -> str:
    if limit is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def profile_fields(_: Translator, profile: ProfileView, *, clip: int | None = None) -> tuple[Field, ...]:
    """What a profile says beyond its one line (empty answers are left out)."""
    fields = []
    if profile.location:
        fields.append(Field(_("Where"), untrusted(profile.location), inline=True))
    if profile.interests:
        fields.append(Field(_("Interests and skills"), untrusted(", ".join(profile.interests)), inline=True))
    if profile.offers:
        fields.append(Field(_("Can offer"), untrusted(_clip(profile.offers, clip))))
    if profile.needs:
        fields.append(Field(_("Looking for"), untrusted(_clip(profile.needs, clip))))
    return tuple(fields)


def why_line(_: Translator, suggestion: Suggestion) -> str:
    """The "why you two" of a suggestion, addressed to the newcomer."""
    parts = []
    if suggestion.shared:
        parts.append(_("You both care about: {topics}", topics=untrusted(", ".join(suggestion.shared))))
    if suggestion.they_offer:
        parts.append(
            _(
                "{name} offers what you look for: {topics}",
                name=untrusted(suggestion.name),
                topics=untrusted(", ".join(suggestion.they_offer)),
            )
        )
    if suggestion.you_offer:
        parts.append(
            _(
                "You offer what {name} looks for: {topics}",
                name=untrusted(suggestion.name),
                topics=untrusted(", ".join(suggestion.you_offer)),
            )
        )
    if not parts:
        parts.append(_("Just arrived too: you can discover the group together."))
    return " · ".join(parts)


def suggestion_lines(_: Translator, suggestions: Sequence[Suggestion]) -> str:
    """One line per suggested member: their mention, then why."""
    return "\n".join(f"• {mention(s.key)} — {why_line(_, s)}" for s in suggestions)


def introduction_message(_: Translator, profile: ProfileView, member_id: str) -> Message:
    """The introduction as posted in the introductions channel. The newcomer and the suggested members are
    mentioned in the text (not in a field), where every platform notifies them: they can say hello."""
    text = _("{member}: {what}", member=mention(member_id), what=untrusted(profile.what))
    suggestions = [Suggestion.from_dict(s) for s in profile.suggestions or []]
    if suggestions:
        heading = _("{name}, a few members you should meet:", name=untrusted(profile.name))
        text = f"{text}\n\n{heading}\n{suggestion_lines(_, suggestions)}"
    return Message(
        title=_("Say hello to {name}!", name=untrusted(profile.name)),
        text=text,
        fields=profile_fields(_, profile),
        footer=_("A first hello makes all the difference: answer below."),
    )


def invitation(_: Translator, *, community: str, channel: str | None, nudge: bool = False) -> Message:
    """The direct message inviting a newcomer to introduce themselves (or the one reminder)."""
    if nudge:
        title = _("Would you like to introduce yourself?")
        text = _(
            "The members of {community} would like to know who you are: two lines are enough, and I will "
            "point you to a few people worth meeting. This is the only reminder you will get.",
            community=community,
        )
    else:
        title = _("Introduce yourself in two lines")
        text = (
            _(
                "Tell the members who you are: one line about what you do is enough, the rest is optional. "
                "I will post it in {channel} and suggest a few members you should meet.",
                channel=f"<#{channel}>",
            )
            if channel
            else _(
                "Tell the members who you are: one line about what you do is enough, the rest is optional. "
                "I will suggest a few members you should meet."
            )
        )
    return Message(
        title=title,
        text=text,
        buttons=(
            Button(INTRODUCE, _("Introduce myself"), style="primary"),
            Button(LATER, _("Not now"), style="secondary"),
        ),
        footer=_(
            "Not now? Press the button and I won't ask again. "
            "You can introduce yourself any time with /agora profile."
        ),
    )


def charter_first(_: Translator, read: str) -> str:
    """Why someone who has not accepted the charter can't introduce themselves yet (``read``: the command that
    shows the charter, as the member's platform spells it)."""
    return _(
        "Before introducing yourself, please read and accept the charter: {command} shows it.", command=read
    )


def not_now(_: Translator) -> Message:
    """The invitation once the newcomer said "not now"."""
    return Message(
        title=_("Introduce yourself in two lines"),
        text=_("No problem: I won't ask again. Whenever you like, /agora profile opens your introduction."),
    )


def invitation_lapsed(_: Translator, command: str) -> Message:
    """The invitation (and reminder) once the newcomer's first weeks have passed unanswered: no buttons left."""
    return Message(
        title=_("Introduce yourself in two lines"),
        text=_(
            "Whenever you like, you can still introduce yourself: {command} opens the form.", command=command
        ),
    )


def invitation_done(_: Translator, channel: str | None) -> Message:
    """The invitation (and reminder) once the introduction is done: its buttons give way to a thank-you."""
    return Message(
        title=_("Introduce yourself in two lines"),
        text=_("✅ Done: your introduction is in {channel}.", channel=f"<#{channel}>")
        if channel
        else _("✅ Done: your introduction is saved."),
    )


def thanks(_: Translator, channel: str | None, suggestions: Sequence[Suggestion]) -> Message:
    """The answer to a first introduction: where it went, and who to meet when no channel shows it."""
    after = _("Change it any time with /agora profile; /agora profile hide keeps you out of the directory.")
    if channel and suggestions:
        text = _(
            "Thank you! Your introduction is now in {channel}, with a few members you should meet.",
            channel=f"<#{channel}>",
        )
    elif channel:
        text = _(
            "Thank you! Your introduction is now in {channel}. You are among the first to introduce "
            "yourself: the next newcomers will be pointed your way.",
            channel=f"<#{channel}>",
        )
    else:
        text = _(
            "Thank you! Your introduction is saved and members find it with /agora members. "
            "(No introductions channel is set up yet: an animator can choose one with /agora setup.)"
        )
    fields: tuple[Field, ...] = ()
    if suggestions and not channel:
        fields = (Field(_("A few members you should meet"), suggestion_lines(_, suggestions)),)
    return Message(text=f"{text} {after}", fields=fields, ephemeral=True)


def form_errors(
    _: Translator, problems: dict[str, str], cleaned: dict[str, str], limits: dict[str, int]
) -> dict[str, str]:
    """The form's problems (``rules.form_problems``) in words, next to their field."""
    errors = {}
    for name, problem in problems.items():
        if problem == "required":
            errors[name] = _("Say in a few words what you do: it is the only answer needed.")
        else:
            errors[name] = _(
                "“{field}” is limited to {limit} characters and yours has {length}: please shorten it.",
                field=_(LABELS[name]),
                limit=limits[name],
                length=len(cleaned[name]),
            )
    return errors


@dataclass(frozen=True)
class DigestLine:
    """A newcomer in the digest, dates already formatted (``"5 Jan"``)."""

    member_id: str
    stage: str  # rules.stage
    joined: str
    since: str = ""  # when they left, introduced themselves or accepted the charter (by stage)
    declined: bool = False
    nudged: str = ""


def digest_message(_: Translator, lines: Sequence[DigestLine], window: timedelta) -> Message:
    """Where each newcomer of the window stands, grouped by stage."""
    stages: dict[str, list[str]] = {"introduced": [], "accepted": [], "joined": [], "left": []}
    for line in lines:
        who = mention(line.member_id)
        joined = _("joined {date}", date=line.joined)
        if line.stage == "left":
            stages["left"].append(f"• {who} — {joined}, " + _("left {date}", date=line.since))
        elif line.stage == "introduced":
            stages["introduced"].append(f"• {who} — {joined}, " + _("introduced {date}", date=line.since))
        elif line.stage == "accepted":
            text = f"• {who} — {joined}, " + _("accepted the charter {date}", date=line.since)
            if line.declined:
                text += " · " + _("said “not now”")
            elif line.nudged:
                text += " · " + _("reminded {date}", date=line.nudged)
            stages["accepted"].append(text)
        else:
            stages["joined"].append(f"• {who} — {joined}")
    names = {
        "introduced": _("Introduced ({count})", count=len(stages["introduced"])),
        "accepted": _("Accepted the charter, not introduced yet ({count})", count=len(stages["accepted"])),
        "joined": _("Charter not accepted yet ({count})", count=len(stages["joined"])),
        "left": _("Left since ({count})", count=len(stages["left"])),
    }
    fields = tuple(Field(names[stage], "\n".join(found)) for stage, found in stages.items() if found)
    text = _.ngettext("{count} person joined.", "{count} people joined.", len(lines))
    if stages["accepted"] or stages["joined"]:
        text += " " + _("A word from you to those still on their way makes all the difference.")
    return Message(
        title=_.ngettext(
            "Newcomers of the last day", "Newcomers of the last {count} days", max(1, window.days)
        ),
        text=text,
        fields=fields,
    )


def settings_page(_: Translator, title: str, s: Any, animators: Sequence[str]) -> Message:
    """The onboarding settings page (``s``: the onboarding settings)."""
    off = _("off")
    if s.digest_to == "channel" and s.digest_channel:
        recipients = f"<#{s.digest_channel}>"
    elif animators:
        recipients = ", ".join(mention(a) for a in animators)
    else:
        recipients = _("nobody yet: add animators with /agora setup add_animator=…, or set digest_channel")
    return Message(
        title=title,
        text=_("Change any of them with /agora onboarding and the option's name."),
        fields=(
            Field(_("Invite newcomers to introduce themselves"), _("yes") if s.enabled else _("no"), True),
            Field(
                _("Reminder after"),
                format_duration(s.nudge_after) if s.nudge_after is not None else off,
                True,
            ),
            Field(_("Suggested members per introduction"), str(s.suggestions), True),
            Field(_("Digest schedule"), s.digest_cron or off, True),
            Field(_("Digest sent to"), recipients),
            Field(_("Newcomer window"), format_duration(s.newcomer_window), True),
            Field(_("Members per directory page"), str(s.directory_page_size), True),
        ),
        ephemeral=True,
    )
