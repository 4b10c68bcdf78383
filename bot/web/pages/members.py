"""Members: the community's directory for its animators, searchable by name and by what members wrote in their
introduction (what they do, offers, needs, interests, place), with each member's steps (joined, accepted the
charter, introduced, rounds, meetings...: the health package's ``member_stages``), one member's card, and the
whole list (or a search's) as a CSV download.

Every member still here is listed, introduced or not; a member who hid their profile from the directory is listed
by name only (what they wrote stays theirs). Pages are bounded (``PAGE_SIZE`` rows, a count), so a community of
10,000 members answers as fast as one of 100.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.feature import FUNNEL_STAGES
from bot.features.health import member_stages
from bot.features.health.queries import current_members
from bot.features.health.report import STAGE_LABELS
from bot.features.onboarding.matching import normalize
from bot.i18n import N_, Translator
from bot.web.framework import Page, View
from storage.models import Member
from storage.tables.profiles import Profile

__all__ = ["PAGE", "csv_cell"]

PAGE_SIZE = 50
# Like the chat's directory: one or two words are enough, and a long one would only slow the search.
MAX_SEARCH = 60
# A spreadsheet reads a cell starting with one of these as a formula (CSV injection): member text is data.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """``value`` as a CSV cell a spreadsheet shows as text, never runs (a leading apostrophe before = + - @)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


@dataclass(frozen=True)
class Row:
    """One member as the directory shows them: who, what they wrote (empty when hidden), their steps."""

    id: int
    name: str
    handle: str
    joined: str
    what: str
    offers: str
    needs: str
    location: str
    interests: str
    hidden: bool
    steps: frozenset[str]


def _listing(community_id: int, search: str) -> Select[Any, Any]:
    """The members still here matching every word of ``search`` in their name or their (listed) profile."""
    query = (
        select(Member, Profile)
        .outerjoin(Profile, (Profile.member_id == Member.id) & (Profile.community_id == community_id))
        .where(*current_members(community_id))
    )
    for word in normalize(search).split():
        query = query.where(
            or_(
                func.lower(Member.display_name).contains(word, autoescape=True),
                Member.external_id.contains(word, autoescape=True),
                (Profile.hidden.is_(False)) & Profile.search_text.contains(word, autoescape=True),
            )
        )
    return query


async def _rows(
    session: AsyncSession, view: View, query: Select[Any, Any], everyone: bool = False
) -> list[Row]:
    found = (await session.execute(query)).all()
    ids = [member.id for member, _profile in found]
    steps = await member_stages(session, view.community.id, None if everyone else ids, view.app.clock.now())
    zone = ZoneInfo(view.settings.timezone)
    days: dict[
        date, str
    ] = {}  # formatting a date takes a while: once a day, not once a member (the CSV's 10,000)
    out = []
    for member, profile in found:
        day = member.joined_at.astimezone(zone).date()
        if day not in days:
            days[day] = view._.datetime(member.joined_at, view.settings.timezone, "d MMM y")
        shown = profile is not None and not profile.hidden
        out.append(
            Row(
                member.id,
                (profile.name if shown and profile.name else "") or member.display_name or member.external_id,
                member.external_id,
                days[day],
                profile.what if shown else "",
                profile.offers if shown else "",
                profile.needs if shown else "",
                profile.location if shown else "",
                ", ".join(str(i) for i in profile.interests) if shown else "",
                profile is not None and profile.hidden,
                steps.get(member.id, frozenset({"joined"})),
            )
        )
    return out


def _ordered(query: Select[Any, Any]) -> Select[Any, Any]:
    return query.order_by(func.lower(Member.display_name), Member.id)


def _search(view: View) -> str:
    return " ".join(view.request.query.get("q", "").split())[:MAX_SEARCH]


def _number(raw: str) -> int:
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 else 1


async def show(view: View) -> web.StreamResponse:
    query = view.request.query
    if query.get("format") == "csv":
        return await _csv(view)
    if "member" in query:
        return await _card(view, query.get("member", ""))
    search = _search(view)
    listing = _listing(view.community.id, search)
    async with view.reading() as session:
        total = int(await session.scalar(select(func.count()).select_from(listing.subquery())) or 0)
        pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
        number = min(_number(query.get("page", "1")), pages)
        rows = await _rows(session, view, _ordered(listing).offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    _ = view._
    return view.render(
        "members.html",
        notices=[],
        search=search,
        rows=rows,
        stages=[(key, _(STAGE_LABELS[key])) for key in FUNNEL_STAGES[1:]],
        count=_.ngettext("{count} member", "{count} members", total),
        number=number,
        page_count=pages,
        previous=view.url(q=search, page=number - 1) if number > 1 else "",
        next=view.url(q=search, page=number + 1) if number < pages else "",
        csv_url=view.url(q=search, format="csv") if search else view.url(format="csv"),
    )


async def _card(view: View, raw: str) -> web.StreamResponse:
    """One member: their profile and their steps; another community's member (an edited address) is not found."""
    if not raw.isdigit() or len(raw) > 12:
        raise web.HTTPNotFound()
    listing = _listing(view.community.id, "").where(Member.id == int(raw))
    async with view.reading() as session:
        rows = await _rows(session, view, listing)
    if not rows:
        raise web.HTTPNotFound()
    _ = view._
    return view.render(
        "member.html",
        notices=[],
        member=rows[0],
        stages=[(_(STAGE_LABELS[key]), key in rows[0].steps) for key in FUNNEL_STAGES],
    )


_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def filename(name: str, search: str) -> str:
    """A download's name made of safe characters only (no quote, slash or newline can reach the header)."""
    words = [_UNSAFE.sub("-", normalize(part)).strip("-") for part in ("members", name, search)]
    return "-".join(word for word in words if word)[:80] + ".csv"


def csv_text(_: Translator, rows: Iterable[Row]) -> str:
    """The rows as CSV: a header in the page's language, then one line a member, each cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    header: Sequence[str] = (
        _("Name"),
        _("Platform id"),
        _("Joined"),
        _("What they do"),
        _("Offers"),
        _("Needs"),
        _("Place"),
        _("Interests"),
        *(_(STAGE_LABELS[key]) for key in FUNNEL_STAGES[1:]),
    )
    writer.writerow([csv_cell(cell) for cell in header])
    for r in rows:
        cells = (r.name, r.handle, r.joined, r.what, r.offers, r.needs, r.location, r.interests)
        marks = (_("yes") if key in r.steps else "" for key in FUNNEL_STAGES[1:])
        writer.writerow([csv_cell(cell) for cell in (*cells, *marks)])
    return out.getvalue()


async def _csv(view: View) -> web.StreamResponse:
    search = _search(view)
    async with view.reading() as session:
        rows = await _rows(session, view, _ordered(_listing(view.community.id, search)), everyone=not search)
    name = filename(view.settings.name or view.community.name, search)
    return web.Response(
        # A byte-order mark: spreadsheets then read the accents as UTF-8.
        body=("\ufeff" + csv_text(view._, rows)).encode("utf-8"),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


PAGE = Page("members", N_("Members"), show, order=40)
