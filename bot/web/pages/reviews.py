"""Rounds, debates, icebreakers: what ran over the last 90 days (the health report's figures, the same report
the Health page keeps a minute), and the two review queues, suggested icebreaker questions and proposed debate
motions, each with Approve and Reject.

A decision is the chat's button pressed as this animator (``View.press`` with the button's action and the row's
id): the same handler decides (its permission check, its transaction, the author's message, the review messages
updated), so deciding here or in the chat is one decision; the handler also refuses a row of another community.
"""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web
from sqlalchemy import func, select

from bot.features.debates import render as debates
from bot.features.health import health_report
from bot.features.health.report import HealthReport
from bot.features.icebreakers import render as icebreakers
from bot.i18n import N_
from bot.web.framework import Answer, Page, View, answers
from storage.models import DebateMotionStatus, IcebreakerQuestionStatus, Member
from storage.tables.debates import DebateMotion
from storage.tables.icebreakers import IcebreakerQuestion

__all__ = ["PAGE"]

DAYS = 90
QUEUE_SHOWN = 50
FRESH = timedelta(minutes=1)
# The chat's buttons this page presses: (kind, decision) -> action.
ACTIONS = {
    ("icebreaker", "approve"): icebreakers.APPROVE,
    ("icebreaker", "reject"): icebreakers.REJECT,
    ("debate", "approve"): debates.APPROVE,
    ("debate", "reject"): debates.REJECT,
}


async def show(view: View, notices: list[Answer] | None = None, status: int = 200) -> web.StreamResponse:
    now = view.app.clock.now()
    cid = view.community.id

    async def compute() -> HealthReport:
        async with view.reading() as session:
            return await health_report(session, cid, now, timedelta(days=DAYS))

    report = await view.recent(("health", DAYS), FRESH, compute)  # the Health page's key: one report for both
    async with view.reading() as session:
        pending_q = (
            IcebreakerQuestion.community_id == cid,
            IcebreakerQuestion.status == IcebreakerQuestionStatus.PENDING,
        )
        pending_m = (DebateMotion.community_id == cid, DebateMotion.status == DebateMotionStatus.PENDING)
        questions = (
            await session.execute(
                select(
                    IcebreakerQuestion.id,
                    IcebreakerQuestion.text,
                    IcebreakerQuestion.anonymous,
                    Member.display_name,
                )
                .outerjoin(Member, Member.id == IcebreakerQuestion.suggested_by)
                .where(*pending_q)
                .order_by(IcebreakerQuestion.created_at, IcebreakerQuestion.id)
                .limit(QUEUE_SHOWN)
            )
        ).all()
        motions = (
            await session.execute(
                select(DebateMotion.id, DebateMotion.text, DebateMotion.credited, Member.display_name)
                .outerjoin(Member, Member.id == DebateMotion.proposed_by)
                .where(*pending_m)
                .order_by(DebateMotion.created_at, DebateMotion.id)
                .limit(QUEUE_SHOWN)
            )
        ).all()
        waiting_q = int(
            await session.scalar(select(func.count(IcebreakerQuestion.id)).where(*pending_q)) or 0
        )
        waiting_m = int(await session.scalar(select(func.count(DebateMotion.id)).where(*pending_m)) or 0)
    _ = view._
    anonymous = _("(anonymous)")
    return view.render(
        "reviews.html",
        status=status,
        notices=notices or [],
        days=DAYS,
        rounds=report.rounds,
        round_rate=_.percent(report.rounds.rate) if report.rounds.rate is not None else "–",
        debates_held=report.debates,
        counters=[(_(c.label), c.now, c.before) for c in report.counters],
        questions=[(i, text, anonymous if hidden else (name or "")) for i, text, hidden, name in questions],
        motions=[(i, text, (name or "") if credited else anonymous) for i, text, credited, name in motions],
        waiting_q=waiting_q,
        waiting_m=waiting_m,
    )


async def save(view: View) -> web.StreamResponse:
    """Approve or reject one suggestion: the chat's button, pressed as this animator."""
    action = ACTIONS.get((view.posted.get("kind", ""), view.posted.get("decision", "")))
    ref = view.posted.get("ref", "")
    if action is None or not ref.isdigit() or len(ref) > 12:
        raise web.HTTPBadRequest()
    outcome = await view.press(action, ref)
    return await show(view, answers(outcome), 422 if outcome.error else 200)


PAGE = Page("reviews", N_("Rounds, debates, icebreakers"), show, save, order=60)
