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
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.feature import FUNNEL_STAGES
from bot.features.health import member_stages, stage_flags
from bot.features.health.queries import current_members
from bot.features.health.report import STAGE_LABELS
from bot.features.onboarding.matching import normalize
from bot.i18n import N_, Translator
from bot.web.framework import Page, View
from storage.models import Member
from storage.tables.profiles import Profile

__all__ = ["PAGE", "csv_cell"]

PAGE_SIZE = 50
# The CSV download is written this many members at a time: the first bytes leave at once, memory stays bounded.
CSV_CHUNK = 1000
# Like the chat's directory: one or two words are enough, and a long one would only slow the search.
MAX_SEARCH = 60
# A spreadsheet reads a cell starting with one of these as a formula (CSV injection): member text is data.
_FORMULA = frozenset(("=", "+", "-", "@", "\t", "\r"))


def csv_cell(value: object) -> str:
    """``value`` as a CSV cell a spreadsheet shows as text, never runs (a leading apostrophe before = + - @)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in _FORMULA else text


def _safe(cells: Iterable[str]) -> list[str]:
    """:func:`csv_cell` for cells that are text already, at the pace of a 10,000-member download."""
    return ["'" + cell if cell[:1] in _FORMULA else cell for cell in cells]


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


# What the directory reads of a member (plain columns: no objects built for 10,000 members); see ``_texts``.
_COLUMNS = (
    Member.id,
    Member.display_name,
    Member.external_id,
    Member.joined_at,
    Profile.hidden,
    Profile.name,
    Profile.what,
    Profile.offers,
    Profile.needs,
    Profile.location,
    Profile.interests,
)


def _listing(community_id: int, search: str) -> Select[Any, Any]:
    """The members still here matching every word of ``search`` in their name or their (listed) profile."""
    query = (
        select(*_COLUMNS)
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


def _texts(values: Sequence[Any], joined: str) -> tuple[str, str, str, str, str, str, str, str]:
    """A listing row's name, platform id, ``joined``, what they do, offers, needs, place and interests: what a
    member hid from the directory (or never wrote) is empty."""
    _id, display, handle, _joined, hidden, name, what, offers, needs, location, interests = values[:11]
    if hidden is None or hidden:  # no introduction, or hidden from the directory
        return (display or handle, handle, joined, "", "", "", "", "")
    interests_text = ", ".join(str(i) for i in interests)
    return (name or display or handle, handle, joined, what, offers, needs, location, interests_text)


class _Dates:
    """Members' joining dates as the page shows them, in the community's time zone: formatting a date takes a
    while, so once a day, not once a member (the CSV's 10,000)."""

    def __init__(self, view: View) -> None:
        self.view, self.zone = view, ZoneInfo(view.settings.timezone)
        self.days: dict[date, str] = {}

    def __call__(self, moment: datetime) -> str:
        day = moment.astimezone(self.zone).date()
        shown = self.days.get(day)
        if shown is None:
            shown = self.days[day] = self.view._.datetime(moment, self.view.settings.timezone, "d MMM y")
        return shown


async def _rows(session: AsyncSession, view: View, query: Select[Any, Any]) -> list[Row]:
    found: Sequence[Any] = (await session.execute(query)).all()
    steps = await member_stages(session, view.community.id, [row[0] for row in found], view.app.clock.now())
    dates = _Dates(view)
    return [
        Row(row[0], *_texts(row, dates(row[3])), bool(row[4]), steps.get(row[0], frozenset({"joined"})))
        for row in found
    ]


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


def _csv_header(_: Translator) -> list[str]:
    return _safe(
        (
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
    )


async def _csv(view: View) -> web.StreamResponse:
    """Every member (or a search's) as CSV, in one statement (their stages selected beside them), written as it
    goes: a header in the page's language, then one line a member, each cell made safe."""
    search = _search(view)
    _ = view._
    flags = stage_flags(view.community.id, view.app.clock.now())
    query = _ordered(_listing(view.community.id, search)).add_columns(*(flag for _stage, flag in flags))
    # Where each stage's flag is in a row (past the listing's columns), None for a stage no feature declares.
    found = {stage: len(_COLUMNS) + index for index, (stage, _flag) in enumerate(flags)}
    places = [found.get(stage) for stage in FUNNEL_STAGES[1:]]
    yes = _("yes")
    name = filename(view.settings.name or view.community.name, search)
    response = web.StreamResponse(headers={"Content-Disposition": f'attachment; filename="{name}"'})
    response.content_type, response.charset = "text/csv", "utf-8"
    await response.prepare(view.request)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_csv_header(_))
    # A byte-order mark: spreadsheets then read the accents as UTF-8.
    await response.write(("\ufeff" + out.getvalue()).encode("utf-8"))
    async with view.reading() as session:
        # Plain rows straight from the connection: the session's object layer would add work a row for nothing.
        rows = (await (await session.connection()).execute(query)).all()
    dates = _Dates(view)
    for start in range(0, len(rows), CSV_CHUNK):
        out.seek(0)
        out.truncate()
        writer.writerows(
            _safe(_texts(row, dates(row[3])))
            + [yes if place is not None and row[place] else "" for place in places]
            for row in rows[start : start + CSV_CHUNK]
        )
        await response.write(out.getvalue().encode("utf-8"))
    await response.write_eof()
    return response


PAGE = Page("members", N_("Members"), show, order=40)
