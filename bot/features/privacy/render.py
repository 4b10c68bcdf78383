"""Privacy's messages, from plain data: the member's page, the export (JSON and a readable summary), the erase
confirmation and its outcome, and the animators' status page. No database."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.durations import format_duration
from bot.features.privacy.rules import Section
from bot.i18n import Translator
from bot.messages import Attachment, Button, Field, Message

__all__ = [
    "CANCEL",
    "ERASE",
    "ERASE_CONFIRM",
    "EXPORT",
    "cancelled",
    "confirm_erase",
    "erased",
    "export_message",
    "export_sent",
    "my_page",
    "retention_rule",
    "status_page",
    "summary",
]

EXPORT = "privacy:export"
ERASE = "privacy:erase"
ERASE_CONFIRM = "privacy:erase-confirm"
CANCEL = "privacy:cancel"


def retention_rule(_: Translator, retention: timedelta | None) -> str:
    """What happens to a member's data when they leave, in one sentence."""
    if retention is None:
        return _("When a member leaves, Agora keeps their data until they ask for it to be erased.")
    if retention <= timedelta(0):
        return _("When a member leaves, Agora erases their data at once.")
    return _(
        "When a member leaves, Agora erases their data {delay} later (unless they come back).",
        delay=format_duration(retention),
    )


def _grouped(_: Translator, items: Sequence[tuple[str, str, int]]) -> tuple[Field, ...]:
    groups: dict[str, list[str]] = {}
    for title, label, count in items:
        groups.setdefault(title, []).append(f"• {_(label)} ({count})")
    return tuple(Field(_(title), "\n".join(lines)) for title, lines in groups.items())


def my_page(
    _: Translator, community: str, kept: Sequence[tuple[str, str, int]], retention: timedelta | None
) -> Message:
    """``/agora privacy``: what Agora keeps about the member here, by feature (label, how many rows)."""
    if kept:
        text = _(
            "What Agora keeps about you in {community}, with how many entries. Your messages on the platform "
            "itself are the platform's, not Agora's.",
            community=community,
        )
    else:
        text = _("Agora keeps nothing about you in {community} yet.", community=community)
    return Message(
        title=_("Your data"),
        text=text,
        fields=_grouped(_, kept),
        footer=retention_rule(_, retention),
        buttons=(
            Button(EXPORT, _("Export my data"), style="secondary"),
            Button(ERASE, _("Erase my data"), style="danger"),
        ),
        ephemeral=True,
    )


def summary(_: Translator, community: str, sections: Sequence[Section], now: datetime) -> str:
    """The export as a person reads it: each feature's entries, field by field."""
    lines = [_("Your data in {community}, exported on {date}.", community=community, date=now.isoformat())]
    title = None
    for section in sections:
        if section.title != title:
            title = section.title
            lines += ["", f"== {_(title)} =="]
        lines += ["", f"{_(section.label)}:"]
        for row in section.rows:
            lines.append("  - " + "; ".join(f"{k}: {_value(v)}" for k, v in row.items()))
    return "\n".join(lines) + "\n"


def _value(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "community"


def export_message(
    _: Translator, community: str, sections: Sequence[Section], now: datetime, files: bool
) -> Message:
    """The direct message carrying the export: a JSON file and a readable summary (as text where the platform
    takes no files)."""
    data = {
        "community": community,
        "exported_at": now.isoformat(),
        "data": [{"feature": _(s.title), "what": _(s.label), "entries": s.rows} for s in sections],
    }
    readable = summary(_, community, sections, now)
    stem = f"agora-{_slug(community)}-{now:%Y-%m-%d}"
    text = _(
        "Here is everything Agora keeps about you in {community}: a JSON file (for machines) and a summary "
        "(for people).",
        community=community,
    )
    if not files:
        return Message(title=_("Your data"), text=f"{text}\n\n{readable[:3500]}")
    return Message(
        title=_("Your data"),
        text=text,
        attachments=(
            Attachment(f"{stem}.json", json.dumps(data, ensure_ascii=False, indent=2), "application/json"),
            Attachment(f"{stem}.txt", readable, "text/plain"),
        ),
    )


def export_sent(_: Translator) -> str:
    return _(
        "I'm sending your data by direct message. If it doesn't arrive, allow direct messages from Agora and "
        "ask again."
    )


def confirm_erase(_: Translator, community: str, kept: Sequence[tuple[str, str, int]]) -> Message:
    """What erasing goes through, before it does."""
    return Message(
        title=_("Erase your data?"),
        text=_(
            "This erases what Agora keeps about you in {community}: your introduction (and its post), your "
            "answers, choices and private requests are deleted; your name and id are removed from everything "
            "that stays. What stays, without your name: the counts you are part of (a debate's positions, a "
            "meeting's attendance, the charter's acceptance rate), and the texts you gave the community (a "
            "motion that was debated). Your own messages on the platform are the platform's. This cannot be "
            "undone.",
            community=community,
        ),
        fields=_grouped(_, kept),
        buttons=(
            Button(ERASE_CONFIRM, _("Yes, erase my data"), style="danger"),
            Button(CANCEL, _("Cancel"), style="secondary"),
        ),
        ephemeral=True,
    )


def erased(_: Translator, deleted: int, anonymized: int) -> Message:
    return Message(
        text=_(
            "Done: your data is erased ({deleted} entries deleted, {anonymized} kept without your name). If you "
            "use Agora again here, it starts from nothing.",
            deleted=deleted,
            anonymized=anonymized,
        ),
        ephemeral=True,
    )


def cancelled(_: Translator) -> Message:
    return Message(text=_("Nothing was erased."), ephemeral=True)


def status_page(
    _: Translator,
    kept: Sequence[tuple[str, str, int]],
    retention: timedelta | None,
    pending: int,
    members: int,
    dashboard: bool = False,
) -> Message:
    """``/agora privacy status``: what is kept (feature title, label, entries naming someone), the retention rule, pending erasures, the CSV exports (a third with the ``dashboard`` on: its Members page's)."""
    retained = _("off (kept)") if retention is None else format_duration(retention)
    fields = [
        *_grouped(_, kept),
        Field(_("Retention after leaving"), f"{retained}\n{retention_rule(_, retention)}"),
        Field(
            _("Waiting to be erased"),
            _.ngettext(
                "{count} member who left is not erased yet.",
                "{count} members who left are not erased yet.",
                pending,
            ),
        ),
        Field(
            _("Exports that exist"),
            _(
                "Animators can download three CSV files that name members: the charter's acceptance log "
                "(/agora charter export), who answered the next meeting (/agora meeting export) and the "
                "directory with each member's steps (the dashboard's Members page). Keep them no longer than "
                "you need them."
            )
            if dashboard
            else _(
                "Animators can download two CSV files that name members: the charter's acceptance log "
                "(/agora charter export) and who answered the next meeting (/agora meeting export). Keep them "
                "no longer than you need them."
            ),
        ),
    ]
    return Message(
        title=_("Privacy in this community"),
        text=_.ngettext(
            "What Agora keeps about this community's {count} member, by feature (entries naming someone).",
            "What Agora keeps about this community's {count} members, by feature (entries naming someone).",
            members,
        ),
        fields=tuple(fields),
        footer=_(
            "Change the retention with /agora privacy settings retention_after_leaving=90d (or 0d, or off)."
        ),
        ephemeral=True,
    )
