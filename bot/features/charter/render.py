"""The charter's messages: translator and plain data in, ``Message`` out. No database.

Versions are read through :class:`CharterLike` (a stored version is one, so is any object with those
attributes); dates arrive already formatted in the community's time zone.

The amendments' own messages (the vote post, its rule and result) are in :mod:`.render_amendments`, the
animators' pages (history, status) in :mod:`.render_status`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from bot.features.charter.text import SECTIONS, Change
from bot.i18n import N_, Translator
from bot.messages import Button, Field, Message, mention, untrusted

__all__ = [
    "ACCEPT",
    "LATER",
    "AmendmentLike",
    "CharterLike",
    "acceptance_rate",
    "change_fields",
    "charter_fields",
    "charter_message",
    "mentions",
    "mode_sentence",
    "origin",
    "percent",
    "reacceptance_message",
    "rules_summary",
    "section_label",
    "share_text",
    "still_waiting",
    "truncate",
]

ACCEPT = "charter:accept"
LATER = "charter:later"

# How many names a status or a summary lists before saying "and N more".
LIST_LIMIT = 40

_SECTION_TITLES = {
    "objective": N_("Our objective"),
    "animators": N_("Who animates the group, and why"),
    "rights": N_("Your rights"),
    "duties": N_("Your duties"),
}
_MODE_NAMES = {
    "animator": N_("the animators edit it"),
    "committee": N_("a committee proposes and approves"),
    "community": N_("the members vote"),
}
_SECTION_NAMES = {
    "objective": N_("Objective"),
    "animators": N_("Animators"),
    "rights": N_("Rights"),
    "duties": N_("Duties"),
}


class CharterLike(Protocol):
    """What rendering reads of a charter version."""

    @property
    def id(self) -> int: ...

    @property
    def version(self) -> int: ...

    @property
    def objective(self) -> str: ...

    @property
    def animators(self) -> list[Any]: ...

    @property
    def rights(self) -> list[Any]: ...

    @property
    def duties(self) -> list[Any]: ...


class AmendmentLike(Protocol):
    """What rendering reads of an amendment."""

    @property
    def id(self) -> int: ...

    @property
    def number(self) -> int: ...

    @property
    def section(self) -> str: ...

    @property
    def text(self) -> str: ...

    @property
    def reason(self) -> str: ...

    @property
    def mode(self) -> str: ...

    @property
    def quorum(self) -> float: ...

    @property
    def majority(self) -> float: ...

    @property
    def electorate(self) -> int: ...

    @property
    def voters(self) -> list[Any] | None: ...

    @property
    def status(self) -> str: ...


# --- small pieces ------------------------------------------------------------------------------------------


def section_label(_: Translator, section: str, *, short: bool = False) -> str:
    """A section's name as members read it: "Your rights" (in a charter), "Rights" (on a button)."""
    return _((_SECTION_NAMES if short else _SECTION_TITLES)[section])


def percent(_: Translator, part: int, whole: int) -> str:
    return _("{percent}%", percent=round(100 * part / whole) if whole else 0)


def share_text(_: Translator, value: float) -> str:
    """A share from the settings (0.3) as members read it (30%)."""
    return _("{percent}%", percent=round(value * 100))


def acceptance_rate(_: Translator, accepted: int, members: int, version: int) -> str:
    """The share of members who accepted ``version``, as a sentence."""
    # Computed first: a translation call nested in ngettext's arguments confuses the message extractor.
    rate = percent(_, accepted, members)
    return _.ngettext(
        "{count} of {members} members accepted version {version} ({percent}).",
        "{count} of {members} members accepted version {version} ({percent}).",
        accepted,
        members=members,
        version=version,
        percent=rate,
    )


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def mentions(_: Translator, external_ids: Sequence[str], limit: int = LIST_LIMIT) -> str:
    """Members mentioned in a list, the first ``limit`` of them and "and N more"."""
    shown = [mention(i) for i in external_ids[:limit]]
    if len(external_ids) > limit:
        shown.append(_("and {count} more", count=len(external_ids) - limit))
    return _.list(shown)


def footer(_: Translator, community: str, version: int) -> str:
    return _("Charter of {community}, version {version}", community=community, version=version)


def accept_button(_: Translator, charter: CharterLike) -> Button:
    return Button(ACCEPT, _("I accept the charter"), ref=str(charter.id), style="success")


# --- the charter and its changes ----------------------------------------------------------------------------


def charter_fields(_: Translator, charter: CharterLike) -> tuple[Field, ...]:
    """The charter's content, in the order a newcomer needs it: why, who and why them, rights, duties."""
    fields = []
    if charter.objective:
        fields.append(Field(_("Our objective"), untrusted(charter.objective)))
    if charter.animators:
        people = "\n".join(
            f"• {untrusted(p['name'])} — {untrusted(p['motivation'])}"
            if p.get("motivation")
            else f"• {untrusted(p['name'])}"
            for p in charter.animators
        )
        fields.append(Field(_("Who animates the group, and why"), people))
    if charter.rights:
        fields.append(Field(_("Your rights"), "\n".join(f"• {untrusted(r)}" for r in charter.rights)))
    if charter.duties:
        fields.append(Field(_("Your duties"), "\n".join(f"• {untrusted(d)}" for d in charter.duties)))
    return tuple(fields)


def charter_message(
    _: Translator, community: str, charter: CharterLike, *, text: str, title: str, button: bool = True
) -> Message:
    """A message presenting ``charter`` with its accept button."""
    return Message(
        title=title,
        text=text,
        fields=charter_fields(_, charter),
        buttons=(accept_button(_, charter),) if button else (),
        footer=footer(_, community, charter.version),
    )


def change_fields(_: Translator, changes: Iterable[Change]) -> tuple[Field, ...]:
    """The changes between two versions, one field per section: ➕ added, ➖ removed, ✏️ changed."""
    lines: dict[str, list[str]] = {}
    for change in changes:
        if change.kind == "added":
            line = f"➕ {untrusted(change.new)}"
        elif change.kind == "removed":
            line = f"➖ {untrusted(change.old)}"
        else:
            line = _("✏️ {new} (was: {old})", new=untrusted(change.new), old=untrusted(change.old))
        lines.setdefault(change.section, []).append(line)
    return tuple(
        Field(section_label(_, section), "\n".join(lines[section]))
        for section in SECTIONS
        if section in lines
    )


def origin(
    _: Translator,
    version: int,
    created_by: str,
    change_note: str,
    amendment: AmendmentLike | None,
    proposer: str,
) -> str:
    """Who made a version and why, in one sentence (``proposer``: the amendment's author's platform id;
    ``change_note``, written by a member, comes marked with ``untrusted()`` from the caller)."""
    note = truncate(change_note, 300)
    if amendment is not None and amendment.mode == "committee":
        return _(
            "Amendment #{number}, proposed by {author}, approved by the charter committee: “{note}”",
            number=amendment.number,
            author=mention(proposer),
            note=note,
        )
    if amendment is not None:
        return _(
            "Amendment #{number}, proposed by {author}, adopted by vote: “{note}”",
            number=amendment.number,
            author=mention(proposer),
            note=note,
        )
    if version == 1 or created_by == "config":
        return _("The founding charter.")
    return _("Changed by {author}: “{note}”", author=mention(created_by), note=note)


def reacceptance_message(
    _: Translator,
    community: str,
    charter: CharterLike,
    changes: Iterable[Change],
    *,
    origin: str,
    deadline: str,
    gating: bool,
    later: bool,
    read: str,
) -> Message:
    """The direct message asking a member to accept a new version: what changed, why, until when (``read``: the
    command that shows the charter, as the member's platform spells it)."""
    parts = [
        _(
            "Version {version} replaces version {previous}. {origin}",
            version=charter.version,
            previous=charter.version - 1,
            origin=origin,
        ),
        _("Here is what changed; the whole charter is one command away: {command}.", command=read),
        _(
            "Please accept it by {date}: after that, your member access pauses until you do.",
            date=deadline,
        )
        if gating
        else _("Please accept it by {date}.", date=deadline),
    ]
    buttons = [accept_button(_, charter)]
    if later:
        parts.append(_("Not the right moment? Press “Not now” and I won't remind you."))
        buttons.append(Button(LATER, _("Not now"), ref=str(charter.id), style="secondary"))
    else:
        parts.append(_("No reminder will follow."))
    return Message(
        title=_("The charter of {community} has changed", community=community),
        text="\n\n".join(parts),
        fields=change_fields(_, changes),
        buttons=tuple(buttons),
        footer=footer(_, community, charter.version),
    )


# --- how the charter changes ----------------------------------------------------------------------------------


def mode_sentence(_: Translator, mode: str, committee: Sequence[str]) -> str:
    """How the charter changes in this community, in a sentence."""
    if mode == "committee":
        how = _(
            "The charter committee ({members}) proposes and approves changes to the charter.",
            members=mentions(_, committee),
        )
    elif mode == "community":
        how = _(
            "Any member who accepted the charter can propose an amendment with /agora charter propose, "
            "and the members vote on it."
        )
    else:
        how = _("The animators edit the charter.")
    return how + " " + _("Every change is a new version that members are asked to accept.")


def rules_summary(_: Translator, title: str, rules: Any, durations: dict[str, str]) -> Message:
    """The charter rules page (``rules``: the charter_rules settings; ``durations``: theirs, as written)."""
    unset = _("not set")
    return Message(
        title=title,
        text=mode_sentence(_, rules.mode, rules.committee),
        fields=(
            Field(_("Mode"), f"{rules.mode} ({_(_MODE_NAMES[rules.mode])})", inline=True),
            Field(_("Committee"), mentions(_, rules.committee) or unset, inline=True),
            Field(_("Quorum"), share_text(_, rules.quorum), inline=True),
            Field(_("Majority (more than)"), share_text(_, rules.majority), inline=True),
            Field(_("Vote duration"), durations["vote_duration"], inline=True),
            Field(_("Grace period"), durations["grace_period"], inline=True),
            Field(_("Reminder after"), durations["reacceptance_reminder_after"], inline=True),
        ),
        footer=_("Change them with /agora charter rules and the option's name."),
        ephemeral=True,
    )


def field_errors(
    _: Translator, values: dict[str, str], labels: dict[str, str], limits: dict[str, int], default_limit: int
) -> dict[str, str]:
    """A form's refusals, one per field left empty or too long (none when every field is fine)."""
    errors = {}
    for name, label in labels.items():
        text = (values.get(name) or "").strip()
        limit = limits.get(name, default_limit)
        if not text:
            errors[name] = _("“{field}” is empty: write at least a line.", field=label)
        elif len(text) > limit:
            errors[name] = _(
                "“{field}” is {length} characters long; keep it under {limit}.",
                field=label,
                length=len(text),
                limit=limit,
            )
    return errors


# --- welcome, reminders and rounds ------------------------------------------------------------------------------


def welcome_message(_: Translator, community: str, charter: CharterLike) -> Message:
    """The newcomer's welcome: the charter, and how to accept it or say "not now"."""
    not_ready = _("Not ready yet? Type /agora charter later and I won't remind you.")
    welcome = _(
        "Before you meet the members, here is what this group is for, who animates it and why, "
        "and the few rules we share, so that you know where you are. "
        "When you have read it, press the button below."
    )
    return charter_message(
        _,
        community,
        charter,
        title=_("Welcome to {community}!", community=community),
        text=welcome + "\n\n" + not_ready,
    )


def reminder_message(_: Translator, community: str, charter: CharterLike) -> Message:
    """The newcomer's one reminder."""
    return charter_message(
        _,
        community,
        charter,
        title=_("A gentle reminder from {community}", community=community),
        text=_(
            "The charter is still waiting for your agreement: it takes a minute to read, and it opens "
            "the rest of the community to you. This is the only reminder you will get."
        ),
    )


def round_reminder_message(
    _: Translator,
    community: str,
    charter: CharterLike,
    changes: Iterable[Change],
    *,
    deadline: str,
    gating: bool,
) -> Message:
    """The one reminder of a re-acceptance round."""
    text = _(
        "Version {version} of the charter is waiting for your agreement until {date}. "
        "This is the only reminder you will get.",
        version=charter.version,
        date=deadline,
    )
    if gating:
        text += " " + _("After that date, your member access pauses until you accept it.")
    return Message(
        title=_("A gentle reminder from {community}", community=community),
        text=text,
        fields=change_fields(_, changes),
        buttons=(accept_button(_, charter),),
        footer=footer(_, community, charter.version),
    )


def still_waiting(_: Translator, waiting: Sequence[str], *, gating: bool) -> tuple[str, tuple[Field, ...]]:
    """When a grace period ends: what it means for those in ``waiting`` (a sentence to append, with its leading
    space) and the list of them, or nothing when everyone accepted."""
    if not waiting:
        return "", ()
    if gating:
        sentence = _(
            "Those who haven't accepted it have lost the member role until they do: "
            "it comes back as soon as they accept."
        )
    else:
        sentence = _(
            "On this platform Agora removes no one from channels: talk with them, "
            "and remove them by hand if your rules say so."
        )
    return " " + sentence, (Field(_("Not accepted yet ({count})", count=len(waiting)), mentions(_, waiting)),)


def grace_over_message(
    _: Translator, version: int, accepted: int, members: int, waiting: Sequence[str], *, gating: bool
) -> Message:
    """What the animators get when a round's grace period ends: who hasn't accepted, and what it means."""
    after, fields = still_waiting(_, waiting, gating=gating)
    text = acceptance_rate(_, accepted, members, version) + after
    return Message(
        title=_("Charter version {version}: the grace period is over", version=version),
        text=text,
        fields=fields,
        footer=_("Follow it with /agora charter status."),
    )
