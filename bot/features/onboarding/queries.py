"""Onboarding's SQL: profiles (the listed ones, a member's own), each newcomer's path, the rows the suggestions
and the digest read, and the health figures. No messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Acknowledgement, Member
from storage.tables.profiles import Newcomer, Profile

__all__ = [
    "digest_rows",
    "find_newcomer",
    "has_accepted",
    "introduced",
    "listed_profiles",
    "newcomer_of",
    "profile_of",
    "suggestion_rows",
    "suggestion_texts",
]


def listed_profiles(community_id: int) -> Select[Profile, Member]:
    """Profiles anyone may see: members still here, who accepted the charter and did not hide themselves."""
    return (
        select(Profile, Member)
        .join(Member, Member.id == Profile.member_id)
        .where(
            Profile.community_id == community_id,
            ~Profile.hidden,
            Member.left_at.is_(None),
            exists().where(Acknowledgement.member_id == Member.id),
        )
    )


async def has_accepted(session: AsyncSession, member: Member) -> bool:
    """Whether ``member`` accepted a version of the charter (any: a new version does not erase who they are)."""
    found = await session.scalar(
        select(Acknowledgement.id).where(Acknowledgement.member_id == member.id).limit(1)
    )
    return found is not None


async def profile_of(session: AsyncSession, member: Member) -> Profile | None:
    """The member's introduction, if they made one."""
    return await session.scalar(select(Profile).where(Profile.member_id == member.id))


async def find_newcomer(session: AsyncSession, member: Member) -> Newcomer | None:
    """The member's path through onboarding, if it was recorded."""
    return await session.scalar(select(Newcomer).where(Newcomer.member_id == member.id))


async def newcomer_of(session: AsyncSession, member: Member, *, first_seen: bool = False) -> Newcomer:
    """The member's path through onboarding, started now if it was not. ``first_seen``: the member was stored by
    this transaction (``Context.first_seen``), so no path of theirs can exist yet and none is looked up."""
    newcomer = None if first_seen else await find_newcomer(session, member)
    if newcomer is None:
        newcomer = Newcomer(community_id=member.community_id, member_id=member.id, joined_at=member.joined_at)
        session.add(newcomer)
        if not first_seen:
            await session.flush()
    return newcomer


def _others(community_id: int, member: Member) -> Select[Profile, Member]:
    return (
        listed_profiles(community_id)
        .where(Member.id != member.id)
        .order_by(Profile.introduced_at.desc(), Profile.id.desc())
    )


async def suggestion_rows(session: AsyncSession, community_id: int, member: Member) -> list[Any]:
    """The members ``member`` may be suggested, newest introduction first, as plain columns (a large
    community's profiles are read, scored and forgotten): profile id, platform id, name, matching keys, date."""
    query = _others(community_id, member).with_only_columns(
        Profile.id, Member.external_id, Profile.name, Profile.match_keys, Profile.introduced_at
    )
    return list((await session.execute(query)).all())


async def suggestion_texts(
    session: AsyncSession, community_id: int, member: Member
) -> dict[int, tuple[list[str], str, str]]:
    """The texts of those profiles (interests, offers, needs), read only when some stored matching keys are
    missing or from another version."""
    query = _others(community_id, member).with_only_columns(
        Profile.id, Profile.interests, Profile.offers, Profile.needs
    )
    return {
        profile_id: (list(interests), offers, needs)
        for profile_id, interests, offers, needs in (await session.execute(query)).all()
    }


async def digest_rows(session: AsyncSession, community_id: int, since: datetime) -> list[Any]:
    """The newcomers who joined since ``since``, oldest first, with their member, their profile (or None) and
    when they first accepted the charter (or None)."""
    first_acceptance = (
        select(Acknowledgement.member_id, func.min(Acknowledgement.accepted_at).label("accepted_at"))
        .where(Acknowledgement.community_id == community_id)
        .group_by(Acknowledgement.member_id)
        .subquery()
    )
    return list(
        (
            await session.execute(
                select(Newcomer, Member, Profile, first_acceptance.c.accepted_at)
                .join(Member, Member.id == Newcomer.member_id)
                .outerjoin(Profile, Profile.member_id == Member.id)
                .outerjoin(first_acceptance, first_acceptance.c.member_id == Member.id)
                # Members who were there before Agora are no newcomers, even when they accept the charter and
                # introduce themselves now (invited by /agora charter invite-existing).
                .where(
                    Newcomer.community_id == community_id,
                    Newcomer.joined_at >= since,
                    Member.existing_at.is_(None),
                )
                .order_by(Newcomer.joined_at, Newcomer.id)
            )
        ).all()
    )


def introduced(community_id: int, since: datetime, until: datetime) -> Select[Any, Any]:
    """Members who introduced themselves in ``[since, until)`` (the funnel's step after accepting the charter)."""
    return select(Profile.member_id, Profile.introduced_at).where(
        Profile.community_id == community_id, Profile.introduced_at >= since, Profile.introduced_at < until
    )
