"""Meetings: the next ones and the past ones (20 a page), with who answered (going, maybe, waiting list, not
going), who came and the recap each left; one meeting's list of names; and the community's calendar feed: the
secret ``.ics`` address members' calendars subscribe to (``bot.web.calendar``), made or replaced here.

Replacing the address is the dashboard's own business (the feed exists only on the web), so this page writes
that one row itself, through ``calendar.rotate``; everything about meetings is read only here and changed in the
chat (/agora meeting ...).
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.web.calendar import feed_token, rotate
from bot.web.framework import Answer, Page, View
from storage.models import MeetingStatus, Member, RsvpStatus
from storage.tables.meetings import Meeting, Rsvp

__all__ = ["PAGE"]

NEXT_SHOWN = 10
PAST_PAGE = 20
# One meeting's list of names (a meeting is a room: its capacity is far below this).
NAMES_SHOWN = 500
STATUS_LABELS = {
    RsvpStatus.GOING: N_("Going"),
    RsvpStatus.MAYBE: N_("Maybe"),
    RsvpStatus.WAITLIST: N_("Waiting list"),
    RsvpStatus.NOT_GOING: N_("Not going"),
}


@dataclass(frozen=True)
class Shown:
    """A meeting as a row of the page: when, what, where, the answers counted, its recap."""

    id: int
    title: str
    when: str
    place: str
    cancelled: bool
    going: int
    maybe: int
    waitlist: int
    capacity: int | None
    recap: str
    materials: str


async def _counts(session: AsyncSession, community_id: int, ids: list[int]) -> dict[tuple[int, str], int]:
    rows = await session.execute(
        select(Rsvp.meeting_id, Rsvp.status, func.count())
        .where(Rsvp.community_id == community_id, Rsvp.meeting_id.in_(ids))
        .group_by(Rsvp.meeting_id, Rsvp.status)
    )
    return {(meeting, str(status)): int(count) for meeting, status, count in rows.all()}


async def _shown(session: AsyncSession, view: View, meetings: list[Meeting]) -> list[Shown]:
    counts = await _counts(session, view.community.id, [m.id for m in meetings])
    zone = view.settings.timezone
    return [
        Shown(
            m.id,
            m.title,
            view._.datetime(m.starts_at, zone),
            m.place,
            m.status == MeetingStatus.CANCELLED,
            counts.get((m.id, RsvpStatus.GOING.value), 0),
            counts.get((m.id, RsvpStatus.MAYBE.value), 0),
            counts.get((m.id, RsvpStatus.WAITLIST.value), 0),
            m.capacity,
            m.recap or "",
            m.materials or "",
        )
        for m in meetings
    ]


def _number(raw: str) -> int:
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 else 1


async def show(view: View, notices: list[Answer] | None = None) -> web.StreamResponse:
    if "meeting" in view.request.query:
        return await _one(view, view.request.query.get("meeting", ""))
    now = view.app.clock.now()
    cid = view.community.id
    past_where = (Meeting.community_id == cid, Meeting.starts_at < now)
    async with view.reading() as session:
        upcoming = list(
            await session.scalars(
                select(Meeting)
                .where(Meeting.community_id == cid, Meeting.starts_at >= now)
                .order_by(Meeting.starts_at, Meeting.id)
                .limit(NEXT_SHOWN)
            )
        )
        total = int(await session.scalar(select(func.count(Meeting.id)).where(*past_where)) or 0)
        pages = max(1, (total + PAST_PAGE - 1) // PAST_PAGE)
        number = min(_number(view.request.query.get("page", "1")), pages)
        past = list(
            await session.scalars(
                select(Meeting)
                .where(*past_where)
                .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
                .offset((number - 1) * PAST_PAGE)
                .limit(PAST_PAGE)
            )
        )
        token = await feed_token(session, cid)
        upcoming_shown = await _shown(session, view, upcoming)
        past_shown = await _shown(session, view, past)
    return view.render(
        "meetings.html",
        notices=notices or [],
        upcoming=upcoming_shown,
        past=past_shown,
        number=number,
        page_count=pages,
        previous=view.url(page=number - 1) if number > 1 else "",
        next=view.url(page=number + 1) if number < pages else "",
        feed_url=view.app.config.web.url(f"/calendar/{token}.ics") if token else "",
    )


async def _one(view: View, raw: str) -> web.StreamResponse:
    """One meeting and who answered; another community's meeting (an edited address) is not found."""
    if not raw.isdigit() or len(raw) > 12:
        raise web.HTTPNotFound()
    async with view.reading() as session:
        meeting = await session.scalar(
            select(Meeting).where(Meeting.community_id == view.community.id, Meeting.id == int(raw))
        )
        if meeting is None:
            raise web.HTTPNotFound()
        shown = (await _shown(session, view, [meeting]))[0]
        answers = (
            await session.execute(
                select(Member.display_name, Member.external_id, Rsvp.status)
                .join(Member, Member.id == Rsvp.member_id)
                .where(Rsvp.community_id == view.community.id, Rsvp.meeting_id == meeting.id)
                .order_by(Rsvp.status, Rsvp.waitlisted_at, func.lower(Member.display_name))
                .limit(NAMES_SHOWN)
            )
        ).all()
    _ = view._
    return view.render(
        "meeting.html",
        notices=[],
        meeting=shown,
        answers=[(name or handle, _(STATUS_LABELS[RsvpStatus(status)])) for name, handle, status in answers],
    )


async def save(view: View) -> web.StreamResponse:
    """Make the calendar address, or replace it (the old one stops working)."""
    if view.posted.get("action") != "rotate":
        raise web.HTTPBadRequest()
    async with view.reading() as session:
        had = await feed_token(session, view.community.id) is not None
    await rotate(view.app.database, view.community.id, view.app.clock.now())
    _ = view._
    text = (
        _("The calendar has a new address: the old one no longer works. Share the new one with the members.")
        if had
        else _("The calendar's address is ready: share it with the members.")
    )
    return await show(view, [Answer(_("Calendar feed"), text)])


PAGE = Page("meetings", N_("Meetings"), show, save, order=50)
