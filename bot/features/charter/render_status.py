"""The charter's pages for following it: its history, and the animators' status of who accepted the current
version. Translator and plain data in, ``Message`` out; no database (stored rows are read as plain data, and
moments arrive with the community's way of formatting them)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from bot.features.charter.render import LIST_LIMIT, acceptance_rate, section_label
from bot.i18n import Translator
from bot.messages import Field, Message, mention

__all__ = ["When", "history_page", "round_summary", "status_page", "why_waiting"]

# A moment as the community reads it (``ctx.format_time``): render formats no date itself.
When = Callable[[datetime], str]


def history_page(
    _: Translator,
    community: str,
    shown: Sequence[tuple[int, str, str, int]],
    total: int,
) -> Message:
    """Every version, the newest first: ``shown`` holds (version, date, origin, acceptances); ``total`` counts
    every version, shown or not."""
    fields = []
    for index, (version, date, made_by, accepted_by) in enumerate(shown):
        heading = _("Version {version} · {date}", version=version, date=date)
        if index == 0:
            heading += " · " + _("current")
        accepted = _.ngettext("accepted by {count} member", "accepted by {count} members", accepted_by)
        fields.append(Field(heading, f"{made_by}\n({accepted})"))
    text = _("Read any version with /agora charter version followed by its number.")
    if total > len(shown):
        text = _("The {count} most recent versions of {total}.", count=len(shown), total=total) + (" " + text)
    return Message(
        title=_("History of the charter of {community}", community=community),
        text=text,
        fields=tuple(fields),
        ephemeral=True,
    )


def round_summary(_: Translator, when: When, round_: Any) -> str:
    """Where a re-acceptance round stands (``round_``: a stored round, read as plain data)."""
    asked = _.ngettext(
        "{count} member was asked to accept it on {date}.",
        "{count} members were asked to accept it on {date}.",
        round_.asked,
        date=when(round_.started_at),
    )
    if round_.closed_at is not None:
        return f"{asked} " + _("The grace period ended on {date}.", date=when(round_.closed_at))
    if round_.reminded_at is not None:
        reminder = _("The reminder went out on {date}.", date=when(round_.reminded_at))
    elif round_.remind_at is not None:
        reminder = _("The reminder goes out on {date}.", date=when(round_.remind_at))
    else:
        reminder = ""
    grace = _("The grace period ends on {date}.", date=when(round_.grace_ends_at))
    return " ".join(p for p in (asked, reminder, grace) if p)


def why_waiting(
    _: Translator, when: When, request: Any, gated_at: datetime | None, *, existing: bool = False
) -> str:
    """Why a member hasn't accepted yet, from their newest request (a stored one, read as plain data);
    ``existing`` for a member who was there before Agora."""
    if gated_at is not None:
        return _("member access paused since {date}", date=when(gated_at))
    if request is None:
        return _("here before Agora, not invited yet") if existing else ""
    if request.snoozed_at is not None:
        return _("said “not now” on {date}", date=when(request.snoozed_at))
    if request.kind == "welcome":
        return _("newcomer, welcomed on {date}", date=when(request.asked_at))
    if request.kind == "existing":
        return _("here before Agora, invited on {date}", date=when(request.asked_at))
    if request.reminded_at is not None:
        return _("reminded on {date}", date=when(request.reminded_at))
    return _("asked on {date}", date=when(request.asked_at))


def status_page(
    _: Translator,
    version: int,
    members: int,
    waiting: Sequence[tuple[str, str]],
    *,
    round_summary: str | None,
    votes: Sequence[tuple[int, str, str]],
    campaign_summary: str | None = None,
) -> Message:
    """Who accepted the current version: ``waiting`` holds (member id, why) of those who haven't, ``votes``
    (number, section, until when) of the amendments being voted on; ``campaign_summary`` where the invitation of
    the members who were there before Agora stands."""
    parts = [acceptance_rate(_, members - len(waiting), members, version)]
    if round_summary is not None:
        parts.append(round_summary)
    if campaign_summary is not None:
        parts.append(campaign_summary)
    lines = [f"• {mention(member)}" + (f" — {why}" if why else "") for member, why in waiting[:LIST_LIMIT]]
    if len(waiting) > LIST_LIMIT:
        lines.append(_("and {count} more", count=len(waiting) - LIST_LIMIT))
    fields = []
    if lines:
        fields.append(Field(_("Not accepted yet ({count})", count=len(waiting)), "\n".join(lines)))
    if votes:
        fields.append(
            Field(
                _("Amendments being voted on"),
                "\n".join(
                    _(
                        "#{number} {section}, until {date}",
                        number=number,
                        section=section_label(_, section, short=True),
                        date=until,
                    )
                    for number, section, until in votes
                ),
            )
        )
    return Message(
        title=_("Charter status: version {version}", version=version),
        text="\n".join(parts),
        fields=tuple(fields),
        footer=_("The full log of acceptances: /agora charter export."),
        ephemeral=True,
    )
