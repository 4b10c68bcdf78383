"""The messages of a campaign inviting the members who were there before Agora (``/agora charter
invite-existing``): the invitation each of them gets, the animator's answer, its line in ``/agora charter status``
and the animator's report when the grace period ends. Translator and plain data in, ``Message`` out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.features.charter.render import (
    LATER,
    CharterLike,
    accept_button,
    charter_fields,
    footer,
    still_waiting,
)
from bot.features.charter.render_status import When
from bot.i18n import Translator
from bot.messages import Button, Message

__all__ = ["campaign_over", "campaign_started", "campaign_summary", "invitation", "pace_text"]


def pace_text(_: Translator, batch: int, interval: timedelta) -> str:
    """How fast the invitations go out, as a member reads it ("1 every 60 seconds")."""
    return _.ngettext(
        "{count} invitation every {seconds} seconds",
        "{count} invitations every {seconds} seconds",
        batch,
        seconds=int(interval.total_seconds()),
    )


def invitation(
    _: Translator, community: str, charter: CharterLike, *, deadline: str, gating: bool
) -> Message:
    """What a member who was there before Agora gets: why they are asked, the charter, accept or "not now"."""
    parts = [
        _(
            "{community} now has Agora, a bot that helps members meet and keeps the group's charter. "
            "You were here before it: welcome all the same! Here is what the group is for, who animates it "
            "and why, and the few rules we share.",
            community=community,
        ),
        _(
            "Please accept the charter by {date}: after that, your member access pauses until you do.",
            date=deadline,
        )
        if gating
        else _("Please accept it when you have read it, by {date} if you can.", date=deadline),
        _("Once you have accepted it, I will invite you to introduce yourself in two lines."),
        _("Not the right moment? Press “Not now” and I won't remind you."),
    ]
    return Message(
        title=_("{community} and its charter", community=community),
        text="\n\n".join(parts),
        fields=charter_fields(_, charter),
        buttons=(
            accept_button(_, charter),
            Button(LATER, _("Not now"), ref=str(charter.id), style="secondary"),
        ),
        footer=footer(_, community, charter.version),
    )


def campaign_started(
    _: Translator, total: int, batch: int, interval: timedelta, *, done_by: str, grace_ends: str, gating: bool
) -> str:
    """The animator's answer: how many are invited, at what pace, until when their access holds."""
    parts = [
        _.ngettext(
            "{count} member who was here before Agora is invited to accept the charter and introduce "
            "themselves.",
            "{count} members who were here before Agora are invited to accept the charter and introduce "
            "themselves.",
            total,
        ),
        _(
            "The invitations go out by direct message, {pace}, so as not to flood anyone: "
            "the last one by about {date}.",
            pace=pace_text(_, batch, interval),
            date=done_by,
        ),
        _(
            "Those who have the member role keep it until {date}; after that, it waits for their agreement.",
            date=grace_ends,
        )
        if gating
        else _("They are asked to accept it by {date}.", date=grace_ends),
        _("Follow it with /agora charter status."),
    ]
    return " ".join(parts)


def campaign_summary(_: Translator, when: When, campaign: Any, accepted: int) -> str:
    """Where a campaign stands (``campaign``: a stored one, read as plain data)."""
    if campaign.finished_at is None:
        sent = _(
            "Invitations to the members who were here before Agora: {invited} of {total} sent so far "
            "(started on {date}).",
            invited=campaign.invited,
            total=campaign.total,
            date=when(campaign.started_at),
        )
    else:
        sent = _.ngettext(
            "Invitations to the members who were here before Agora: all sent ({count}), the last on {date}.",
            "Invitations to the members who were here before Agora: all sent ({count}), the last on {date}.",
            campaign.invited,
            date=when(campaign.finished_at),
        )
    taken = _.ngettext("{count} of them accepted.", "{count} of them accepted.", accepted)
    if campaign.closed_at is not None:
        grace = _("Their grace period ended on {date}.", date=when(campaign.closed_at))
    else:
        grace = _("Their grace period ends on {date}.", date=when(campaign.grace_ends_at))
    return " ".join((sent, taken, grace))


def campaign_over(
    _: Translator,
    invited: int,
    accepted: int,
    waiting: Sequence[str],
    *,
    gating: bool,
    started: datetime | str,
) -> Message:
    """What the animator who started a campaign gets when its grace period ends."""
    text = _(
        "Of the {invited} members who were here before Agora and were invited on {date}, {accepted} accepted "
        "the charter.",
        invited=invited,
        accepted=accepted,
        date=started,
    )
    after, fields = still_waiting(_, waiting, gating=gating)
    return Message(
        title=_("The invitation of the members who were here before Agora is over"),
        text=text + after,
        fields=fields,
        footer=_("Follow it with /agora charter status."),
    )
