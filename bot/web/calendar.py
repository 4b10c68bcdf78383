"""The community's calendar feed: ``/calendar/<token>.ics``, every meeting of the community (the next ones, and
those of the last months) as one iCalendar file members' calendars subscribe to, with no session: the secret
token in the address is the only key, one per community, replaced from the Meetings page.

The feed is read-only and says no more than the announcements already do (title, date, place). Its events have
the uids of the announcements' .ics files, so a meeting imported from an announcement and the same meeting in
the feed are one event; a cancelled meeting stays in the feed as cancelled (calendars then remove it).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.meetings.render import ics_calendar, ics_event, meeting_uid
from storage.database import Database
from storage.models import Community, MeetingStatus
from storage.tables.dashboard import CalendarFeed
from storage.tables.meetings import Meeting

__all__ = ["FEED_PAST", "FEED_SIZE", "feed_community", "feed_ics", "feed_token", "rotate"]

# How far back the feed goes, and how many meetings it holds at most (a calendar polls it every few hours).
FEED_PAST = timedelta(days=180)
FEED_SIZE = 200
TOKEN_LENGTH = 43  # secrets.token_urlsafe(32)


async def feed_token(session: AsyncSession, community_id: int) -> str | None:
    """The community's feed token, None until an animator made the address."""
    return await session.scalar(select(CalendarFeed.token).where(CalendarFeed.community_id == community_id))


async def rotate(database: Database, community_id: int, now: datetime) -> str:
    """A new token for the community's feed; the old address stops working at once."""
    token = secrets.token_urlsafe(32)
    async with database.transaction() as session:
        await session.execute(delete(CalendarFeed).where(CalendarFeed.community_id == community_id))
        session.add(CalendarFeed(community_id=community_id, token=token, created_at=now))
    return token


async def feed_ics(session: AsyncSession, community: Community, now: datetime, name: str) -> str:
    """The community's feed: its meetings of the last months and to come, ``name`` naming the calendar."""
    meetings = await session.scalars(
        select(Meeting)
        .where(Meeting.community_id == community.id, Meeting.ends_at >= now - FEED_PAST)
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        .limit(FEED_SIZE)
    )
    events = [
        ics_event(
            uid=meeting_uid(meeting.id, community.platform, community.external_id),
            title=meeting.title,
            start=meeting.starts_at,
            end=meeting.ends_at,
            place=meeting.place,
            description=name or community.name,
            stamp=now,
            cancelled=meeting.status == MeetingStatus.CANCELLED,
            sequence=1 if meeting.status == MeetingStatus.CANCELLED else 0,
        )
        for meeting in meetings
    ]
    return ics_calendar(events, name=name or community.name)


async def feed_community(session: AsyncSession, token: str) -> Community | None:
    """The community of the feed ``token`` (to name its calendar with its settings)."""
    if len(token) != TOKEN_LENGTH:
        return None
    return (
        await session.execute(
            select(Community)
            .join(CalendarFeed, CalendarFeed.community_id == Community.id)
            .where(CalendarFeed.token == token)
        )
    ).scalar_one_or_none()
