"""The SQL of debates: the rows a handler needs, and the counts the health report reads. No messages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    DebateLeadAskStatus,
    DebateMotionStatus,
    DebateStatus,
    Member,
)
from storage.tables.debates import Debate, DebateLeadAsk, DebateMotion, DebateStance, DebateVolunteer

__all__ = [
    "animators_present",
    "debate_by_number",
    "debate_for_press",
    "debates_held",
    "duplicate_motion",
    "first_unused_motion",
    "last_used_by_key",
    "members_who_proposed_a_motion",
    "members_who_took_a_position",
    "next_lead",
    "next_number",
    "open_debates",
    "participants",
    "pending_asks",
    "pending_count",
    "pending_motions",
    "stance_of",
    "stances_with_members",
    "used_keys",
    "volunteer_of",
]


async def next_number(session: AsyncSession, community_id: int) -> int:
    """The number of a new debate: debates are numbered 1, 2, 3 ... in each community."""
    last = await session.scalar(select(func.max(Debate.number)).where(Debate.community_id == community_id))
    return (last or 0) + 1


async def debate_by_number(session: AsyncSession, community_id: int, number: int) -> Debate | None:
    return await session.scalar(
        select(Debate).where(Debate.community_id == community_id, Debate.number == number)
    )


async def open_debates(session: AsyncSession, community_id: int) -> list[Debate]:
    """The open debates, newest first."""
    return list(
        (
            await session.scalars(
                select(Debate)
                .where(Debate.community_id == community_id, Debate.status == DebateStatus.OPEN)
                .order_by(Debate.number.desc())
            )
        ).all()
    )


async def stance_of(session: AsyncSession, debate_id: int, member_id: int) -> DebateStance | None:
    return await session.scalar(
        select(DebateStance).where(DebateStance.debate_id == debate_id, DebateStance.member_id == member_id)
    )


async def debate_for_press(
    session: AsyncSession, community_id: int, debate_id: int, member_id: int
) -> tuple[Debate, int, int | None] | None:
    """For a position button: the debate (if it is this community's), how many members took a position in it,
    and the id of ``member_id``'s stance (None before their first), read in one round trip."""
    counted = select(func.count(DebateStance.id)).where(DebateStance.debate_id == Debate.id)
    own = select(DebateStance.id).where(DebateStance.debate_id == Debate.id, DebateStance.member_id == member_id)
    row = (
        await session.execute(
            select(Debate, counted.scalar_subquery(), own.scalar_subquery()).where(
                Debate.id == debate_id, Debate.community_id == community_id
            )
        )
    ).first()
    if row is None:
        return None
    debate, count, stance_id = row
    return debate, int(count or 0), stance_id


async def participants(session: AsyncSession, debate_id: int) -> int:
    """How many members took a position in the debate."""
    count = await session.scalar(
        select(func.count(DebateStance.id)).where(DebateStance.debate_id == debate_id)
    )
    return int(count or 0)


async def stances_with_members(session: AsyncSession, debate_id: int) -> list[tuple[DebateStance, str]]:
    """Each stance with its member's platform id, in the order they were taken."""
    rows = await session.execute(
        select(DebateStance, Member.external_id)
        .join(Member, Member.id == DebateStance.member_id)
        .where(DebateStance.debate_id == debate_id)
        .order_by(DebateStance.id)
    )
    return [(stance, external) for stance, external in rows.all()]


async def pending_asks(session: AsyncSession, debate_id: int) -> Sequence[DebateLeadAsk]:
    return (
        await session.scalars(
            select(DebateLeadAsk).where(
                DebateLeadAsk.debate_id == debate_id, DebateLeadAsk.status == DebateLeadAskStatus.PENDING
            )
        )
    ).all()


# --- motions --------------------------------------------------------------------------------------------------


async def first_unused_motion(session: AsyncSession, community_id: int) -> DebateMotion | None:
    """The community's oldest approved motion not debated yet: members' proposals wait their turn."""
    return await session.scalar(
        select(DebateMotion)
        .where(
            DebateMotion.community_id == community_id,
            DebateMotion.status == DebateMotionStatus.APPROVED,
            DebateMotion.used_at.is_(None),
        )
        .order_by(DebateMotion.created_at, DebateMotion.id)
        .limit(1)
    )


async def last_used_by_key(session: AsyncSession, community_id: int) -> dict[str, datetime]:
    """When each motion (by key) was last debated in the community."""
    rows = await session.execute(
        select(Debate.motion_key, func.max(Debate.opened_at))
        .where(Debate.community_id == community_id, Debate.status != DebateStatus.UNPOSTED)
        .group_by(Debate.motion_key)
    )
    return {key: at for key, at in rows.all()}


async def used_keys(session: AsyncSession, community_id: int) -> set[str]:
    return set(
        (
            await session.scalars(
                select(Debate.motion_key).where(
                    Debate.community_id == community_id, Debate.status != DebateStatus.UNPOSTED
                )
            )
        ).all()
    )


async def approved_motions(session: AsyncSession, community_id: int) -> Sequence[DebateMotion]:
    return (
        await session.scalars(
            select(DebateMotion)
            .where(
                DebateMotion.community_id == community_id, DebateMotion.status == DebateMotionStatus.APPROVED
            )
            .order_by(DebateMotion.id)
        )
    ).all()


async def pending_motions(session: AsyncSession, community_id: int) -> Sequence[DebateMotion]:
    """Members' proposals waiting for an animator, oldest first."""
    return (
        await session.scalars(
            select(DebateMotion)
            .where(
                DebateMotion.community_id == community_id, DebateMotion.status == DebateMotionStatus.PENDING
            )
            .order_by(DebateMotion.created_at, DebateMotion.id)
        )
    ).all()


async def pending_count(session: AsyncSession, community_id: int, member_id: int) -> int:
    """How many of ``member_id``'s proposals wait for the animators."""
    count = await session.scalar(
        select(func.count(DebateMotion.id)).where(
            DebateMotion.community_id == community_id,
            DebateMotion.proposed_by == member_id,
            DebateMotion.status == DebateMotionStatus.PENDING,
        )
    )
    return int(count or 0)


async def duplicate_motion(session: AsyncSession, community_id: int, text: str) -> DebateMotion | None:
    """A motion of the community with the same words (declined ones may come back)."""
    return await session.scalar(
        select(DebateMotion).where(
            DebateMotion.community_id == community_id,
            func.lower(DebateMotion.text) == text.lower(),
            DebateMotion.status != DebateMotionStatus.DECLINED,
        )
    )


async def animators_present(session: AsyncSession, community_id: int, animators: Sequence[str]) -> list[str]:
    """The platform ids of the configured animators who are members and have not left."""
    return list(
        (
            await session.scalars(
                select(Member.external_id).where(
                    Member.community_id == community_id,
                    Member.external_id.in_(animators),
                    Member.left_at.is_(None),
                )
            )
        ).all()
    )


# --- rotating lead --------------------------------------------------------------------------------------------


async def volunteer_of(session: AsyncSession, community_id: int, member_id: int) -> DebateVolunteer | None:
    return await session.scalar(
        select(DebateVolunteer).where(
            DebateVolunteer.community_id == community_id, DebateVolunteer.member_id == member_id
        )
    )


async def next_lead(session: AsyncSession, community_id: int, debate_id: int) -> Member | None:
    """The active volunteer who led least recently (never first) and was not asked for this debate yet."""
    asked = select(DebateLeadAsk.member_id).where(DebateLeadAsk.debate_id == debate_id)
    return await session.scalar(
        select(Member)
        .join(DebateVolunteer, Member.id == DebateVolunteer.member_id)
        .where(
            DebateVolunteer.community_id == community_id,
            DebateVolunteer.active,
            Member.left_at.is_(None),
            DebateVolunteer.member_id.not_in(asked),
        )
        .order_by(
            DebateVolunteer.last_led_at.is_not(None),
            DebateVolunteer.last_led_at,
            DebateVolunteer.volunteered_at,
            DebateVolunteer.id,
        )
        .limit(1)
    )


# --- health -----------------------------------------------------------------------------------------------------


def members_who_took_a_position(community_id: int, since: datetime, until: datetime) -> Select[Any, Any]:
    """Members who took a position in a debate in ``[since, until)`` (a health step's members)."""
    return select(DebateStance.member_id, DebateStance.taken_at).where(
        DebateStance.community_id == community_id,
        DebateStance.taken_at >= since,
        DebateStance.taken_at < until,
    )


def members_who_proposed_a_motion(community_id: int, since: datetime, until: datetime) -> Select[Any, Any]:
    """Members who proposed a motion in ``[since, until)``."""
    return select(DebateMotion.proposed_by, DebateMotion.created_at).where(
        DebateMotion.community_id == community_id,
        DebateMotion.proposed_by.is_not(None),
        DebateMotion.created_at >= since,
        DebateMotion.created_at < until,
    )


async def debates_held(session: AsyncSession, community_id: int, since: datetime, until: datetime) -> int:
    """How many debates opened in ``[since, until)``."""
    count = await session.scalar(
        select(func.count(Debate.id)).where(
            Debate.community_id == community_id, Debate.opened_at >= since, Debate.opened_at < until
        )
    )
    return int(count or 0)
