"""Health: the community's report over a period (``/agora health``'s, from the same ``health_report``), its charts
inline (the same matplotlib figures, as SVG), and every member at risk with what they have not done yet.

The charts are drawn by ``bot.features.health.charts``; each comes with its figures as a table, for screen readers
and for whoever wants the numbers. The report's text is the chat's (``render.report_message``), its members at
risk unnamed there: the page lists them all, with the steps they are missing.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.features.health import charts, health_report, render
from bot.features.health.report import STAGE_LABELS, HealthReport
from bot.i18n import N_, translator
from bot.router import command_text
from bot.web.framework import Answer, Page, View, readable

__all__ = ["PAGE"]

PERIODS = (30, 90, 180, 365)
DEFAULT_DAYS = 90
# How long a report is shown again rather than computed again (a reload, another animator looking).
FRESH = timedelta(minutes=1)
# The members at risk listed (a big community can have thousands: the others are counted).
AT_RISK_SHOWN = 200
# matplotlib's SVG styles its shapes with style attributes: this page's charts need them (scripts stay off).
CHART_POLICY = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@dataclass(frozen=True)
class AtRisk:
    name: str
    joined: str
    missing: str


def _inline(svg: bytes) -> str:
    """An SVG document as an element to put in the page (its XML prolog and doctype left out)."""
    text = svg.decode("utf-8")
    return text[text.index("<svg") :]


@dataclass(frozen=True)
class _Drawn:
    """What the charts show (the funnel's figures, each week's first day and count, the language, the zone): the
    key of the charts already drawn. ``report`` rides along to draw them, out of the key."""

    locale: str
    timezone: str
    days: int
    funnel: tuple[tuple[str, int, int], ...]
    weeks: tuple[tuple[date, int], ...]
    report: HealthReport = field(compare=False, hash=False)

    @classmethod
    def of(cls, report: HealthReport, locale: str, timezone: str) -> _Drawn:
        zone = ZoneInfo(timezone)
        return cls(
            locale,
            timezone,
            report.period.days,
            tuple((s.key, s.count, s.previous) for s in report.funnel),
            tuple((w.start.astimezone(zone).date(), w.active) for w in report.weeks),
            report,
        )


@lru_cache(maxsize=64)
def _charts(drawn: _Drawn) -> tuple[str, str]:
    """The two charts as inline SVG; drawn again only when what they show changed (a page reloaded, another
    animator looking: the same figures)."""
    _ = translator(drawn.locale)
    return (
        _inline(charts.funnel_svg(drawn.report, _)),
        _inline(charts.activity_svg(drawn.report, _, drawn.timezone)),
    )


async def show(view: View) -> web.StreamResponse:
    _ = view._
    raw = view.request.query.get("period", "")
    days = int(raw) if raw.isdigit() and int(raw) in PERIODS else DEFAULT_DAYS
    now = view.app.clock.now()

    async def compute() -> HealthReport:
        async with view.reading() as session:
            return await health_report(session, view.community.id, now, timedelta(days=days))

    report = await view.recent(("health", days), FRESH, compute)
    zone = view.settings.timezone
    # Drawing takes a fraction of a second: off the event loop, so other requests and events go on meanwhile.
    funnel, activity = await asyncio.to_thread(_charts, _Drawn.of(report, _.locale, zone))
    message = render.report_message(_, report, zone, names=False)
    summary = Answer(
        readable(message.title or ""),
        readable(message.text),
        tuple((readable(f.name), readable(f.value)) for f in message.fields),
    )
    suggestion = report.suggestion()
    at_risk = [
        AtRisk(
            m.name or m.external_id,
            _.datetime(m.joined_at, zone, "d MMM y"),
            ", ".join(_(STAGE_LABELS[key]) for key in m.missing),
        )
        for m in report.at_risk[:AT_RISK_SHOWN]
    ]
    response = view.render(
        "health.html",
        notices=[],
        report=report,
        days=days,
        periods=PERIODS,
        summary=summary,
        suggestion=readable(render.suggestion_text(_, suggestion, command_text)) if suggestion else "",
        funnel_svg=funnel,
        activity_svg=activity,
        stages=[
            (
                _(stage.label),
                stage.count,
                _.percent(stage.share) if stage.share is not None else "",
                render.signed(_, stage.change),
            )
            for stage in report.funnel
        ],
        weeks=[(_.datetime(w.start, zone, "d MMM"), w.active) for w in report.weeks],
        at_risk=at_risk,
        at_risk_more=len(report.at_risk) - len(at_risk),
        more=_.ngettext(
            "…and {count} other member at risk.",
            "…and {count} other members at risk.",
            len(report.at_risk) - len(at_risk),
        ),
    )
    response.headers["Content-Security-Policy"] = CHART_POLICY
    return response


PAGE = Page("health", N_("Health"), show, order=10)
