"""The health report's SQL: the features' declared steps (``Feature.health``) composed into unions and cohorts,
and the few figures of meetings, rounds and debates the report adds. No messages here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, and_, case, cast, distinct, func, literal, select, union, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from bot.feature import FUNNEL_STAGES, HealthStep, feature_classes
from bot.messages import ERASED_PREFIX
from storage.models import MeetingPollStatus, MeetingStatus, Member, RoundAnswer, RsvpStatus
from storage.tables.debates import Debate, DebateStance
from storage.tables.meetings import Meeting, MeetingPoll, Rsvp
from storage.tables.rounds import Round, RoundGroupMember
from storage.types import UTCDateTime

__all__ = [
    "EPOCH",
    "activity",
    "at_risk_rows",
    "count_members",
    "current_members",
    "debate_figures",
    "joined",
    "last_meetings",
    "meeting_dates",
    "member_ids",
    "round_figures",
    "stage_members",
    "steps",
    "weekly_active",
]

# The beginning of time for "ever reached": every step's members in [EPOCH, until).
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@cache
def steps() -> tuple[HealthStep, ...]:
    """Every health step the features declare, in the features' order."""
    return tuple(step for cls in feature_classes() for step in cls.health)


def joined(community_id: int, since: datetime, until: datetime) -> Select[Any, Any]:
    """Members Agora saw join in ``[since, until)`` (those who were there before it came are not newcomers)."""
    return select(Member.id, Member.joined_at).where(
        Member.community_id == community_id,
        Member.existing_at.is_(None),
        Member.joined_at >= since,
        Member.joined_at < until,
    )


def _ids_only(query: Select[Any]) -> Select[Any]:
    """``query`` (a step's members and when) narrowed to the member ids: a union of ids dedups far fewer rows."""
    return query.with_only_columns(query.selected_columns[0])


def _union(queries: Sequence[Select[Any]]) -> Any:
    """One column of member ids, each once: the union of ``queries`` as a subquery's column."""
    if len(queries) == 1:
        return _ids_only(queries[0]).subquery().c[0]
    return union(*(_ids_only(query) for query in queries)).subquery().c[0]


def stage_members(
    community_id: int, stage: str, since: datetime, until: datetime, among: Sequence[int] | None = None
) -> Any | None:
    """The member ids that reached ``stage`` in ``[since, until)`` (a column to select from or test ``in_``),
    only ``among`` those ids when given (each step's query filtered: a page of members reads its rows only);
    None when no feature declares that stage."""
    queries = [
        step.members(community_id, since, until) for step in steps() if step.stage == stage and step.members
    ]
    if among is not None:
        queries = [query.where(query.selected_columns[0].in_(among)) for query in queries]
    return _union(queries) if queries else None


def activity(community_id: int, since: datetime, until: datetime) -> Any:
    """The member ids who did anything in ``[since, until)``: every step naming members, joining aside."""
    queries = [
        step.members(community_id, since, until)
        for step in steps()
        if step.members and step.stage != "joined"
    ]
    return _union(queries)


async def weekly_active(
    session: AsyncSession, community_id: int, since: datetime, until: datetime, weeks: int
) -> list[int] | None:
    """How many members did anything in each of the ``weeks`` weeks that end at ``until`` (oldest first; the
    first one may start before ``since``, and is cut there), in one query: each step's members with the moment
    they acted, numbered by their week counted back from ``until``. None if a step gives no moment."""
    queries = [
        step.members(community_id, since, until)
        for step in steps()
        if step.members and step.stage != "joined"
    ]
    if any(len(query.selected_columns) < 2 for query in queries):
        return None
    acted = union_all(*queries).subquery()
    member, at = acted.c[0], acted.c[1]
    # Weeks back from ``until``: [until - 7 days, until) is week 0. ceil(days / 7) - 1, in each database's words.
    if session.get_bind().dialect.name == "sqlite":
        days = (func.julianday(literal(until, UTCDateTime())) - func.julianday(at)) / 7.0
        truncated = cast(days, Integer)
        back = truncated + case((days > truncated, 1), else_=0) - 1
    else:
        seconds = func.extract("epoch", literal(until, UTCDateTime()) - at)
        back = cast(func.ceil(seconds / 604800.0), Integer) - 1
    rows = await session.execute(select(back.label("back"), func.count(distinct(member))).group_by("back"))
    counts = [0] * weeks
    for index, count in rows.all():
        if index is not None and 0 <= int(index) < weeks:
            counts[weeks - 1 - int(index)] = int(count)
    return counts


async def count_members(session: AsyncSession, column: Any, within: Any | None = None) -> int:
    """How many distinct member ids ``column`` holds (among ``within``, a SELECT of ids, when given)."""
    query = select(func.count(distinct(column)))
    if within is not None:
        query = query.where(column.in_(within))
    return int(await session.scalar(query) or 0)


async def member_ids(session: AsyncSession, column: Any, within: Any | None = None) -> set[int]:
    """The distinct member ids ``column`` holds (among ``within`` when given)."""
    query = select(column).distinct()
    if within is not None:
        query = query.where(column.in_(within))
    return {int(value) for value in await session.scalars(query) if value is not None}


def current_members(community_id: int) -> list[Any]:
    """The conditions of a member who is still there (and has not erased their data)."""
    return [
        Member.community_id == community_id,
        Member.left_at.is_(None),
        ~Member.external_id.startswith(ERASED_PREFIX),
    ]


async def at_risk_rows(
    session: AsyncSession, community_id: int, joined_before: datetime, now: datetime
) -> list[tuple[int, str, str, datetime, bool]]:
    """Members still there, who joined before ``joined_before`` and reached no stage past "accepted": (id,
    platform id, name, joined, accepted the charter), longest-standing first."""
    later = FUNNEL_STAGES[FUNNEL_STAGES.index("accepted") + 1 :]
    # One union of everyone who went further (the database builds it once), rather than a NOT IN per stage.
    went_further = [
        step.members(community_id, EPOCH, now) for step in steps() if step.stage in later and step.members
    ]
    further = [_union(went_further)] if went_further else []
    accepted_column = stage_members(community_id, "accepted", EPOCH, now)
    accepted = await member_ids(session, accepted_column) if accepted_column is not None else set()
    query = select(Member.id, Member.external_id, Member.display_name, Member.joined_at).where(
        *current_members(community_id), Member.joined_at < joined_before
    )
    for column in further:
        query = query.where(Member.id.not_in(select(column)))
    rows = await session.execute(query.order_by(Member.joined_at, Member.id))
    return [(int(i), str(e), str(n or ""), j, int(i) in accepted) for i, e, n, j in rows.all()]


async def last_meetings(
    session: AsyncSession, community_id: int, until: datetime, limit: int
) -> list[tuple[int, str, datetime, int, int | None]]:
    """The last ``limit`` meetings that took place before ``until``: (id, title, start, going, capacity), the
    oldest first."""
    going = func.count(Rsvp.id).filter(Rsvp.status == RsvpStatus.GOING)
    rows = await session.execute(
        select(Meeting.id, Meeting.title, Meeting.starts_at, going, Meeting.capacity)
        .outerjoin(Rsvp, Rsvp.meeting_id == Meeting.id)
        .where(
            Meeting.community_id == community_id,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.ended_at.is_not(None),
            Meeting.ended_at < until,
        )
        .group_by(Meeting.id)
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        .limit(limit)
    )
    return [(int(i), str(t), s, int(g or 0), c) for i, t, s, g, c in reversed(rows.all())]


async def meeting_dates(
    session: AsyncSession, community_id: int, now: datetime
) -> tuple[datetime | None, datetime | None, int]:
    """The next meeting's start (None: none coming), when a meeting was last fixed (None: never) and how many date
    polls are open."""
    upcoming = await session.scalar(
        select(func.min(Meeting.starts_at)).where(
            Meeting.community_id == community_id,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.ended_at.is_(None),
            Meeting.starts_at >= now,
        )
    )
    fixed = await session.scalar(
        select(func.max(Meeting.created_at)).where(
            Meeting.community_id == community_id, Meeting.status == MeetingStatus.SCHEDULED
        )
    )
    polls = await session.scalar(
        select(func.count(MeetingPoll.id)).where(
            MeetingPoll.community_id == community_id, MeetingPoll.status == MeetingPollStatus.OPEN
        )
    )
    return upcoming, fixed, int(polls or 0)


async def round_figures(
    session: AsyncSession, community_id: int, since: datetime, until: datetime
) -> tuple[int, int]:
    """Places in the groups of rounds started in ``[since, until)``, and how many of them said they met."""
    row = (
        await session.execute(
            select(
                func.count(RoundGroupMember.id),
                func.count(RoundGroupMember.id).filter(RoundGroupMember.answer == RoundAnswer.MET),
            )
            .join(Round, Round.id == RoundGroupMember.round_id)
            .where(Round.community_id == community_id, Round.started_at >= since, Round.started_at < until)
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


async def debate_figures(
    session: AsyncSession, community_id: int, since: datetime, until: datetime
) -> tuple[int, int, int, int]:
    """Of the debates opened in ``[since, until)``: how many, how many members took a position, how many
    positions, and how many of those changed from the first one taken (minds changed)."""
    opened = and_(Debate.community_id == community_id, Debate.opened_at >= since, Debate.opened_at < until)
    held = int(await session.scalar(select(func.count(Debate.id)).where(opened)) or 0)
    row = (
        await session.execute(
            select(
                func.count(distinct(DebateStance.member_id)),
                func.count(DebateStance.id),
                func.count(DebateStance.id).filter(DebateStance.first_position != DebateStance.position),
            )
            .join(Debate, Debate.id == DebateStance.debate_id)
            .where(opened)
        )
    ).one()
    return held, int(row[0] or 0), int(row[1] or 0), int(row[2] or 0)
