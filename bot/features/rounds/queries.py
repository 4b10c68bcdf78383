"""The grouping rounds' SQL: participants, exclusions, the rounds played with their groups and answers, and the
figures of the statistics and the health report. No messages."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.rounds.rules import PlayedRound, Profile, SeatRecord
from storage.models import Base, Member, RoundAnswer, Timer
from storage.tables.meetings import MeetingPreference
from storage.tables.rounds import Round, RoundExclusion, RoundGroup, RoundGroupMember, RoundParticipant

__all__ = [
    "add_exclusion",
    "add_group",
    "add_round",
    "add_seats",
    "answered_since",
    "exclusion_count",
    "exclusion_pairs",
    "follow_up_groups",
    "group_members",
    "group_others",
    "join",
    "last_captains",
    "last_round",
    "member_named",
    "member_zones",
    "members_grouped",
    "members_met",
    "participant",
    "participation",
    "played_rounds",
    "read_profiles",
    "recent_seats",
    "remove_exclusion",
    "rounds_held",
    "taking_part",
]


async def participant(session: AsyncSession, member_id: int) -> RoundParticipant | None:
    """The member's place in the rounds, if they ever joined."""
    return await session.scalar(select(RoundParticipant).where(RoundParticipant.member_id == member_id))


async def join(
    session: AsyncSession, community_id: int, member_id: int, found: RoundParticipant | None, now: datetime
) -> RoundParticipant:
    """The member in (again), skipping nothing."""
    if found is None:
        found = RoundParticipant(
            community_id=community_id, member_id=member_id, joined_at=now, updated_at=now
        )
        session.add(found)
    found.active, found.snooze_rounds, found.updated_at = True, 0, now
    found.paused_until, found.paused_quiet = None, False
    return found


async def last_round(session: AsyncSession, community_id: int) -> Round | None:
    return await session.scalar(
        select(Round).where(Round.community_id == community_id).order_by(Round.number.desc()).limit(1)
    )


async def exclusion_count(session: AsyncSession, member_id: int) -> int:
    """How many members ``member_id`` asked never to be grouped with."""
    return (
        await session.scalar(
            select(func.count(RoundExclusion.id)).where(RoundExclusion.member_id == member_id)
        )
        or 0
    )


async def add_exclusion(
    session: AsyncSession, community_id: int, member_id: int, excluded_id: int, now: datetime
) -> None:
    """``member_id`` never grouped with ``excluded_id`` (once: asking twice changes nothing)."""
    found = await session.scalar(
        select(RoundExclusion).where(
            RoundExclusion.member_id == member_id, RoundExclusion.excluded_id == excluded_id
        )
    )
    if found is None:
        session.add(
            RoundExclusion(
                community_id=community_id, member_id=member_id, excluded_id=excluded_id, created_at=now
            )
        )


async def remove_exclusion(session: AsyncSession, member_id: int, excluded_id: int) -> bool:
    """Undo an exclusion; False when there was none."""
    result = await session.execute(
        delete(RoundExclusion).where(
            RoundExclusion.member_id == member_id, RoundExclusion.excluded_id == excluded_id
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def member_named(session: AsyncSession, community_id: int, name: str) -> Member | None:
    """A member of the community going by ``name`` (when they were not mentioned by id)."""
    return await session.scalar(
        select(Member).where(Member.community_id == community_id, Member.display_name == name)
    )


async def exclusion_pairs(session: AsyncSession, community_id: int) -> list[tuple[str, str]]:
    """Every exclusion of the community, as the optimizer takes them."""
    rows = await session.execute(
        select(RoundExclusion.member_id, RoundExclusion.excluded_id).where(
            RoundExclusion.community_id == community_id
        )
    )
    return [(str(a), str(b)) for a, b in rows.all()]


async def played_rounds(session: AsyncSession, community_id: int) -> list[PlayedRound]:
    """Every round of the community, oldest first, with its groups."""
    rounds = (
        await session.scalars(select(Round).where(Round.community_id == community_id).order_by(Round.number))
    ).all()
    played = {r.id: PlayedRound(number=r.number, started_at=r.started_at) for r in rounds}
    rows = (
        await session.execute(
            select(
                RoundGroup.round_id, RoundGroup.position, RoundGroupMember.member_id, RoundGroupMember.answer
            )
            .join(RoundGroupMember, RoundGroupMember.group_id == RoundGroup.id)
            .where(RoundGroup.community_id == community_id)
            .order_by(RoundGroup.round_id, RoundGroup.position, RoundGroupMember.id)
        )
    ).all()
    slots: dict[tuple[int, int], int] = {}
    for round_id, position, member_id, answer in rows:
        entry = played[round_id]
        key = (round_id, position)
        if key not in slots:
            slots[key] = len(entry.groups)
            entry.groups.append([])
            entry.answers.append([])
        entry.groups[slots[key]].append(member_id)
        entry.answers[slots[key]].append(answer)
    return list(played.values())


async def read_profiles(session: AsyncSession, members: list[Member]) -> dict[int, Profile]:
    """Each member's name, line and interests: from the onboarding profiles when that table exists and the
    member has a visible profile, else their display name. Read defensively: a profile table that is missing
    or shaped differently leaves the display names."""
    out = {m.id: Profile(name=m.display_name or m.external_id) for m in members}
    table = Base.metadata.tables.get("member_profiles")
    if table is None or "member_id" not in table.c or not members:
        return out
    columns = table.c
    try:
        async with session.begin_nested():
            rows = (
                (await session.execute(select(table).where(columns.member_id.in_(list(out)))))
                .mappings()
                .all()
            )
    except SQLAlchemyError:
        return out
    for row in rows:
        if row.get("hidden"):
            continue
        profile = out.get(row["member_id"])
        if profile is None:
            continue
        profile.name = str(row.get("name") or "").strip() or profile.name
        profile.what = str(row.get("what") or "").strip()
        profile.location = str(row.get("location") or "").strip()
        interests: Any = row.get("interests") or []
        if isinstance(interests, str):
            interests = interests.split(",")
        profile.interests = [str(i).strip() for i in interests if str(i).strip()]
        profile.company = str(row.get("company") or "").strip()
    return out


async def member_zones(session: AsyncSession, members: list[Member]) -> dict[int, str]:
    """Each member's time zone where it is known: the one they chose for meetings (``/agora meeting timezone``),
    else the one their platform says (Slack's profile). Members with neither are left out."""
    zones = {m.id: m.timezone_seen for m in members if m.timezone_seen}
    if members:
        chosen = await session.execute(
            select(MeetingPreference.member_id, MeetingPreference.timezone).where(
                MeetingPreference.member_id.in_([m.id for m in members]),
                MeetingPreference.timezone.is_not(None),
            )
        )
        zones.update({member_id: zone for member_id, zone in chosen.all() if zone})
    return zones


async def last_captains(session: AsyncSession, community_id: int) -> dict[int, int]:
    """The number of the last round in which each member was a group's captain."""
    rows = await session.execute(
        select(RoundGroup.captain_id, func.max(Round.number))
        .join(Round, Round.id == RoundGroup.round_id)
        .where(RoundGroup.community_id == community_id, RoundGroup.captain_id.is_not(None))
        .group_by(RoundGroup.captain_id)
    )
    return {member_id: number for member_id, number in rows.all() if member_id is not None}


async def taking_part(
    session: AsyncSession, community_id: int, now: datetime
) -> list[tuple[RoundParticipant, Member]]:
    """The active participants still in the community and not paused (snoozed ones included), by member id."""
    rows = await session.execute(
        select(RoundParticipant, Member)
        .join(Member, Member.id == RoundParticipant.member_id)
        .where(
            RoundParticipant.community_id == community_id,
            RoundParticipant.active,
            RoundParticipant.paused_quiet.is_(False),
            or_(RoundParticipant.paused_until.is_(None), RoundParticipant.paused_until <= now),
            Member.left_at.is_(None),
        )
        .order_by(Member.id)
    )
    return [(p, m) for p, m in rows.all()]


async def answered_since(session: AsyncSession, member_id: int, since: datetime) -> bool:
    """Whether the member answered "Did you meet?" (any round) since ``since``."""
    found = await session.scalar(
        select(RoundGroupMember.id)
        .where(RoundGroupMember.member_id == member_id, RoundGroupMember.answered_at >= since)
        .limit(1)
    )
    return found is not None


async def recent_seats(
    session: AsyncSession, community_id: int, member_ids: list[int], now: datetime, rounds: int = 6
) -> dict[int, list[SeatRecord]]:
    """Each member's seats in the community's last ``rounds`` rounds, newest first (the quiet rule's input)."""
    last = await session.scalar(select(func.max(Round.number)).where(Round.community_id == community_id))
    if last is None or not member_ids:
        return {}
    rows = await session.execute(
        select(RoundGroupMember.member_id, Round.started_at, Round.follow_up_at, RoundGroupMember.answer)
        .join(Round, Round.id == RoundGroupMember.round_id)
        .where(
            Round.community_id == community_id,
            Round.number > last - rounds,
            RoundGroupMember.member_id.in_(member_ids),
        )
        .order_by(Round.number.desc())
    )
    out: dict[int, list[SeatRecord]] = defaultdict(list)
    for member_id, started_at, follow_up_at, answer in rows.all():
        asked = follow_up_at is not None and follow_up_at <= now
        out[member_id].append(SeatRecord(started_at, asked=asked, answered=answer is not None))
    return out


async def add_round(session: AsyncSession, round_: Round) -> Round:
    session.add(round_)
    await session.flush()
    return round_


async def add_group(
    session: AsyncSession, community_id: int, round_id: int, position: int, starter: str
) -> RoundGroup:
    group = RoundGroup(community_id=community_id, round_id=round_id, position=position, starter=starter)
    session.add(group)
    return group


async def group_member_ids(session: AsyncSession, group_id: int) -> list[str]:
    """The platform ids of a group's members."""
    return list(
        (
            await session.scalars(
                select(Member.external_id)
                .join(RoundGroupMember, RoundGroupMember.member_id == Member.id)
                .where(RoundGroupMember.group_id == group_id)
                .order_by(Member.id)
            )
        ).all()
    )


def add_seats(session: AsyncSession, group: RoundGroup, members: list[Member]) -> None:
    session.add_all(
        RoundGroupMember(
            community_id=group.community_id, round_id=group.round_id, group_id=group.id, member_id=m.id
        )
        for m in members
    )


async def group_members(session: AsyncSession, group_id: int) -> list[Member]:
    """A group's members, in the order they were seated."""
    rows = await session.scalars(
        select(Member)
        .join(RoundGroupMember, RoundGroupMember.member_id == Member.id)
        .where(RoundGroupMember.group_id == group_id)
        .order_by(RoundGroupMember.id)
    )
    return list(rows.all())


async def group_others(session: AsyncSession, seat: RoundGroupMember) -> list[Member]:
    """The other members of the seat's group."""
    rows = await session.scalars(
        select(Member)
        .join(RoundGroupMember, RoundGroupMember.member_id == Member.id)
        .where(RoundGroupMember.group_id == seat.group_id, RoundGroupMember.member_id != seat.member_id)
        .order_by(RoundGroupMember.id)
    )
    return list(rows.all())


async def follow_up_groups(
    session: AsyncSession, round_id: int
) -> list[list[tuple[RoundGroupMember, Member]]]:
    """The round's groups, each a list of (seat, member)."""
    rows = (
        await session.execute(
            select(RoundGroupMember, Member)
            .join(Member, Member.id == RoundGroupMember.member_id)
            .where(RoundGroupMember.round_id == round_id)
            .order_by(RoundGroupMember.group_id, RoundGroupMember.id)
        )
    ).all()
    by_group: dict[int, list[tuple[RoundGroupMember, Member]]] = defaultdict(list)
    for seat, member in rows:
        by_group[seat.group_id].append((seat, member))
    return list(by_group.values())


async def participation(
    session: AsyncSession, community_id: int
) -> list[tuple[int, bool, int, datetime | None, bool]]:
    """(member id, active, rounds to skip, paused until, paused as quiet) of each participant still in the
    community (``rules.participation`` counts them)."""
    rows = await session.execute(
        select(
            RoundParticipant.member_id,
            RoundParticipant.active,
            RoundParticipant.snooze_rounds,
            RoundParticipant.paused_until,
            RoundParticipant.paused_quiet,
        )
        .join(Member, Member.id == RoundParticipant.member_id)
        .where(RoundParticipant.community_id == community_id, Member.left_at.is_(None))
    )
    return [(m, a, s, u, q) for m, a, s, u, q in rows.all()]


# --- the health report --------------------------------------------------------------------------------------


def members_grouped(community_id: int, since: datetime, until: datetime) -> Select[Any, Any]:
    """Members put in a group of a round that started in ``[since, until)`` (a health step's members)."""
    return (
        select(RoundGroupMember.member_id, Round.started_at)
        .join(Round, Round.id == RoundGroupMember.round_id)
        .where(Round.community_id == community_id, Round.started_at >= since, Round.started_at < until)
    )


def members_met(community_id: int, since: datetime, until: datetime) -> Select[Any, Any]:
    """Members who said, in ``[since, until)``, that they met their group of a round."""
    return select(RoundGroupMember.member_id, RoundGroupMember.answered_at).where(
        RoundGroupMember.community_id == community_id,
        RoundGroupMember.answer == RoundAnswer.MET,
        RoundGroupMember.answered_at >= since,
        RoundGroupMember.answered_at < until,
    )


async def rounds_held(session: AsyncSession, community_id: int, since: datetime, until: datetime) -> int:
    """How many rounds started in ``[since, until)``."""
    return (
        await session.scalar(
            select(func.count(Round.id)).where(
                Round.community_id == community_id, Round.started_at >= since, Round.started_at < until
            )
        )
        or 0
    )


async def pending_plans(session: AsyncSession, community_id: int, kind: str) -> list[Timer]:
    """The timers of the community's rounds being planned, or planned already, that were not cancelled."""
    return list(
        (
            await session.scalars(
                select(Timer).where(
                    Timer.community_id == community_id,
                    Timer.kind == kind,
                    ~Timer.cancelled,
                )
            )
        ).all()
    )


async def plan_pending(session: AsyncSession, community_id: int, kind: str, ref: str) -> bool:
    """Whether the round planned under ``ref`` still waits (its timer is there and not cancelled)."""
    return any(t.ref == ref for t in await pending_plans(session, community_id, kind))
