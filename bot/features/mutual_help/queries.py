"""Mutual help's SQL: asks, offers and helpers' preferences; the members who may be asked; the figures. No
messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.onboarding.queries import listed_profiles
from storage.models import Member
from storage.tables.mutual_help import AskStatus, HelpAsk, HelpOffer, HelpPreference, OfferSource, OfferStatus
from storage.tables.profiles import Profile

from .rules import Helper

__all__ = [
    "asked_since",
    "count_asked",
    "count_helped",
    "figure_rows",
    "helper_rows",
    "members_who_asked",
    "members_who_helped",
    "offer_of",
    "offers_of",
    "open_asks",
    "preference_of",
]


async def preference_of(
    session: AsyncSession, member: Member, *, now: datetime | None = None
) -> HelpPreference | None:
    """The member's choices as a helper (created with the defaults, at ``now``, when given and missing)."""
    found = await session.scalar(select(HelpPreference).where(HelpPreference.member_id == member.id))
    if found is None and now is not None:
        found = HelpPreference(
            community_id=member.community_id, member_id=member.id, paused=False, unnamed=False, updated_at=now
        )
        session.add(found)
    return found


async def asked_since(session: AsyncSession, community_id: int, since: datetime) -> dict[int, int]:
    """How many times each member was asked to help (suggested or named by someone) since ``since``."""
    rows = await session.execute(
        select(HelpOffer.helper_id, func.count(HelpOffer.id))
        .where(
            HelpOffer.community_id == community_id,
            HelpOffer.source != OfferSource.VOLUNTEERED,
            HelpOffer.asked_at >= since,
        )
        .group_by(HelpOffer.helper_id)
    )
    return {helper: int(count) for helper, count in rows.all()}


async def helper_rows(session: AsyncSession, community_id: int, asker: Member) -> list[Helper]:
    """The members who may be asked to help ``asker``: listed in the directory (here, charter accepted, not
    hidden), not paused, newest introduction first."""
    paused = select(HelpPreference.member_id).where(
        HelpPreference.community_id == community_id, HelpPreference.paused
    )
    query = (
        listed_profiles(community_id)
        .where(Member.id != asker.id, Member.id.not_in(paused))
        .order_by(Profile.introduced_at.desc(), Profile.id.desc())
        .with_only_columns(
            Member.id, Member.external_id, Profile.name, Profile.what, Profile.interests, Profile.offers
        )
    )
    return [
        Helper(member_id, key, name or key, what, list(interests or ()), offers, rank)
        for rank, (member_id, key, name, what, interests, offers) in enumerate(
            (await session.execute(query)).all()
        )
    ]


async def offer_of(session: AsyncSession, ask: HelpAsk, member: Member) -> HelpOffer | None:
    """``member``'s offer on ``ask``, if they were asked or volunteered."""
    return await session.scalar(
        select(HelpOffer).where(HelpOffer.ask_id == ask.id, HelpOffer.helper_id == member.id)
    )


async def offers_of(session: AsyncSession, ask: HelpAsk) -> list[tuple[HelpOffer, Member]]:
    """The members asked about ``ask``, with their answers, in the order they were asked."""
    rows = await session.execute(
        select(HelpOffer, Member)
        .join(Member, Member.id == HelpOffer.helper_id)
        .where(HelpOffer.ask_id == ask.id)
        .order_by(HelpOffer.id)
    )
    return [(offer, member) for offer, member in rows.all()]


async def open_asks(session: AsyncSession, community_id: int, member: Member | None) -> list[Any]:
    """Open asks, oldest first, with their asker: the public ones, and the discreet ones ``member`` asked or
    was asked about (all of them when ``member`` is None)."""
    query = (
        select(HelpAsk, Member)
        .join(Member, Member.id == HelpAsk.asker_id)
        .where(HelpAsk.community_id == community_id, HelpAsk.status == AskStatus.OPEN)
        .order_by(HelpAsk.created_at, HelpAsk.id)
    )
    if member is not None:
        concerned = select(HelpOffer.ask_id).where(HelpOffer.helper_id == member.id)
        query = query.where(or_(~HelpAsk.discreet, HelpAsk.asker_id == member.id, HelpAsk.id.in_(concerned)))
    return list((await session.execute(query)).all())


async def figure_rows(
    session: AsyncSession, community_id: int, since: datetime
) -> tuple[list[Any], list[str]]:
    """For the animators' figures: each ask since ``since`` (status, made, first accepted offer) and the helper
    of each accepted offer on them."""
    first = (
        select(HelpOffer.ask_id, func.min(HelpOffer.answered_at).label("first"))
        .where(HelpOffer.community_id == community_id, HelpOffer.status == OfferStatus.ACCEPTED)
        .group_by(HelpOffer.ask_id)
        .subquery()
    )
    asks = (
        await session.execute(
            select(HelpAsk.status, HelpAsk.created_at, first.c.first)
            .outerjoin(first, first.c.ask_id == HelpAsk.id)
            .where(HelpAsk.community_id == community_id, HelpAsk.created_at >= since)
        )
    ).all()
    helped = (
        await session.scalars(
            select(Member.external_id)
            .join(HelpOffer, HelpOffer.helper_id == Member.id)
            .join(HelpAsk, HelpAsk.id == HelpOffer.ask_id)
            .where(
                HelpOffer.community_id == community_id,
                HelpOffer.status == OfferStatus.ACCEPTED,
                HelpAsk.created_at >= since,
            )
        )
    ).all()
    return [(str(status), made, first_at) for status, made, first_at in asks], [str(name) for name in helped]


def _asked(community_id: int, since: datetime, until: datetime) -> list[Any]:
    return [HelpAsk.community_id == community_id, HelpAsk.created_at >= since, HelpAsk.created_at < until]


def _helped(community_id: int, since: datetime, until: datetime) -> list[Any]:
    return [
        HelpOffer.community_id == community_id,
        HelpOffer.status == OfferStatus.ACCEPTED,
        HelpOffer.answered_at >= since,
        HelpOffer.answered_at < until,
    ]


async def count_asked(session: AsyncSession, community_id: int, since: datetime, until: datetime) -> int:
    """Asks made in ``[since, until)`` (the health report's "asked")."""
    return int(
        await session.scalar(select(func.count(HelpAsk.id)).where(*_asked(community_id, since, until))) or 0
    )


def members_who_asked(community_id: int, since: datetime, until: datetime) -> Select[Any, Any]:
    """Members who asked the network for help in ``[since, until)`` (they were active)."""
    return select(HelpAsk.asker_id, HelpAsk.created_at).where(*_asked(community_id, since, until))


async def count_helped(session: AsyncSession, community_id: int, since: datetime, until: datetime) -> int:
    """Offers of help accepted in ``[since, until)`` (the health report's "helped")."""
    return int(
        await session.scalar(select(func.count(HelpOffer.id)).where(*_helped(community_id, since, until)))
        or 0
    )


def members_who_helped(community_id: int, since: datetime, until: datetime) -> Select[Any, Any]:
    """Members whose offer of help was accepted in ``[since, until)`` (they were active)."""
    return select(HelpOffer.helper_id, HelpOffer.answered_at).where(*_helped(community_id, since, until))
