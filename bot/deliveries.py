"""Posts that failed for good: telling the animators, once, what is missing and what it changed.

The courier reports an outbox entry that failed for good as ``PostFailed``. The core routes it to the feature that
recorded the entry (its ``@undelivered`` handler, found by the entry's ``origin``), which rolls its row back and
says in a ``ctx.reply`` what that changes ("Debate #2 is not open"). Then :func:`tell_failure` builds one notice:
where the post was going, what the platform said is missing, and the feature's lines; it goes to the animator who
acted (in the answer they are still waiting for, or by direct message), else to the announcements channel, else
by direct message to the animators listed by id. A notice that fails is only logged, never reported again.

:func:`recent_failures` lists what failed for good lately, for ``/healthz`` and ``/agora status``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.chat import Problem
from bot.context import Context
from bot.events import PostFailed
from bot.i18n import N_, Translator
from bot.messages import Message
from storage.database import Database
from storage.models import OutboxEntry, OutboxStatus

__all__ = [
    "NOTICE",
    "RECENT",
    "Failure",
    "failure_text",
    "failures_report",
    "problem_text",
    "recent_failures",
    "tell_failure",
]

log = logging.getLogger("agora.outbox")

# The origin of the notices themselves: one that fails is logged, never reported (no notice about a notice).
NOTICE = "notice"
RECENT = timedelta(hours=24)
# Operations that put something in a channel: their failure is worth a notice even when no feature claims it.
_CHANNEL_OPS = frozenset({"post", "group"})

_PROBLEMS: dict[str, str] = {
    Problem.VIEW_CHANNEL: N_("View Channel"),
    Problem.SEND_MESSAGES: N_("Send Messages"),
    Problem.EMBED_LINKS: N_("Embed Links"),
    Problem.CREATE_THREADS: N_("Create Public Threads and Send Messages in Threads"),
    Problem.PRIVATE_THREADS: N_("Create Private Threads"),
    Problem.MANAGE_ROLES: N_("Manage Roles (with my role above the roles I give)"),
}
_SITUATIONS: dict[str, str] = {
    Problem.NOT_A_MEMBER: N_(
        "It is a private channel I am not in (or it no longer exists): invite me to it, or choose another one."
    ),
    Problem.CANNOT_JOIN: N_("I am not allowed to join it: invite me to it, or choose another one."),
    Problem.READ_ONLY: N_("Only some people may post there: let me post, or choose another one."),
    Problem.ARCHIVED: N_("It is archived: unarchive it, or choose another one."),
    Problem.NOT_FOUND: N_("It no longer exists: choose another one."),
}


def problem_text(_: Translator, problems: tuple[str, ...] | frozenset[str] | list[str]) -> str:
    """What is missing, in the community's language: the permissions to give, or what is wrong with the channel.
    Empty when the platform did not say."""
    situations = [_(_SITUATIONS[p]) for p in problems if p in _SITUATIONS]
    if situations:
        return situations[0]
    permissions = [_(_PROBLEMS[p]) for p in _PROBLEMS if p in problems]
    if permissions:
        return _("Please give me these permissions there: {permissions}.", permissions=", ".join(permissions))
    return ""


def failure_text(_: Translator, event: PostFailed, lines: list[str]) -> str:
    """The notice about ``event``: where, why, and what the feature says it changed (``lines``)."""
    where = f"<#{event.channel}>" if event.channel else ""
    why = problem_text(_, event.problems)
    if event.abandoned:
        head = (
            _("⚠️ I could not post in {channel}: the platform kept failing, so I gave up.", channel=where)
            if where
            else _("⚠️ Something I had to do kept failing on the platform, so I gave up.")
        )
    elif where and why:
        head = _("⚠️ I could not post in {channel}. {reason}", channel=where, reason=why)
    elif where:
        head = _("⚠️ I could not post in {channel}: the platform refused it.", channel=where)
    else:
        head = _("⚠️ Something I had to do was refused by the platform.")
    fix = _("Channels are chosen with /agora setup, which also checks that I can post in them.")
    return "\n".join([head, *lines, fix])


async def tell_failure(ctx: Context[PostFailed]) -> None:
    """After the feature's handler: one notice, to the animator who acted (in the answer they are waiting for,
    else by DM), else in the announcements channel, else by DM to the animators listed by id. What the feature
    said joins it. A member who acted and is waiting hears only what it changed for them."""
    event = ctx.event
    lines = [m.text for m in ctx.outcome.replies if m.text]
    ctx.outcome.replies = []
    if event.origin == NOTICE:
        log.warning("an animator notice could not be delivered", extra={"entry": event.entry})
        return
    # A DM whose failure names what is missing failed in the channel it falls back to (a member refusing DMs
    # whose welcome could not reach them there either): that is told. Other DMs, tally updates, roles and
    # invitations have their own paths (logs, the adapters' notices).
    fell_back = event.op == "dm" and bool(event.channel and event.problems)
    if event.op not in _CHANNEL_OPS and not fell_back and not lines:
        return
    notice = Message(text=failure_text(ctx._, event, lines), ephemeral=True)
    if event.actor_waiting and event.actor_id:
        ctx.reply(notice)
        return
    if event.actor_waiting:
        # A member waiting for their answer (their introduction): what it changed for them, without the
        # animators' part; the animators hear of it below.
        ctx.reply(
            Message(
                text="\n".join(lines) or ctx._("I could not post it; the animators are told."), ephemeral=True
            )
        )
    private = Message(text=notice.text)
    if event.actor_id:
        # Built in their words: ``ctx._`` speaks to the member whose action failed (``speak_to_actor``).
        await ctx.dm(event.actor_id, lambda _: private, origin=(NOTICE, str(event.entry)))
        return
    announcements = ctx.settings.channel("announcements")
    if announcements and announcements != event.channel:
        ctx.post(announcements, private, origin=(NOTICE, str(event.entry)))
        return
    animators = [a for a in ctx.settings.animators if a and not any(c.isspace() for c in a)]
    # Nobody acted: the features said it in the community's words, which the animators read here.
    await ctx.dm_each(animators, lambda _: private, origin=(NOTICE, str(event.entry)))
    if not animators:
        log.warning(
            "nobody to tell that a post failed for good",
            extra={"entry": event.entry, "channel": event.channel},
        )


@dataclass(frozen=True)
class Failure:
    """An outbox entry that failed for good: what it was, where, when, and why."""

    entry: int
    community_id: int
    op: str
    channel: str | None
    origin: str | None
    problems: tuple[str, ...]
    error: str
    at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "entry": self.entry,
            "op": self.op,
            "channel": self.channel,
            "origin": self.origin,
            "problems": list(self.problems),
            "error": self.error,
            "at": self.at.isoformat(),
        }


async def recent_failures(
    session: AsyncSession, now: datetime, community_id: int | None = None, limit: int = 20
) -> list[Failure]:
    """Entries that failed for good (refused or abandoned) in the last 24 hours, newest first."""
    query = (
        select(OutboxEntry)
        .where(
            OutboxEntry.status.in_([OutboxStatus.FAILED, OutboxStatus.ABANDONED]),
            OutboxEntry.done_at >= now - RECENT,
        )
        .order_by(OutboxEntry.done_at.desc(), OutboxEntry.id.desc())
        .limit(limit)
    )
    if community_id is not None:
        query = query.where(OutboxEntry.community_id == community_id)
    failures = []
    for entry in await session.scalars(query):
        payload = entry.payload or {}
        channel = payload.get("channel") or payload.get("parent") or payload.get("fallback_channel")
        failures.append(
            Failure(
                entry=entry.id,
                community_id=entry.community_id,
                op=entry.op,
                channel=str(channel) if channel else None,
                origin=entry.origin,
                problems=tuple(p for p in (entry.problem or "").split(",") if p),
                error=entry.last_error or entry.status.value,
                at=entry.done_at or entry.created_at,
            )
        )
    return failures


async def failures_report(database: Database, now: datetime) -> dict[str, Any]:
    """What ``/healthz`` shows of the posts that failed for good in the last 24 hours: how many, the latest."""
    async with database.transaction() as session:
        count = await session.scalar(
            select(func.count(OutboxEntry.id)).where(
                OutboxEntry.status.in_([OutboxStatus.FAILED, OutboxStatus.ABANDONED]),
                OutboxEntry.done_at >= now - RECENT,
            )
        )
        latest = await recent_failures(session, now, limit=5)
    return {"count": int(count or 0), "latest": [failure.to_json() for failure in latest]}
