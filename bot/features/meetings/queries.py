"""The meeting features' queries: preferences, who counts, the upcoming and the last meeting, the open poll,
who answered what. SQL only, no messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Context
from bot.features.meetings.events import GOING, MAYBE, NOT_GOING, WAITLIST
from storage.models import Acknowledgement, MeetingPollStatus, MeetingStatus, Member, RsvpStatus
from storage.tables.meetings import Meeting, MeetingPoll, MeetingPreference, MissionDraw, PollAnswer, Rsvp


async def preference(ctx: Context[Any], member_id: int) -> MeetingPreference | None:
    return await ctx.session.scalar(select(MeetingPreference).where(MeetingPreference.member_id == member_id))


async def zone_of(ctx: Context[Any], member: Member | None) -> str:
    """The time zone ``member``'s dates are shown in: the one they chose (``/agora meeting timezone``), else
    their platform's (Slack says it), else the community's."""
    if member is not None:
        found = await preference(ctx, member.id)
        if found is not None and found.timezone:
            return found.timezone
        return await ctx.timezone_for(member)
    return str(ctx.settings.timezone)


async def wants_reminders(ctx: Context[Any], member_id: int) -> bool:
    found = await preference(ctx, member_id)
    return found is None or found.reminders


async def counted_members(ctx: Context[Any]) -> list[Member]:
    """The members a poll waits for: still here, and who accepted the charter (they are in, not just passing)."""
    return list(
        (
            await ctx.session.scalars(
                select(Member)
                .where(
                    Member.community_id == ctx.community.id,
                    Member.left_at.is_(None),
                    exists(select(Acknowledgement.id).where(Acknowledgement.member_id == Member.id)),
                )
                .order_by(Member.id)
            )
        ).all()
    )


async def latest_ended_meeting(ctx: Context[Any], before: datetime | None = None) -> Meeting | None:
    query = select(Meeting).where(
        Meeting.community_id == ctx.community.id,
        Meeting.status == MeetingStatus.SCHEDULED,
        Meeting.ended_at.is_not(None),
    )
    if before is not None:
        query = query.where(Meeting.starts_at < before)
    return await ctx.session.scalar(query.order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(1))


async def upcoming_meeting(ctx: Context[Any]) -> Meeting | None:
    """The next meeting that has not ended yet."""
    return await ctx.session.scalar(
        select(Meeting)
        .where(
            Meeting.community_id == ctx.community.id,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.ended_at.is_(None),
            Meeting.ends_at > ctx.now,
        )
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(1)
    )


async def open_poll(ctx: Context[Any]) -> MeetingPoll | None:
    return await ctx.session.scalar(
        select(MeetingPoll)
        .where(
            MeetingPoll.community_id == ctx.community.id,
            MeetingPoll.status.in_((MeetingPollStatus.OPEN, MeetingPollStatus.TIE)),
        )
        .order_by(MeetingPoll.id.desc())
        .limit(1)
    )


async def holds_card(ctx: Context[Any], member: Member, card_id: str) -> bool:
    """Whether ``member`` drew mission card ``card_id`` at the last meeting (it lasts until the next one)."""
    last = await latest_ended_meeting(ctx)
    if last is None:
        return False
    found = await ctx.session.scalar(
        select(MissionDraw.id).where(
            MissionDraw.meeting_id == last.id,
            MissionDraw.member_id == member.id,
            MissionDraw.card_id == card_id,
        )
    )
    return found is not None


@dataclass
class Roster:
    """Who answered a meeting, by answer, each list in its order (the waiting list by arrival)."""

    going: list[Member] = field(default_factory=list)
    waitlist: list[Member] = field(default_factory=list)
    maybe: list[Member] = field(default_factory=list)
    not_going: list[Member] = field(default_factory=list)
    answers: dict[int, Rsvp] = field(default_factory=dict)

    def status_of(self, member: Member) -> RsvpStatus | None:
        found = self.answers.get(member.id)
        return found.status if found else None

    def position(self, member: Member) -> int:
        return next((i for i, m in enumerate(self.waitlist, start=1) if m.id == member.id), 0)


async def roster(ctx: Context[Any], meeting: Meeting) -> Roster:
    rows = (
        await ctx.session.execute(
            select(Rsvp, Member)
            .join(Member, Member.id == Rsvp.member_id)
            .where(Rsvp.meeting_id == meeting.id)
        )
    ).all()
    out = Roster()
    for rsvp, member in sorted(
        rows, key=lambda row: (row[0].waitlisted_at or row[0].updated_at, row[0].updated_at, row[0].id)
    ):
        out.answers[member.id] = rsvp
        {GOING: out.going, WAITLIST: out.waitlist, MAYBE: out.maybe, NOT_GOING: out.not_going}[
            rsvp.status
        ].append(member)
    return out


# --- the feature ---------------------------------------------------------------------------------------------


# --- health: what the community's health report counts -------------------------------------------------------


def held(community_id: int, since: datetime, until: datetime) -> list[Any]:
    """The conditions of a meeting that took place (ended, not cancelled) in ``[since, until)``."""
    return [
        Meeting.community_id == community_id,
        Meeting.status == MeetingStatus.SCHEDULED,
        Meeting.ended_at.is_not(None),
        Meeting.ended_at >= since,
        Meeting.ended_at < until,
    ]


def came_to_a_meeting(community_id: int, since: datetime, until: datetime) -> Select[Any, Any]:
    """Members who were going to a meeting that ended in ``[since, until)`` (a health step's members)."""
    return (
        select(Rsvp.member_id, Meeting.ended_at)
        .join(Meeting, Meeting.id == Rsvp.meeting_id)
        .where(*held(community_id, since, until), Rsvp.status == RsvpStatus.GOING)
    )


async def count_meetings_held(
    session: AsyncSession, community_id: int, since: datetime, until: datetime
) -> int:
    """Meetings that took place (ended, not cancelled) in ``[since, until)``."""
    return int(
        await session.scalar(select(func.count(Meeting.id)).where(*held(community_id, since, until))) or 0
    )


def _answered(community_id: int, since: datetime, until: datetime) -> Select[Any, Any]:
    return select(PollAnswer.poll_id, PollAnswer.member_id).where(
        PollAnswer.community_id == community_id,
        PollAnswer.answered_at >= since,
        PollAnswer.answered_at < until,
    )


async def count_polls_answered(
    session: AsyncSession, community_id: int, since: datetime, until: datetime
) -> int:
    """Ballots given in ``[since, until)``: one per member and poll, however many dates they answered."""
    answered = _answered(community_id, since, until).distinct().subquery()
    return int(await session.scalar(select(func.count()).select_from(answered)) or 0)


def members_who_answered_a_poll(community_id: int, since: datetime, until: datetime) -> Select[Any, Any]:
    """Members who answered a date poll in ``[since, until)``."""
    return select(PollAnswer.member_id, PollAnswer.answered_at).where(
        PollAnswer.community_id == community_id,
        PollAnswer.answered_at >= since,
        PollAnswer.answered_at < until,
    )


def members_who_drew_a_card(community_id: int, since: datetime, until: datetime) -> Select[Any, Any]:
    """Members who drew a mission card in ``[since, until)``."""
    return select(MissionDraw.member_id, MissionDraw.drawn_at).where(
        MissionDraw.community_id == community_id, MissionDraw.drawn_at >= since, MissionDraw.drawn_at < until
    )


async def count_cards_drawn(
    session: AsyncSession, community_id: int, since: datetime, until: datetime
) -> int:
    """Mission cards drawn in ``[since, until)``."""
    drawn = members_who_drew_a_card(community_id, since, until).subquery()
    return int(await session.scalar(select(func.count()).select_from(drawn)) or 0)


async def mission_draws(ctx: Context[Any], meeting: Meeting) -> list[tuple[MissionDraw, Member]]:
    """The mission cards drawn at ``meeting``, in the order they were drawn, with who drew them."""
    rows = await ctx.session.execute(
        select(MissionDraw, Member)
        .join(Member, Member.id == MissionDraw.member_id)
        .where(MissionDraw.meeting_id == meeting.id)
        .order_by(MissionDraw.drawn_at, MissionDraw.id)
    )
    return [(draw, member) for draw, member in rows.all()]
