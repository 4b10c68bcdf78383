"""The charter's SQL: versions, acknowledgements, acceptance requests and rounds, amendments and their votes.

Queries only (SQLAlchemy): no messages, no decisions. Each takes the session and what it reads about.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.charter.rules import Tally
from storage.models import Acknowledgement, AmendmentStatus, Charter, Member
from storage.tables.charter import Amendment, AmendmentVote, CharterCampaign, CharterRequest, CharterRound

__all__ = [
    "EXISTING",
    "REACCEPTANCE",
    "WELCOME",
    "acceptance_counts",
    "acceptance_log",
    "accepted_charter",
    "accepted_count",
    "accepted_member_ids",
    "accepted_since",
    "acknowledgement",
    "acknowledgement_count",
    "adopting_amendments",
    "amendment_by_number",
    "amendment_exists_for",
    "amendment_proposers",
    "amendment_tally",
    "amendments_proposed",
    "campaign_accepted",
    "campaign_target_count",
    "campaign_targets",
    "campaign_waiting",
    "charter_version",
    "charters",
    "current_count",
    "current_members",
    "external_ids",
    "gated_member_ids",
    "gated_since",
    "has_accepted_before",
    "insert_requests",
    "latest_campaign",
    "latest_charter",
    "latest_requests",
    "member_requests",
    "members_who_accepted",
    "next_amendment_number",
    "open_amendment_count",
    "open_amendment_on",
    "open_amendments",
    "recent_amendments",
    "request",
    "resolve_names",
    "round_of",
    "vote_of",
    "waiting",
    "waiting_rows",
]

WELCOME, REACCEPTANCE, EXISTING = "welcome", "reacceptance", "existing"


# --- versions and acknowledgements ---------------------------------------------------------------------------


async def latest_charter(session: AsyncSession, community_id: int) -> Charter:
    """The community's current charter version."""
    charter = await session.scalar(
        select(Charter).where(Charter.community_id == community_id).order_by(Charter.version.desc()).limit(1)
    )
    if charter is None:  # pragma: no cover - every community is created with version 1
        raise RuntimeError("community without a charter")
    return charter


async def charter_version(session: AsyncSession, community_id: int, version: int) -> Charter | None:
    return await session.scalar(
        select(Charter).where(Charter.community_id == community_id, Charter.version == version)
    )


async def charters(session: AsyncSession, community_id: int) -> Sequence[Charter]:
    """Every version, the newest first."""
    return (
        await session.scalars(
            select(Charter).where(Charter.community_id == community_id).order_by(Charter.version.desc())
        )
    ).all()


async def acknowledgement(session: AsyncSession, member: Member, charter: Charter) -> Acknowledgement | None:
    return await session.scalar(
        select(Acknowledgement).where(
            Acknowledgement.member_id == member.id, Acknowledgement.charter_id == charter.id
        )
    )


async def has_accepted_before(session: AsyncSession, member: Member) -> bool:
    """Whether ``member`` accepted any version."""
    return bool(await session.scalar(select(exists().where(Acknowledgement.member_id == member.id))))


async def accepted_since(session: AsyncSession, community_id: int, member: Member, version: int) -> bool:
    """Whether ``member`` accepted ``version`` or a later one (what voting on an amendment asks)."""
    return bool(
        await session.scalar(
            select(
                exists().where(
                    Acknowledgement.member_id == member.id,
                    Acknowledgement.charter_id == Charter.id,
                    Charter.community_id == community_id,
                    Charter.version >= version,
                )
            )
        )
    )


async def acknowledgement_count(session: AsyncSession, charter: Charter) -> int:
    """Acknowledgements of ``charter``, members gone included."""
    return int(
        await session.scalar(
            select(func.count(Acknowledgement.id)).where(Acknowledgement.charter_id == charter.id)
        )
        or 0
    )


async def acceptance_counts(session: AsyncSession, charter_ids: Sequence[int]) -> dict[int, int]:
    """How many acknowledgements each of these versions has."""
    rows = await session.execute(
        select(Acknowledgement.charter_id, func.count(Acknowledgement.id))
        .where(Acknowledgement.charter_id.in_(charter_ids))
        .group_by(Acknowledgement.charter_id)
    )
    return {charter_id: count for charter_id, count in rows.all()}


async def accepted_count(session: AsyncSession, charter: Charter) -> int:
    """Current members who accepted ``charter``."""
    return int(
        await session.scalar(
            select(func.count(Acknowledgement.id))
            .join(Member, Member.id == Acknowledgement.member_id)
            .where(Acknowledgement.charter_id == charter.id, Member.left_at.is_(None))
        )
        or 0
    )


async def current_count(session: AsyncSession, community_id: int) -> int:
    """Members who haven't left."""
    return int(
        await session.scalar(
            select(func.count(Member.id)).where(Member.community_id == community_id, Member.left_at.is_(None))
        )
        or 0
    )


async def current_members(session: AsyncSession, community_id: int) -> Sequence[Member]:
    return (
        await session.scalars(
            select(Member)
            .where(Member.community_id == community_id, Member.left_at.is_(None))
            .order_by(Member.display_name, Member.id)
        )
    ).all()


async def accepted_member_ids(session: AsyncSession, charter: Charter) -> set[int]:
    return set(
        (
            await session.scalars(
                select(Acknowledgement.member_id).where(Acknowledgement.charter_id == charter.id)
            )
        ).all()
    )


def _asked_again(community_id: int) -> tuple[Any, ...]:
    """Current members who accepted some version: those a new version asks again."""
    return (
        Member.community_id == community_id,
        Member.left_at.is_(None),
        exists().where(Acknowledgement.member_id == Member.id),
    )


async def members_who_accepted(session: AsyncSession, community_id: int) -> Sequence[Member]:
    """Current members who accepted some version: those a new version asks again."""
    return (
        await session.scalars(select(Member).where(*_asked_again(community_id)).order_by(Member.id))
    ).all()


async def who_would_be_asked(session: AsyncSession, community_id: int, names: int) -> tuple[int, list[str]]:
    """How many members a new version would ask again, and the names of the first ``names`` of them."""
    count = await session.scalar(select(func.count(Member.id)).where(*_asked_again(community_id)))
    shown = await session.scalars(
        select(func.coalesce(func.nullif(Member.display_name, ""), Member.external_id))
        .where(*_asked_again(community_id))
        .order_by(Member.id)
        .limit(names)
    )
    return int(count or 0), list(shown)


async def external_ids(session: AsyncSession, member_ids: Sequence[int]) -> dict[int, str]:
    """Members' platform ids by their row id."""
    rows = await session.execute(select(Member.id, Member.external_id).where(Member.id.in_(member_ids)))
    return {member_id: external for member_id, external in rows.all()}


async def resolve_names(
    session: AsyncSession, community_id: int, recipients: Sequence[str]
) -> dict[str, str]:
    """Platform ids of members known by a display name among ``recipients`` that isn't itself an id."""
    rows = await session.execute(
        select(Member.display_name, Member.external_id).where(
            Member.community_id == community_id,
            Member.display_name.in_(recipients),
            Member.external_id.not_in(recipients),
        )
    )
    return {name: external for name, external in rows.all()}


async def acceptance_log(session: AsyncSession, community_id: int) -> Sequence[Any]:
    """Every acknowledgement: (member id, display name, version, accepted at), oldest version first."""
    return (
        await session.execute(
            select(Member.external_id, Member.display_name, Charter.version, Acknowledgement.accepted_at)
            .join(Member, Member.id == Acknowledgement.member_id)
            .join(Charter, Charter.id == Acknowledgement.charter_id)
            .where(Acknowledgement.community_id == community_id)
            .order_by(Charter.version, Acknowledgement.accepted_at, Member.id)
        )
    ).all()


# --- requests and rounds ---------------------------------------------------------------------------------


async def request(session: AsyncSession, member: Member, charter: Charter) -> CharterRequest | None:
    return await session.scalar(
        select(CharterRequest).where(
            CharterRequest.member_id == member.id, CharterRequest.charter_id == charter.id
        )
    )


async def member_requests(session: AsyncSession, member: Member) -> Sequence[CharterRequest]:
    return (await session.scalars(select(CharterRequest).where(CharterRequest.member_id == member.id))).all()


async def latest_requests(session: AsyncSession, community_id: int) -> dict[int, CharterRequest]:
    """Each member's newest request (a newcomer welcomed under an earlier version has no newer one)."""
    rows = await session.scalars(
        select(CharterRequest)
        .where(CharterRequest.community_id == community_id)
        .order_by(CharterRequest.charter_id)
    )
    return {r.member_id: r for r in rows.all()}


async def gated_since(session: AsyncSession, community_id: int) -> dict[int, datetime]:
    """Members whose access is withdrawn, with since when."""
    rows = await session.execute(
        select(CharterRequest.member_id, func.min(CharterRequest.gated_at))
        .where(
            CharterRequest.community_id == community_id,
            CharterRequest.gated_at.is_not(None),
            CharterRequest.restored_at.is_(None),
        )
        .group_by(CharterRequest.member_id)
    )
    return {member_id: gated_at for member_id, gated_at in rows.all() if gated_at is not None}


async def gated_member_ids(session: AsyncSession, community_id: int) -> set[int]:
    return set(await gated_since(session, community_id))


async def insert_requests(
    session: AsyncSession, community_id: int, charter: Charter, members: Sequence[Member], now: datetime
) -> None:
    """Ask ``members`` to re-accept ``charter``: one statement for the whole community."""
    if not members:
        return
    await session.execute(
        insert(CharterRequest),
        [
            {
                "community_id": community_id,
                "member_id": member.id,
                "charter_id": charter.id,
                "kind": REACCEPTANCE,
                "asked_at": now,
            }
            for member in members
        ],
    )


async def round_of(session: AsyncSession, charter: Charter) -> CharterRound | None:
    return await session.scalar(select(CharterRound).where(CharterRound.charter_id == charter.id))


def waiting(charter: Charter) -> Any:
    """Requests of ``charter``'s round (with their member) whose member is still here and hasn't accepted it."""
    return (
        select(CharterRequest, Member)
        .join(Member, Member.id == CharterRequest.member_id)
        .where(
            CharterRequest.charter_id == charter.id,
            CharterRequest.kind == REACCEPTANCE,
            Member.left_at.is_(None),
            ~exists().where(Acknowledgement.member_id == Member.id, Acknowledgement.charter_id == charter.id),
        )
        .order_by(Member.display_name, Member.id)
    )


async def waiting_rows(session: AsyncSession, charter: Charter, *, to_remind: bool = False) -> Sequence[Any]:
    """(request, member) of ``charter``'s round still waiting; ``to_remind``: neither snoozed nor reminded."""
    query = waiting(charter)
    if to_remind:
        query = query.where(CharterRequest.snoozed_at.is_(None), CharterRequest.reminded_at.is_(None))
    return (await session.execute(query)).all()


# --- amendments ----------------------------------------------------------------------------------------------


async def adopting_amendments(session: AsyncSession, charter_ids: Sequence[int]) -> dict[int, Amendment]:
    """The amendments that made these versions, by the version's id."""
    rows = await session.scalars(select(Amendment).where(Amendment.adopted_charter_id.in_(charter_ids)))
    return {a.adopted_charter_id: a for a in rows.all() if a.adopted_charter_id is not None}


async def amendment_exists_for(session: AsyncSession, charter: Charter) -> bool:
    return bool(await session.scalar(select(exists().where(Amendment.adopted_charter_id == charter.id))))


async def open_amendment_count(session: AsyncSession, community_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count(Amendment.id)).where(
                Amendment.community_id == community_id, Amendment.status == AmendmentStatus.OPEN
            )
        )
        or 0
    )


async def open_amendments(session: AsyncSession, community_id: int) -> Sequence[Amendment]:
    return (
        await session.scalars(
            select(Amendment)
            .where(Amendment.community_id == community_id, Amendment.status == AmendmentStatus.OPEN)
            .order_by(Amendment.number)
        )
    ).all()


async def open_amendment_on(session: AsyncSession, community_id: int, section: str) -> Amendment | None:
    return await session.scalar(
        select(Amendment).where(
            Amendment.community_id == community_id,
            Amendment.section == section,
            Amendment.status == AmendmentStatus.OPEN,
        )
    )


async def next_amendment_number(session: AsyncSession, community_id: int) -> int:
    return (
        await session.scalar(select(func.max(Amendment.number)).where(Amendment.community_id == community_id))
        or 0
    ) + 1


async def amendment_by_number(session: AsyncSession, community_id: int, number: int) -> Amendment | None:
    return await session.scalar(
        select(Amendment).where(Amendment.community_id == community_id, Amendment.number == number)
    )


async def recent_amendments(session: AsyncSession, community_id: int, limit: int = 15) -> Sequence[Any]:
    """(amendment, proposer's platform id), the newest first."""
    return (
        await session.execute(
            select(Amendment, Member.external_id)
            .join(Member, Member.id == Amendment.proposer_id)
            .where(Amendment.community_id == community_id)
            .order_by(Amendment.number.desc())
            .limit(limit)
        )
    ).all()


async def amendment_tally(session: AsyncSession, amendment: Amendment) -> Tally:
    rows = await session.execute(
        select(AmendmentVote.choice, func.count(AmendmentVote.id))
        .where(AmendmentVote.amendment_id == amendment.id)
        .group_by(AmendmentVote.choice)
    )
    counts = {str(choice): count for choice, count in rows.all()}
    return Tally(counts.get("for", 0), counts.get("against", 0), counts.get("abstain", 0))


async def vote_of(session: AsyncSession, amendment: Amendment, member: Member) -> AmendmentVote | None:
    return await session.scalar(
        select(AmendmentVote).where(
            AmendmentVote.amendment_id == amendment.id, AmendmentVote.member_id == member.id
        )
    )


# --- health ----------------------------------------------------------------------------------------------------


def accepted_charter(community_id: int, since: datetime, until: datetime) -> Select[Any, Any]:
    """Members who accepted a version of the charter in ``[since, until)`` (a health step's members)."""
    return select(Acknowledgement.member_id, Acknowledgement.accepted_at).where(
        Acknowledgement.community_id == community_id,
        Acknowledgement.accepted_at >= since,
        Acknowledgement.accepted_at < until,
    )


async def amendments_proposed(
    session: AsyncSession, community_id: int, since: datetime, until: datetime
) -> int:
    """Amendments proposed in ``[since, until)``."""
    return int(
        await session.scalar(
            select(func.count(Amendment.id)).where(
                Amendment.community_id == community_id,
                Amendment.opened_at >= since,
                Amendment.opened_at < until,
            )
        )
        or 0
    )


def amendment_proposers(community_id: int, since: datetime, until: datetime) -> Select[Any, Any]:
    """Members who proposed an amendment in ``[since, until)``."""
    return select(Amendment.proposer_id, Amendment.opened_at).where(
        Amendment.community_id == community_id, Amendment.opened_at >= since, Amendment.opened_at < until
    )


# --- campaigns inviting the members who were there before Agora -----------------------------------------------


def _never_asked(community_id: int) -> Any:
    """Current members who never accepted any version and were never asked to (no welcome, no invitation)."""
    return (
        select(Member)
        .where(
            Member.community_id == community_id,
            Member.left_at.is_(None),
            ~exists().where(Acknowledgement.member_id == Member.id),
            ~exists().where(CharterRequest.member_id == Member.id),
        )
        .order_by(Member.id)
    )


async def campaign_targets(
    session: AsyncSession, community_id: int, limit: int | None = None
) -> Sequence[Member]:
    """The members a campaign still has to invite, the first ``limit`` of them."""
    query = _never_asked(community_id)
    return (await session.scalars(query.limit(limit) if limit is not None else query)).all()


async def campaign_target_count(session: AsyncSession, community_id: int) -> int:
    """How many members a campaign would invite now."""
    query = _never_asked(community_id).order_by(None)
    return int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)


async def latest_campaign(session: AsyncSession, community_id: int) -> CharterCampaign | None:
    return await session.scalar(
        select(CharterCampaign)
        .where(CharterCampaign.community_id == community_id)
        .order_by(CharterCampaign.id.desc())
        .limit(1)
    )


def _invited_by(campaign: CharterCampaign) -> Any:
    return (
        select(CharterRequest, Member)
        .join(Member, Member.id == CharterRequest.member_id)
        .where(CharterRequest.campaign_id == campaign.id, Member.left_at.is_(None))
    )


async def campaign_accepted(session: AsyncSession, campaign: CharterCampaign) -> int:
    """Members the campaign invited who are still here and accepted a version since."""
    query = _invited_by(campaign).where(exists().where(Acknowledgement.member_id == Member.id))
    return int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)


async def campaign_waiting(session: AsyncSession, campaign: CharterCampaign) -> Sequence[Any]:
    """(request, member) of those the campaign invited who are still here and haven't accepted any version."""
    query = _invited_by(campaign).where(~exists().where(Acknowledgement.member_id == Member.id))
    return (await session.execute(query.order_by(Member.id))).all()
