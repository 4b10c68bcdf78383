"""What the charter's handlers share: the current version in a context, who made a version, and adopting a new
version with its re-acceptance round (animators' edits and adopted amendments both do)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.chat import Capability
from bot.context import Context
from bot.errors import FormErrors
from bot.features.charter import queries, render
from bot.features.charter.text import CharterContent, diff
from bot.i18n import Translator
from bot.messages import Message, untrusted
from storage.models import Charter
from storage.tables.charter import Amendment, CharterRound

__all__ = [
    "NOTE_LIMIT",
    "ROUND_GRACE",
    "ROUND_REMINDER",
    "SECTION_LIMIT",
    "adopt_version",
    "check_fields",
    "community_name",
    "gating",
    "latest",
    "origin",
    "origins",
    "origins_in",
    "previous",
    "reacceptance_message",
]

ROUND_REMINDER = "charter:round:reminder"
ROUND_GRACE = "charter:round:grace"

# What a form field may hold: enough for a real charter section, little enough for every platform's inputs.
SECTION_LIMIT = 2000
NOTE_LIMIT = 1000


async def latest(ctx: Context[Any]) -> Charter:
    """The community's current charter version."""
    return await queries.latest_charter(ctx.session, ctx.community.id)


def community_name(ctx: Context[Any]) -> str:
    return ctx.settings.name or ctx.community.name


def gating(ctx: Context[Any]) -> bool:
    """Whether not accepting a new version in time withdraws something (a role), on this platform."""
    return bool(ctx.settings.member_role) and ctx.can(Capability.ROLES)


async def previous(ctx: Context[Any], charter: Charter) -> Charter | None:
    if charter.version <= 1:
        return None
    return await queries.charter_version(ctx.session, ctx.community.id, charter.version - 1)


async def origins(
    ctx: Context[Any], charters: Sequence[Charter], _: Translator | None = None
) -> dict[int, str]:
    """Who made each of these versions and why, in one sentence each (in ``_``'s words, the actor's by
    default)."""
    return await origins_in(ctx.session, _ or ctx._, charters)


async def origins_in(session: AsyncSession, _: Translator, charters: Sequence[Charter]) -> dict[int, str]:
    """:func:`origins` from a database session (the dashboard reads the history outside a handler)."""
    amendments = await queries.adopting_amendments(session, [c.id for c in charters])
    proposers = await queries.external_ids(session, [a.proposer_id for a in amendments.values()])
    out: dict[int, str] = {}
    for charter in charters:
        amendment = amendments.get(charter.id)
        proposer = proposers.get(amendment.proposer_id, "") if amendment is not None else ""
        out[charter.id] = render.origin(
            _, charter.version, charter.created_by, untrusted(charter.change_note), amendment, proposer
        )
    return out


async def origin(ctx: Context[Any], charter: Charter, _: Translator | None = None) -> str:
    return (await origins(ctx, [charter], _))[charter.id]


async def reacceptance_message(
    ctx: Context[Any],
    _: Translator,
    charter: Charter,
    before: Charter | None,
    round_: CharterRound,
    *,
    later: bool,
) -> Message:
    """The direct message asking a member to accept a new version (in their words ``_``): what changed, why,
    until when."""
    changes = diff(CharterContent.of(before), CharterContent.of(charter)) if before else []
    return render.reacceptance_message(
        _,
        community_name(ctx),
        charter,
        changes,
        origin=await origin(ctx, charter, _),
        deadline=ctx.format_time(round_.grace_ends_at, _),
        gating=gating(ctx),
        later=later,
        read=ctx.command_text("charter"),
    )


async def adopt_version(
    ctx: Context[Any],
    before: Charter,
    content: CharterContent,
    *,
    note: str,
    author: str,
    amendment: Amendment | None = None,
) -> Charter:
    """Record ``content`` as the version after ``before`` (``author``: the member's id, ``note``: why) and
    open its re-acceptance round: every current member who accepted an earlier version is asked again by
    direct message, with the changes; one reminder and the end of the grace period are stored timers."""
    charter = Charter(
        community_id=ctx.community.id,
        version=before.version + 1,
        change_note=note,
        created_by=author,
        created_at=ctx.now,
        **content.columns(),
    )
    ctx.session.add(charter)
    await ctx.session.flush()
    if amendment is not None:
        amendment.adopted_charter_id = charter.id
    rules = ctx.settings.charter_rules
    grace_ends = ctx.now + rules.grace_period
    remind_at = ctx.now + rules.reacceptance_reminder_after
    members = await queries.members_who_accepted(ctx.session, ctx.community.id)
    round_ = CharterRound(
        community_id=ctx.community.id,
        charter_id=charter.id,
        started_at=ctx.now,
        remind_at=remind_at,
        grace_ends_at=grace_ends,
        asked=len(members),
    )
    ctx.session.add(round_)
    await queries.insert_requests(ctx.session, ctx.community.id, charter, members, ctx.now)
    await ctx.dm_each(members, lambda _: reacceptance_message(ctx, _, charter, before, round_, later=True))
    await ctx.set_timer(ROUND_REMINDER, str(charter.id), remind_at)
    await ctx.set_timer(ROUND_GRACE, str(charter.id), grace_ends)
    return charter


def check_fields(
    _: Translator, values: dict[str, str], labels: dict[str, str], limits: dict[str, int] | None = None
) -> None:
    """Every field filled in and not too long, or FormErrors naming each one that isn't."""
    errors = render.field_errors(_, values, labels, limits or {}, SECTION_LIMIT)
    if errors:
        raise FormErrors(errors)
