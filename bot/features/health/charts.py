"""The health report's charts, drawn by matplotlib (Agg backend, no display): the funnel's bars and the weekly
activity line, as PNG (posted in the chat) or SVG (inlined by the web dashboard), with labels in the community's
language.

Readable on a phone: large type, few words, the numbers written on the bars. Colour-blind-safe: the Okabe-Ito
palette, and the two periods told apart by fill as well as colour (solid now, hatched before)."""

from __future__ import annotations

import io
import textwrap
from typing import TYPE_CHECKING, Any

from bot.i18n import Translator

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .report import HealthReport

__all__ = [
    "PALETTE",
    "activity_png",
    "activity_svg",
    "funnel_png",
    "funnel_svg",
    "report_png",
    "report_svg",
]

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "black": "#000000",
}
_TEXT = "#222222"
_FONT = 13
_DPI = 120


def _figure(height: float) -> Figure:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.2, height), dpi=_DPI, layout="constrained")
    return figure


def _style(axes: Any) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(labelsize=_FONT, colors=_TEXT)


def _draw_funnel(axes: Any, report: HealthReport, _: Translator) -> None:
    stages = list(report.funnel)
    labels = [textwrap.fill(_(stage.label), 22) for stage in stages]
    positions = list(range(len(stages)))[::-1]
    height = 0.38
    now = [stage.count for stage in stages]
    before = [stage.previous for stage in stages]
    axes.barh(
        [p + height / 2 for p in positions],
        now,
        height,
        color=PALETTE["blue"],
        label=_.ngettext("last {count} day", "last {count} days", report.period.days),
    )
    axes.barh(
        [p - height / 2 for p in positions],
        before,
        height,
        color="white",
        edgecolor=PALETTE["orange"],
        hatch="///",
        linewidth=1.2,
        label=_.ngettext("the {count} day before", "the {count} days before", report.period.days),
    )
    top = max([*now, *before, 1])
    for stage, position in zip(stages, positions, strict=True):
        text = str(stage.count)
        if stage.share is not None:
            text += f"  ({_.percent(stage.share)})"
        axes.text(
            stage.count + top * 0.02, position + height / 2, text, va="center", fontsize=_FONT, color=_TEXT
        )
    axes.set_yticks(positions, labels)
    axes.set_xlim(0, top * 1.35)
    axes.set_title(_("Members who joined, step by step"), fontsize=_FONT + 3, color=_TEXT, loc="left")
    axes.legend(fontsize=_FONT - 1, frameon=False, loc="lower right")
    _style(axes)


def _draw_activity(axes: Any, report: HealthReport, _: Translator, timezone: str) -> None:
    weeks = list(report.weeks)
    xs = list(range(len(weeks)))
    ys = [week.active for week in weeks]
    axes.plot(xs, ys, color=PALETTE["green"], marker="o", linewidth=2.5, markersize=7)
    axes.fill_between(xs, ys, color=PALETTE["green"], alpha=0.12)
    step = max(1, -(-len(weeks) // 5))
    ticks = xs[::step]
    axes.set_xticks(
        ticks, [_.datetime(weeks[i].start, timezone, "d MMM", now=report.now) for i in ticks], fontsize=_FONT
    )
    axes.set_ylim(0, max([*ys, 1]) * 1.2)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_title(_("Active members each week"), fontsize=_FONT + 3, color=_TEXT, loc="left")
    axes.grid(axis="y", color="#dddddd")
    _style(axes)


def _save(figure: Figure, fmt: str) -> bytes:
    import matplotlib

    buffer = io.BytesIO()
    # Text stays text in an SVG (smaller, selectable, read by screen readers); no date in the files, so the
    # same report gives the same bytes.
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "agora"}):
        metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {"Software": None}
        figure.savefig(buffer, format=fmt, metadata=metadata, facecolor="white")
    return buffer.getvalue()


def _funnel(report: HealthReport, _: Translator) -> Figure:
    figure = _figure(5.6)
    _draw_funnel(figure.add_subplot(), report, _)
    return figure


def _activity(report: HealthReport, _: Translator, timezone: str) -> Figure:
    figure = _figure(3.6)
    _draw_activity(figure.add_subplot(), report, _, timezone)
    return figure


def _report(report: HealthReport, _: Translator, timezone: str) -> Figure:
    figure = _figure(9.4)
    funnel, activity = figure.subplots(2, 1, height_ratios=[5.6, 3.4])
    _draw_funnel(funnel, report, _)
    _draw_activity(activity, report, _, timezone)
    return figure


def funnel_png(report: HealthReport, _: Translator) -> bytes:
    """The funnel's bars, this period and the one before, as a PNG."""
    return _save(_funnel(report, _), "png")


def funnel_svg(report: HealthReport, _: Translator) -> bytes:
    """The funnel's bars as an SVG (UTF-8)."""
    return _save(_funnel(report, _), "svg")


def activity_png(report: HealthReport, _: Translator, timezone: str = "UTC") -> bytes:
    """Active members week by week, as a PNG (weeks named by their first day in ``timezone``)."""
    return _save(_activity(report, _, timezone), "png")


def activity_svg(report: HealthReport, _: Translator, timezone: str = "UTC") -> bytes:
    """Active members week by week, as an SVG (UTF-8)."""
    return _save(_activity(report, _, timezone), "svg")


def report_png(report: HealthReport, _: Translator, timezone: str = "UTC") -> bytes:
    """Both charts, one above the other, as one PNG: what the chat posts."""
    return _save(_report(report, _, timezone), "png")


def report_svg(report: HealthReport, _: Translator, timezone: str = "UTC") -> bytes:
    """Both charts as one SVG (UTF-8)."""
    return _save(_report(report, _, timezone), "svg")
